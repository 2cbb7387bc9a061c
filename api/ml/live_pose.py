"""Server-side pose for live sessions: one small frame at a time, the same person followed from frame to frame."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from api.ml.keypoints import KEYPOINT_COUNT
from api.ml.pose import Person, PoseConfig, get_pose_estimator
from api.ml.tracking import box_iou

# The person of the last frame is the one whose box overlaps it this much; else the largest sure person.
FOLLOW_MIN_IOU = 0.1
# Frames are posed at their own size rounded up to the network's stride, never above the configured size.
STRIDE = 32


def pose_size(image_shape: tuple[int, ...], largest: int) -> int:
    """The pose input size for a frame: its longer side rounded up to the stride, at most `largest`."""
    longer = max(image_shape[:2])
    return int(min(largest, -(-longer // STRIDE) * STRIDE))


class LivePose:
    """Poses a batch of frames and picks the session's main person in each, carrying the last box forward."""

    def __init__(self, config: PoseConfig, tracked_box: list[float] | None = None):
        self.config = config
        self.tracked_box = tracked_box

    def follow(self, images_bgr: list[np.ndarray]) -> tuple[np.ndarray, list[dict | None]]:
        """Keypoints `(n, 17, 3)` of the main person per frame (confidence 0 where nobody), and that person."""
        estimator = get_pose_estimator(replace(self.config, imgsz=pose_size(images_bgr[0].shape, self.config.imgsz)))
        keypoints = np.zeros((len(images_bgr), KEYPOINT_COUNT, 3), dtype=np.float32)
        persons: list[dict | None] = []
        for index, frame in enumerate(estimator.detect_batch(images_bgr)):
            person = self._main(frame.persons)
            persons.append(person.to_dict() if person else None)
            if person:
                keypoints[index] = person.keypoints
                self.tracked_box = [round(float(v), 1) for v in person.box]
        return keypoints, persons

    def _main(self, persons: list[Person]) -> Person | None:
        if not persons:
            return None
        if self.tracked_box is not None:
            overlap = max(persons, key=lambda p: box_iou(p.box, self.tracked_box))
            if box_iou(overlap.box, self.tracked_box) >= FOLLOW_MIN_IOU:
                return overlap
        return max(persons, key=lambda p: (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]) * p.score)
