"""Photo and clip analysis: pose, recognition, posture and reps put together. No Flask, no database."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from api.exceptions import InvalidMedia
from api.ml.pose import Person, PoseEstimator, PoseFrame
from api.ml.posture import assess_pose, assess_sequence, has_rules
from api.ml.recognition import Recognition, Recognizer
from api.ml.tracking import main_track, track_people
from api.ml.video import VideoInfo, iter_frames, probe_video

POSE_BATCH_SIZE = 8


@dataclass(frozen=True)
class ClipSettings:
    """How a clip is sampled: analysing ~10 frames a second keeps reps and faults and runs faster than real time."""

    sample_fps: float = 10.0
    max_frames: int = 1200
    recognition_frames: int = 4


@dataclass
class Analysis:
    """The answer for one photo or clip; `key_frame` is the image the annotated view is drawn on."""

    media_type: str
    recognition: Recognition
    persons: list[Person]
    posture: dict
    image_size: tuple[int, int]
    timing: dict
    reps: dict | None = None
    key_frame: np.ndarray | None = field(default=None, repr=False)
    key_person: Person | None = None

    @property
    def exercise_label(self) -> str | None:
        return self.posture.get("exercise") or self.recognition.label

    def to_dict(self) -> dict:
        data = {
            "media_type": self.media_type,
            "exercise": self.recognition.to_dict(),
            "persons": [person.to_dict() for person in self.persons],
            "posture": self.posture,
            "image_size": list(self.image_size),
            "timing": self.timing,
        }
        if self.reps is not None:
            data["reps"] = self.reps
        return data


def posture_not_assessed(reason: str, exercise: str | None = None) -> dict:
    """A posture block that says plainly why nothing was judged."""
    return {
        "exercise": exercise,
        "assessed": False,
        "reason": reason,
        "score": None,
        "form_ok": None,
        "view": "unclear",
        "issues": [],
        "skipped": [],
    }


def _chosen_exercise(recognition: Recognition, exercise_hint: str | None) -> str | None:
    return exercise_hint or recognition.label


def _posture_reason(person_found: bool, exercise: str | None, recognition: Recognition) -> str | None:
    if not person_found:
        return "no person found"
    if exercise is None:
        return recognition.reason or "exercise not recognised"
    if not has_rules(exercise):
        return f"no posture rules for {exercise} yet"
    return None


def analyse_photo(
    image_bgr: np.ndarray, pose: PoseEstimator, recognizer: Recognizer, exercise_hint: str | None = None
) -> Analysis:
    """Find the person, name the exercise and judge the form in one photo."""
    started = time.perf_counter()
    frame = pose.detect(image_bgr)
    pose_ms = (time.perf_counter() - started) * 1000
    recognition = recognizer.recognize(image_bgr, frame)
    person = frame.main_person()
    exercise = _chosen_exercise(recognition, exercise_hint)
    reason = _posture_reason(person is not None, exercise, recognition)
    if reason:
        posture = posture_not_assessed(reason, exercise)
    else:
        posture = {"assessed": True, **assess_pose(exercise, person.keypoints, frame.image_size).to_dict()}
    total_ms = (time.perf_counter() - started) * 1000
    return Analysis(
        media_type="image",
        recognition=recognition,
        persons=frame.persons,
        posture=posture,
        image_size=frame.image_size,
        timing={"pose_ms": round(pose_ms, 1), "total_ms": round(total_ms, 1)},
        key_frame=image_bgr,
        key_person=person,
    )


def _sample_clip(path: Path, pose: PoseEstimator, settings: ClipSettings) -> tuple[list, list[PoseFrame], list[float]]:
    """Decode the clip at the sample rate and run pose on batches of frames."""
    images, frames, times = [], [], []
    batch, batch_times = [], []
    for video_frame in iter_frames(path, target_fps=settings.sample_fps, max_frames=settings.max_frames):
        batch.append(video_frame.image_bgr)
        batch_times.append(video_frame.time_s)
        if len(batch) == POSE_BATCH_SIZE:
            frames.extend(pose.detect_batch(batch))
            images.extend(batch)
            times.extend(batch_times)
            batch, batch_times = [], []
    if batch:
        frames.extend(pose.detect_batch(batch))
        images.extend(batch)
        times.extend(batch_times)
    return images, frames, times


def _evenly_spaced(count: int, wanted: int) -> list[int]:
    if count == 0:
        return []
    return sorted(set(np.linspace(0, count - 1, min(wanted, count)).round().astype(int).tolist()))


def analyse_clip(
    path: Path,
    pose: PoseEstimator,
    recognizer: Recognizer,
    exercise_hint: str | None = None,
    settings: ClipSettings | None = None,
) -> Analysis:
    """Track the people in a clip, name the exercise by voting over frames, count and judge each rep."""
    settings = settings or ClipSettings()
    started = time.perf_counter()
    info: VideoInfo = probe_video(path)
    images, frames, times = _sample_clip(path, pose, settings)
    if not frames:
        raise InvalidMedia("no frame of the clip could be decoded")
    decode_and_pose_ms = (time.perf_counter() - started) * 1000
    tracks = track_people(frames)
    track = main_track(tracks)
    with_person = [i for i, frame in enumerate(frames) if frame.persons]
    votes = [
        (images[i], frames[i])
        for i in (with_person[j] for j in _evenly_spaced(len(with_person), settings.recognition_frames))
    ]
    recognition = recognizer.recognize_clip(votes) if votes else recognizer.recognize(images[0], frames[0])
    exercise = _chosen_exercise(recognition, exercise_hint)
    reason = _posture_reason(track is not None, exercise, recognition)
    sample_fps = len(frames) / info.duration_s if info.duration_s > 0 else settings.sample_fps
    key_index, key_person = track.key_frame() if track else (0, None)
    reps = None
    if reason:
        posture = posture_not_assessed(reason, exercise)
    else:
        sequence = assess_sequence(exercise, track.keypoint_array(len(frames)), sample_fps, frames[0].image_size)
        result = sequence.to_dict()
        reps = result.pop("reps", {"count": 0, "per_rep": []})
        posture = {"assessed": True, **result}
    total_ms = (time.perf_counter() - started) * 1000
    persons = [tr.summary_person() for tr in tracks]
    return Analysis(
        media_type="video",
        recognition=recognition,
        persons=persons,
        posture=posture,
        image_size=(info.width, info.height),
        timing={
            "video_duration_s": round(info.duration_s, 3),
            "video_fps": round(info.fps, 2),
            "frames_analysed": len(frames),
            "sample_fps": round(sample_fps, 2),
            "pose_ms_per_frame": round(decode_and_pose_ms / max(len(frames), 1), 1),
            "frame_times_s": [round(t, 3) for t in times],
            "total_ms": round(total_ms, 1),
            "realtime_factor": round(total_ms / 1000 / info.duration_s, 3) if info.duration_s else None,
        },
        reps=reps,
        key_frame=images[key_index] if images else None,
        key_person=key_person,
    )
