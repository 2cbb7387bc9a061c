"""COCO-17 keypoints: names, skeleton edges and validation of client-sent keypoint sequences."""

from __future__ import annotations

import numpy as np

from api.exceptions import InvalidKeypoints

KEYPOINT_NAMES = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
KEYPOINT_INDEX = {name: index for index, name in enumerate(KEYPOINT_NAMES)}
SKELETON_EDGES = tuple(
    (KEYPOINT_INDEX[a], KEYPOINT_INDEX[b])
    for a, b in (
        ("left_shoulder", "right_shoulder"),
        ("left_shoulder", "left_elbow"),
        ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"),
        ("right_elbow", "right_wrist"),
        ("left_shoulder", "left_hip"),
        ("right_shoulder", "right_hip"),
        ("left_hip", "right_hip"),
        ("left_hip", "left_knee"),
        ("left_knee", "left_ankle"),
        ("right_hip", "right_knee"),
        ("right_knee", "right_ankle"),
        ("nose", "left_eye"),
        ("nose", "right_eye"),
        ("left_eye", "left_ear"),
        ("right_eye", "right_ear"),
    )
)
MAX_FRAMES = 10_000


def index_of(name: str) -> int:
    return KEYPOINT_INDEX[name]


def validate_keypoint_frames(frames) -> np.ndarray:
    """Client keypoints as a `(T, 17, 3)` float32 array; refuses wrong shapes and non-finite values."""
    if not isinstance(frames, list) or not frames:
        raise InvalidKeypoints("frames must be a non-empty list of frames", details={"frames": "non-empty list"})
    if len(frames) > MAX_FRAMES:
        raise InvalidKeypoints(f"at most {MAX_FRAMES} frames", details={"frames": f"at most {MAX_FRAMES}"})
    try:
        array = np.asarray(frames, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidKeypoints(
            "every frame must be 17 keypoints of [x, y, confidence] numbers",
            details={"frames": "shape (T, 17, 3) of numbers"},
        ) from exc
    if array.ndim != 3 or array.shape[1:] != (17, 3):
        raise InvalidKeypoints(
            f"frames have shape {list(array.shape)}; expected [T, 17, 3] (COCO-17 keypoints as x, y, confidence)",
            details={"shape": list(array.shape), "expected": ["T", 17, 3]},
        )
    if not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0].tolist()
        raise InvalidKeypoints(
            "keypoints contain NaN or infinite values; send a missing joint with confidence 0",
            details={"first_bad_index": bad},
        )
    confidence = array[..., 2]
    if (confidence < 0).any() or (confidence > 1).any():
        raise InvalidKeypoints("confidence must be between 0 and 1", details={"confidence": "0-1"})
    return array.astype(np.float32)
