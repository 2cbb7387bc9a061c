"""Photo and clip analysis: pose, recognition, posture and reps put together. No Flask, no database."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from api.exceptions import InvalidMedia
from api.ml.blazepose import BlazePoseEstimator, BlazePoseTracker, get_blazepose_estimator
from api.ml.keypoints import BODY_KEYPOINT_COUNT, IMAGE_CHANNELS, WORLD_CHANNELS, BodyPose, pad_to_body_layout
from api.ml.pose import POSE_ENGINES, Person, PoseEstimator, PoseFrame
from api.ml.posture import PostureAssessment, assess_pose, assess_sequence, has_rules
from api.ml.recognition import ClipMotion, Recognition, Recognizer
from api.ml.tracking import Track, main_track, track_people
from api.ml.video import VideoInfo, iter_frames, probe_video

POSE_BATCH_SIZE = 8
# POSE_ENGINE=auto judges these exercises from BlazePose's landmarks and the rest from YOLO's keypoints. Measured
# on the shared real clips (`scripts/extract_poses.py` caches): pull-ups counted exactly in 6 of 10 clips with
# BlazePose against 5 with YOLO; squats 4 of 6 with either, and only BlazePose sees the feet their checks and the
# lunges' need; push-up form on 94 clips, thresholds chosen inside grouped folds, 0.712 with BlazePose (its world
# thresholds) against 0.637 with YOLO, and single push-ups counted as one in 51 clips against 42
# (docs/posture-eval.md). Planks share the push-up's hip checks but have no clips to measure: they stay with YOLO.
AUTO_BLAZEPOSE_EXERCISES = frozenset({"squat", "goblet_squat", "lunge", "split_squat", "pull_up", "push_up"})


@dataclass(frozen=True)
class ClipSettings:
    """How a clip is sampled: analysing ~10 frames a second keeps reps and faults and runs faster than real time."""

    sample_fps: float = 10.0
    max_frames: int = 1200
    recognition_frames: int = 4
    # When BlazePose follows the main person, YOLO looks for the people on every few sampled frames only.
    people_every: int = 3


@dataclass
class Analysis:
    """The answer for one photo, clip, keypoint request or live set; `key_frame` is the image the annotated view
    is drawn on. A sequence's posture (a `SequenceAssessment`) holds its reps."""

    media_type: str
    recognition: Recognition
    persons: list[Person]
    posture: PostureAssessment
    image_size: tuple[int, int]
    timing: dict
    key_frame: np.ndarray | None = field(default=None, repr=False)
    key_person: Person | None = None
    body: BodyPose | None = None  # the main person's keypoints that judged posture, on the key frame

    @property
    def exercise_label(self) -> str | None:
        return self.posture.exercise or self.recognition.label

    @property
    def rep_count(self) -> int | None:
        return self.posture.rep_count

    def to_dict(self) -> dict:
        data = {
            "media_type": self.media_type,
            "exercise": self.recognition.to_dict(),
            "persons": [person.to_dict() for person in self.persons],
            "posture": self.posture.posture_dict(),
            "image_size": list(self.image_size),
            "timing": self.timing,
            "body": self.body.to_dict() if self.body else None,
        }
        if (reps := self.posture.reps_dict()) is not None:
            data["reps"] = reps
        return data


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


def posture_engine(setting: str, exercise: str | None) -> str:
    """The pose engine whose keypoints judge an exercise's posture under the POSE_ENGINE `setting`."""
    if setting not in POSE_ENGINES:
        raise ValueError(f"the pose engine must be one of {', '.join(POSE_ENGINES)}, not {setting!r}")
    if setting == "auto":
        return "blazepose" if exercise in AUTO_BLAZEPOSE_EXERCISES else "yolo"
    return setting


def analyse_photo(
    image_bgr: np.ndarray,
    pose: PoseEstimator,
    recognizer: Recognizer,
    exercise_hint: str | None = None,
    *,
    engine: str = "yolo",
    blazepose: BlazePoseEstimator | None = None,
) -> Analysis:
    """Find the people, name the exercise and judge the main person's form in one photo, from YOLO's keypoints
    or (by `engine`) BlazePose's landmarks of that person."""
    started = time.perf_counter()
    frame = pose.detect(image_bgr)
    timing = {"pose_ms": round((time.perf_counter() - started) * 1000, 1)}
    recognition = recognizer.recognize(image_bgr, frame)
    person = frame.main_person()
    exercise = _chosen_exercise(recognition, exercise_hint)
    reason = _posture_reason(person is not None, exercise, recognition)
    body = BodyPose.of("yolo", person.keypoints) if person else None
    if reason:
        posture = PostureAssessment.not_assessed(reason, exercise)
    else:
        keypoints, used = person.keypoints, "yolo"
        if posture_engine(engine, exercise) == "blazepose":
            body_started = time.perf_counter()
            found = (blazepose or get_blazepose_estimator()).estimate(image_bgr, person)
            timing["body_pose_ms"] = round((time.perf_counter() - body_started) * 1000, 1)
            if found is not None:
                keypoints, used = found.body_frame(), "blazepose"
                body = BodyPose.of(used, keypoints)
        timing["pose_engine"] = used
        posture = assess_pose(exercise, keypoints, frame.image_size)
    timing["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return Analysis(
        media_type="image",
        recognition=recognition,
        persons=frame.persons,
        posture=posture,
        image_size=frame.image_size,
        timing=timing,
        key_frame=image_bgr,
        key_person=person,
        body=body,
    )


