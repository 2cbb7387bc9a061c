"""A light IoU tracker: follows each person across sampled clip frames so reps are counted per person."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from api.ml.pose import Person, PoseFrame

MIN_IOU_TO_MATCH = 0.1
MAX_FRAMES_LOST = 10


def box_iou(a: list[float], b: list[float]) -> float:
    """Intersection over union of two `[x1, y1, x2, y2]` boxes."""
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class Track:
    """One person followed over time: frame index -> that frame's detection."""

    track_id: int
    observations: dict[int, Person] = field(default_factory=dict)

    @property
    def last_index(self) -> int:
        return max(self.observations)

    @property
    def last_box(self) -> list[float]:
        return self.observations[self.last_index].box

    def latest_at(self, index: int) -> Person | None:
        """This person's detection at frame `index`, or the latest one before it within `MAX_FRAMES_LOST`."""
        seen = [i for i in self.observations if index - MAX_FRAMES_LOST <= i <= index]
        return self.observations[max(seen)] if seen else None

    def keypoint_array(self, frame_count: int) -> np.ndarray:
        """Keypoints for every sampled frame, `(T, 17, 3)`; frames where the person was lost have confidence 0."""
        array = np.zeros((frame_count, 17, 3), dtype=np.float32)
        for index, person in self.observations.items():
            array[index] = person.keypoints
        return array

    def key_frame(self) -> tuple[int, Person]:
        """The frame where this person's keypoints are seen most confidently."""
        index = max(self.observations, key=lambda i: float(self.observations[i].keypoints[:, 2].mean()))
        return index, self.observations[index]

    def weight(self) -> float:
        """How much this track looks like the person training: seen long and large."""
        areas = [(p.box[2] - p.box[0]) * (p.box[3] - p.box[1]) for p in self.observations.values()]
        return len(self.observations) * float(np.median(areas))

    def summary_person(self) -> Person:
        index, person = self.key_frame()
        return Person(box=person.box, score=person.score, keypoints=person.keypoints, track_id=self.track_id)


def _associate(live: list[Track], persons: list[Person], index: int) -> tuple[list[Track], list[Person]]:
    """Greedy IoU matching of `persons` to the `live` tracks; returns the tracks and the persons left unmatched."""
    pairs = sorted(
        ((box_iou(t.last_box, p.box), ti, pi) for ti, t in enumerate(live) for pi, p in enumerate(persons)),
        reverse=True,
    )
    used_tracks, used_people = set(), set()
    for iou, ti, pi in pairs:
        if iou < MIN_IOU_TO_MATCH or ti in used_tracks or pi in used_people:
            continue
        live[ti].observations[index] = persons[pi]
        used_tracks.add(ti)
        used_people.add(pi)
    return (
        [t for ti, t in enumerate(live) if ti not in used_tracks],
        [p for pi, p in enumerate(persons) if pi not in used_people],
    )


def track_people(frames: list[PoseFrame], indices: list[int] | None = None) -> list[Track]:
    """Follow people over frames: confident persons match the live tracks first, then faint ones may extend the
    tracks still unmatched (never start one); confident persons left over start new tracks.

    `indices` numbers the frames when they are a subset of a clip's sampled frames (people found every few)."""
    tracks: list[Track] = []
    for index, frame in zip(indices if indices is not None else range(len(frames)), frames, strict=True):
        live = [t for t in tracks if index - t.last_index <= MAX_FRAMES_LOST]
        unmatched, newcomers = _associate(live, frame.persons, index)
        _associate(unmatched, frame.faint, index)
        for person in newcomers:
            tracks.append(Track(track_id=len(tracks) + 1, observations={index: person}))
    return tracks


def main_track(tracks: list[Track]) -> Track | None:
    """The person most likely to be the one training."""
    return max(tracks, key=Track.weight) if tracks else None
