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
KEYPOINT_COUNT = len(KEYPOINT_NAMES)
MAX_FRAMES = 10_000
NUMBERS_MESSAGE = "every frame must be 17 keypoints of three numbers [x, y, confidence]"


def index_of(name: str) -> int:
    """The COCO-17 index of a keypoint name such as 'left_knee'."""
    try:
        return KEYPOINT_INDEX[name]
    except KeyError:
        raise ValueError(f"unknown keypoint {name!r}; expected one of {', '.join(KEYPOINT_NAMES)}") from None


def _refuse(message: str, **details) -> InvalidKeypoints:
    return InvalidKeypoints(message, details=details)


def validate_keypoint_frames(frames) -> np.ndarray:
    """Client keypoints as a `(T, 17, 3)` float32 array of x, y, confidence.

    Refuses (InvalidKeypoints, with details saying what is wrong) an empty or over-long sequence, any other shape,
    non-numbers, NaN or infinite values and confidences outside 0-1.
    """
    if isinstance(frames, str | bytes | dict) or not hasattr(frames, "__len__"):
        raise _refuse("frames must be a list of frames", frames="list of T frames, each 17 [x, y, confidence]")
    if len(frames) == 0:
        raise _refuse("frames is empty; send at least one frame", frames="at least 1 frame")
    if len(frames) > MAX_FRAMES:
        raise _refuse(f"{len(frames)} frames is over the limit of {MAX_FRAMES}", frames=f"at most {MAX_FRAMES}")
    not_numbers = _refuse(NUMBERS_MESSAGE, frames="shape [T, 17, 3] of numbers")
    try:
        array = np.asarray(frames)
    except (TypeError, ValueError) as exc:
        raise not_numbers from exc
    if array.dtype.kind not in "biuf":
        raise not_numbers
    array = array.astype(np.float64)
    if array.ndim != 3 or array.shape[1:] != (KEYPOINT_COUNT, 3):
        raise _refuse(
            f"frames have shape {list(array.shape)}; expected [T, 17, 3] (COCO-17 keypoints as x, y, confidence)",
            shape=list(array.shape),
            expected=["T", KEYPOINT_COUNT, 3],
        )
    finite = np.isfinite(array)
    if not finite.all():
        frame, joint, value = np.argwhere(~finite)[0].tolist()
        raise _refuse(
            "keypoints contain NaN or infinite values; send a missing joint as [0, 0, 0]",
            frame=frame,
            keypoint=KEYPOINT_NAMES[joint],
            value=("x", "y", "confidence")[value],
        )
    confidence = array[..., 2]
    outside = (confidence < 0) | (confidence > 1)
    if outside.any():
        frame, joint = np.argwhere(outside)[0].tolist()
        raise _refuse(
            "confidence must be between 0 and 1",
            frame=frame,
            keypoint=KEYPOINT_NAMES[joint],
            confidence=float(confidence[frame, joint]),
        )
    return array.astype(np.float32)