def decode_clip(path: Path, settings: ClipSettings) -> tuple[list[np.ndarray], list[float]]:
    """The clip's frames at the sample rate, and their times in seconds."""
    frames = list(iter_frames(path, target_fps=settings.sample_fps, max_frames=settings.max_frames))
    return [frame.image_bgr for frame in frames], [frame.time_s for frame in frames]


def find_people(pose: PoseEstimator, images: list[np.ndarray], people: list, indices) -> float:
    """Run YOLO on the frames at `indices` still without people, in batches, filling `people` in place; returns
    the milliseconds it took."""
    started = time.perf_counter()
    todo = [i for i in indices if people[i] is None]
    for start in range(0, len(todo), POSE_BATCH_SIZE):
        batch = todo[start : start + POSE_BATCH_SIZE]
        for index, frame in zip(batch, pose.detect_batch([images[i] for i in batch]), strict=True):
            people[index] = frame
    return (time.perf_counter() - started) * 1000


def follow_main_person(
    images: list[np.ndarray], times: list[float], track: Track, blazepose: BlazePoseEstimator
) -> tuple[np.ndarray, int]:
    """BlazePose's body-layout frames `(T, 21, 6)` of the person `track` follows (confidence 0 and world NaN
    where lost), each frame's crop checked against that person's latest YOLO box; and the detector's runs."""
    body = np.zeros((len(images), BODY_KEYPOINT_COUNT, WORLD_CHANNELS), dtype=np.float32)
    body[..., IMAGE_CHANNELS:] = np.nan
    tracker = BlazePoseTracker(blazepose)
    for index, (image, time_s) in enumerate(zip(images, times, strict=True)):
        found = tracker.update(image, time_s, track.latest_at(index))
        if found is not None:
            body[index] = found.body_frame()
    return body, tracker.detector_runs


@dataclass
class ClipPoses:
    """A clip's sampled frames and who is in them: YOLO's people (`people[i]` None on frames it skipped), their
    tracks and the main one, and that person's body-layout frames from the engine used (`(T, 21, 3)` from YOLO,
    `(T, 21, 6)` from BlazePose; None without a main person)."""

    images: list[np.ndarray]
    times: list[float]
    people: list[PoseFrame | None]
    tracks: list[Track]
    main: Track | None
    body: np.ndarray | None
    engine: str
    timing: dict


def people_indices(engine: str, count: int, settings: ClipSettings) -> range:
    """The frames YOLO runs on: all of them when its keypoints judge posture, else every few (for the people)."""
    return range(0, count, 1 if engine == "yolo" else settings.people_every)


def clip_poses(
    images: list[np.ndarray],
    times: list[float],
    pose: PoseEstimator,
    engine: str,
    settings: ClipSettings,
    blazepose: BlazePoseEstimator | None = None,
    people: list[PoseFrame | None] | None = None,
) -> ClipPoses:
    """Find and follow the people of a sampled clip and the main person's body, with `engine` ('yolo' or
    'blazepose') for the body; `people` are the frames YOLO has already seen, if any."""
    people = people if people is not None else [None] * len(images)
    people_ms = find_people(pose, images, people, people_indices(engine, len(images), settings))
    timing = {"people_ms": round(people_ms, 1)}
    seen = [i for i, frame in enumerate(people) if frame is not None]
    tracks = track_people([people[i] for i in seen], seen)
    main = main_track(tracks)
    body = None
    if main is not None and engine == "blazepose":
        started = time.perf_counter()
        body, timing["detector_runs"] = follow_main_person(images, times, main, blazepose or get_blazepose_estimator())
        timing["body_pose_ms_per_frame"] = round((time.perf_counter() - started) * 1000 / len(images), 1)
    elif main is not None:
        body = pad_to_body_layout(main.keypoint_array(len(images)))
    return ClipPoses(images, times, people, tracks, main, body, engine, timing)


def evenly_spaced(count: int, wanted: int) -> list[int]:
    """`wanted` (or all `count`) indices spread evenly over `range(count)`, first and last included."""
    if count == 0:
        return []
    return sorted(set(np.linspace(0, count - 1, min(wanted, count)).round().astype(int).tolist()))


def _recognise_clip(
    recognizer: Recognizer,
    images: list[np.ndarray],
    times: list[float],
    people: list,
    settings: ClipSettings,
    followed: ClipPoses | None = None,
):
    """Temporal voting over a few evenly spaced frames with people in them, with the main person's motion: YOLO's
    keypoints on the frames it has seen and BlazePose's body frames where it `followed` that person (whose
    tracks, made from the same people, give the main person)."""
    with_person = [i for i, frame in enumerate(people) if frame is not None and frame.persons]
    votes = [
        (images[i], people[i])
        for i in (with_person[j] for j in evenly_spaced(len(with_person), settings.recognition_frames))
    ]
    if not votes:
        return recognizer.recognize(images[0], people[0])
    seen = [i for i, frame in enumerate(people) if frame is not None]
    main = followed.main if followed is not None else main_track(track_people([people[i] for i in seen], seen))
    if main is None:
        return recognizer.recognize_clip(votes)
    body = followed.body if followed is not None else None
    motion = ClipMotion(main.keypoint_array(len(images))[seen], np.asarray(times)[seen], body, np.asarray(times))
    return recognizer.recognize_clip(votes, motion)


def analyse_clip(
    path: Path,
    pose: PoseEstimator,
    recognizer: Recognizer,
    exercise_hint: str | None = None,
    settings: ClipSettings | None = None,
    *,
    engine: str = "yolo",
    blazepose: BlazePoseEstimator | None = None,
) -> Analysis:
    """Track the people in a clip, name the exercise by voting over frames, count and judge each rep of the main
    person, from YOLO's keypoints or (by `engine`) BlazePose's landmarks of that person."""
    settings = settings or ClipSettings()
    started = time.perf_counter()
    info: VideoInfo = probe_video(path)
    images, times = decode_clip(path, settings)
    if not images:
        raise InvalidMedia("no frame of the clip could be decoded")
    decode_ms = (time.perf_counter() - started) * 1000
    # Without a named exercise, `auto` learns its engine from the recognition: YOLO's first pass is sparse.
    planned = posture_engine(engine, exercise_hint) if exercise_hint or engine != "auto" else "blazepose"
    people: list[PoseFrame | None] = [None] * len(images)
    people_ms = find_people(pose, images, people, people_indices(planned, len(images), settings))
    # The motion model reads BlazePose's world coordinates: follow the main person with it before recognising.
    followed = None
    if recognizer.uses_world_motion:
        followed = clip_poses(images, times, pose, "blazepose", settings, blazepose, people)
        people_ms += followed.timing["people_ms"]
    recognition = _recognise_clip(recognizer, images, times, people, settings, followed)
    exercise = _chosen_exercise(recognition, exercise_hint)
    judged_with = posture_engine(engine, exercise)
    if followed is not None and judged_with == "blazepose":
        poses = followed
    else:
        poses = clip_poses(images, times, pose, judged_with, settings, blazepose, people)
        people_ms += poses.timing["people_ms"]
        if followed is not None and "body_pose_ms_per_frame" in followed.timing:
            poses.timing["motion_body_pose_ms_per_frame"] = followed.timing["body_pose_ms_per_frame"]
    poses.timing["people_ms"] = round(people_ms, 1)
    track = poses.main
    reason = _posture_reason(track is not None, exercise, recognition)
    sample_fps = len(images) / info.duration_s if info.duration_s > 0 else settings.sample_fps
    key_index, key_person = track.key_frame() if track else (0, None)
    if reason:
        posture = PostureAssessment.not_assessed(reason, exercise)
    else:
        posture = assess_sequence(exercise, poses.body, sample_fps, (info.width, info.height))
    total_ms = (time.perf_counter() - started) * 1000
    return Analysis(
        media_type="video",
        recognition=recognition,
        persons=[tr.summary_person() for tr in poses.tracks],
        posture=posture,
        image_size=(info.width, info.height),
        timing={
            "video_duration_s": round(info.duration_s, 3),
            "video_fps": round(info.fps, 2),
            "frames_analysed": len(images),
            "sample_fps": round(sample_fps, 2),
            "decode_ms_per_frame": round(decode_ms / len(images), 1),
            "pose_engine": poses.engine,
            "people_frames": sum(frame is not None for frame in poses.people),
            **poses.timing,
            "frame_times_s": [round(t, 3) for t in times],
            "total_ms": round(total_ms, 1),
            "realtime_factor": round(total_ms / 1000 / info.duration_s, 3) if info.duration_s else None,
        },
        key_frame=images[key_index] if images else None,
        key_person=key_person,
        body=BodyPose(poses.engine, poses.body[key_index]) if track else None,
    )
