"""Keypoint layouts: COCO-17 names and skeleton edges, the 21-joint body layout posture works on (COCO-17 then the
feet), MediaPipe-33 landmarks and their conversion, and the checking of keypoint sequences clients send."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from api.exceptions import InvalidKeypoints
from api.validation import checked_image_size

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
# The body layout posture works on: COCO-17 in its own order, then the feet (known from MediaPipe-33 landmarks;
# confidence 0 where the pose engine has no feet, as COCO-17 does not).
FOOT_KEYPOINT_NAMES = ("left_heel", "right_heel", "left_foot_index", "right_foot_index")
BODY_KEYPOINT_NAMES = KEYPOINT_NAMES + FOOT_KEYPOINT_NAMES
KEYPOINT_INDEX = {name: index for index, name in enumerate(BODY_KEYPOINT_NAMES)}
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
# The body layout's skeleton: COCO's, and each foot's triangle of ankle, heel and toe tip.
BODY_EDGES = SKELETON_EDGES + tuple(
    (KEYPOINT_INDEX[f"{side}_{a}"], KEYPOINT_INDEX[f"{side}_{b}"])
    for side in ("left", "right")
    for a, b in (("ankle", "heel"), ("heel", "foot_index"), ("ankle", "foot_index"))
)
KEYPOINT_COUNT = len(KEYPOINT_NAMES)
BODY_KEYPOINT_COUNT = len(BODY_KEYPOINT_NAMES)
# Channels of a body-layout frame: x, y, confidence in pixels, then (optionally) world x, y, z in metres.
IMAGE_CHANNELS, WORLD_CHANNELS = 3, 6
MEDIAPIPE33_NAMES = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
MEDIAPIPE33_COUNT = len(MEDIAPIPE33_NAMES)
# Where each body-layout joint is among the MediaPipe-33 landmarks.
BODY_FROM_MEDIAPIPE33 = np.array([MEDIAPIPE33_NAMES.index(name) for name in BODY_KEYPOINT_NAMES])
# What each MediaPipe-33 landmark may carry, by its length: [x, y], [x, y, visibility], [x, y, z, visibility] or
# [x, y, z, visibility, presence] (MediaPipe's and ML Kit's fields; z is accepted and not used).
MEDIAPIPE33_FIELDS = {
    2: ("x", "y"),
    3: ("x", "y", "visibility"),
    4: ("x", "y", "z", "visibility"),
    5: ("x", "y", "z", "visibility", "presence"),
}
KEYPOINT_FORMATS = ("coco17", "mediapipe33")
MAX_FRAMES = 10_000
# Joints may lie outside the picture (a foot cut by its edge), but not by more than the picture's own size.
MAX_OUTSIDE_IMAGE = 1.0
# World landmarks are metres from the hip centre: nobody's joint is 3 m from their own hips.
MAX_WORLD_M = 3.0


def index_of(name: str) -> int:
    """The body-layout index of a keypoint name such as 'left_knee' (COCO-17 order, then the feet)."""
    try:
        return KEYPOINT_INDEX[name]
    except KeyError:
        raise ValueError(f"unknown keypoint {name!r}; expected one of {', '.join(BODY_KEYPOINT_NAMES)}") from None


def _refuse(message: str, **details) -> InvalidKeypoints:
    return InvalidKeypoints(message, details=details)


def _numbers(values, name: str, expected: str) -> np.ndarray:
    """`values` as a float64 array of at least one frame; refused when not a list of numbers."""
    if isinstance(values, str | bytes | dict) or not hasattr(values, "__len__"):
        raise _refuse(f"{name} must be a list of frames", **{name: f"list of T frames, each {expected}"})
    if len(values) == 0:
        raise _refuse(f"{name} is empty; send at least one frame", **{name: "at least 1 frame"})
    if len(values) > MAX_FRAMES:
        raise _refuse(f"{len(values)} frames is over the limit of {MAX_FRAMES}", **{name: f"at most {MAX_FRAMES}"})
    not_numbers = _refuse(f"every frame of {name} must be {expected}", **{name: f"shape [T, {expected}] of numbers"})
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise not_numbers from exc
    if array.dtype.kind not in "biuf":
        raise not_numbers
    return array.astype(np.float64)


def _refuse_non_finite(array: np.ndarray, names: tuple[str, ...], fields: tuple[str, ...], what: str) -> None:
    finite = np.isfinite(array)
    if not finite.all():
        frame, joint, value = np.argwhere(~finite)[0].tolist()
        raise _refuse(
            f"{what} contain NaN or infinite values; send a missing joint with confidence 0",
            frame=frame,
            keypoint=names[joint],
            value=fields[value],
        )


def _refuse_outside(values: np.ndarray, low, high, message: str, names: tuple[str, ...], field: str) -> None:
    outside = (values < low) | (values > high)
    if outside.any():
        frame, joint = np.argwhere(outside)[0].tolist()
        raise _refuse(message, frame=frame, keypoint=names[joint], **{field: float(values[frame, joint])})


@dataclass(frozen=True)
class BodyPose:
    """One person's body-layout keypoints `(21, 3 or 6)` and the pose engine that found them (`yolo`: no feet)."""

    engine: str
    frame: np.ndarray

    @classmethod
    def of(cls, engine: str, keypoints: np.ndarray) -> BodyPose:
        """From COCO-17 or body-layout keypoints of one frame (the feet added with confidence 0)."""
        return cls(engine, pad_to_body_layout(np.asarray(keypoints, dtype=np.float32)[None])[0])

    def to_dict(self) -> dict:
        """Every joint by name: pixels (null where unknown), confidence and world metres (null without them)."""
        points = []
        for name, row in zip(BODY_KEYPOINT_NAMES, self.frame, strict=True):
            image, world = row[:IMAGE_CHANNELS], row[IMAGE_CHANNELS:WORLD_CHANNELS]
            seen = bool(np.isfinite(image[:2]).all())
            points.append(
                {
                    "name": name,
                    "x": round(float(image[0]), 1) if seen else None,
                    "y": round(float(image[1]), 1) if seen else None,
                    "confidence": round(float(image[2]), 3) if np.isfinite(image[2]) else 0.0,
                    "world": [round(float(v), 3) for v in world] if len(world) and np.isfinite(world).all() else None,
                }
            )
        return {"engine": self.engine, "keypoints": points}


def pad_to_body_layout(frames: np.ndarray) -> np.ndarray:
    """`(T, 17 or 21, 3 or 6)` frames as `(T, 21, C)`: feet added with confidence 0 (world values NaN)."""
    missing = BODY_KEYPOINT_COUNT - frames.shape[1]
    if missing <= 0:
        return frames
    pad = np.zeros((frames.shape[0], missing, frames.shape[2]), dtype=frames.dtype)
    pad[..., IMAGE_CHANNELS:] = np.nan
    return np.concatenate([frames, pad], axis=1)


def validate_keypoint_frames(frames) -> np.ndarray:
    """Keypoint frames as a `(T, 21, C)` float32 array in the body layout (COCO-17 order, then the feet).

    Takes `(T, 17 or 21, 3)` frames of x, y, confidence, or `(T, 17 or 21, 6)` with world x, y, z in metres after
    them (NaN where unknown); 17-joint frames get the feet at confidence 0. Refuses (InvalidKeypoints, with
    details saying which frame and joint) an empty or over-long sequence, any other shape, non-numbers, NaN or
    infinite image values, infinite world values and confidences outside 0-1.
    """
    array = _numbers(frames, "frames", "17 keypoints of [x, y, confidence]")
    joints_ok = array.ndim == 3 and array.shape[1] in (KEYPOINT_COUNT, BODY_KEYPOINT_COUNT)
    if not joints_ok or array.shape[2] not in (IMAGE_CHANNELS, WORLD_CHANNELS):
        raise _refuse(
            f"frames have shape {list(array.shape)}; expected [T, 17, 3] (COCO-17 keypoints as x, y, confidence)",
            shape=list(array.shape),
            expected=["T", KEYPOINT_COUNT, 3],
        )
    names = BODY_KEYPOINT_NAMES[: array.shape[1]]
    _refuse_non_finite(array[..., :IMAGE_CHANNELS], names, ("x", "y", "confidence"), "keypoints")
    world = array[..., IMAGE_CHANNELS:]
    known_world = np.where(np.isnan(world), 0.0, world)
    _refuse_non_finite(known_world, names, ("world_x", "world_y", "world_z"), "world keypoints")
    _refuse_outside(array[..., 2], 0, 1, "confidence must be between 0 and 1", names, "confidence")
    return pad_to_body_layout(array).astype(np.float32)


def mediapipe33_to_body_layout(
    landmarks: np.ndarray, image_size: tuple[int, int] | None = None, world: np.ndarray | None = None
) -> np.ndarray:
    """MediaPipe-33 landmarks `(T, 33, 2-5)` (see MEDIAPIPE33_FIELDS) in the body layout `(T, 21, 3)`, or
    `(T, 21, 6)` with world landmarks `(T, 33, 3)` in metres.

    Coordinates are in pixels, or normalised to [0, 1] when `image_size` (width, height) is given to scale them.
    A joint's confidence is its visibility, lowered to its presence where that is given; 1 without either."""
    landmarks = np.asarray(landmarks, dtype=np.float64)
    fields = MEDIAPIPE33_FIELDS[landmarks.shape[-1]]
    body = landmarks[:, BODY_FROM_MEDIAPIPE33]
    channels = IMAGE_CHANNELS if world is None else WORLD_CHANNELS
    out = np.empty(body.shape[:2] + (channels,), dtype=np.float32)
    out[..., :2] = body[..., :2] * (np.asarray(image_size, dtype=np.float64) if image_size is not None else 1.0)
    confidence = np.ones(body.shape[:2])
    for name in ("visibility", "presence"):
        if name in fields:
            confidence = np.minimum(confidence, body[..., fields.index(name)])
    out[..., 2] = confidence
    if world is not None:
        out[..., IMAGE_CHANNELS:] = np.asarray(world, dtype=np.float64)[:, BODY_FROM_MEDIAPIPE33]
    return out


def _checked_mediapipe33(frames) -> np.ndarray:
    array = _numbers(frames, "frames", "33 landmarks of [x, y, z, visibility]")
    if array.ndim != 3 or array.shape[1] != MEDIAPIPE33_COUNT or array.shape[2] not in MEDIAPIPE33_FIELDS:
        raise _refuse(
            f"frames have shape {list(array.shape)}; expected [T, 33, 2-5] (MediaPipe-33 landmarks as x, y and "
            "optionally z, visibility and presence)",
            shape=list(array.shape),
            expected=["T", MEDIAPIPE33_COUNT, "2-5"],
        )
    fields = MEDIAPIPE33_FIELDS[array.shape[2]]
    _refuse_non_finite(array, MEDIAPIPE33_NAMES, fields, "landmarks")
    for name in ("visibility", "presence"):
        if name in fields:
            values = array[..., fields.index(name)]
            _refuse_outside(values, 0, 1, f"{name} must be between 0 and 1", MEDIAPIPE33_NAMES, name)
    return array


def _checked_world(world_frames, frame_count: int) -> np.ndarray:
    array = _numbers(world_frames, "world_frames", "33 landmarks of [x, y, z] in metres")
    if array.shape != (frame_count, MEDIAPIPE33_COUNT, 3):
        raise _refuse(
            f"world_frames have shape {list(array.shape)}; expected [{frame_count}, 33, 3], one per frame",
            shape=list(array.shape),
            expected=[frame_count, MEDIAPIPE33_COUNT, 3],
        )
    _refuse_non_finite(array, MEDIAPIPE33_NAMES, ("x", "y", "z"), "world landmarks")
    distance = np.abs(array).max(axis=-1)
    _refuse_outside(
        distance, 0, MAX_WORLD_M, f"world landmarks must lie within {MAX_WORLD_M} m of the hips", MEDIAPIPE33_NAMES, "m"
    )
    return array


def _is_normalised(xy: np.ndarray, sent: np.ndarray) -> bool:
    """Whether coordinates are normalised to the picture: every joint sent lies within a picture's size of it."""
    values = xy[sent]
    return (
        bool(len(values)) and float(values.min()) >= -MAX_OUTSIDE_IMAGE and float(values.max()) <= 1 + MAX_OUTSIDE_IMAGE
    )


@dataclass(frozen=True)
class KeypointRequest:
    """Keypoint frames a client sent, checked and in the body layout: `frames` `(T, 21, 3 or 6)` in pixels."""

    keypoint_format: str
    frames: np.ndarray
    image_size: tuple[int, int]


def read_keypoint_request(body: dict) -> KeypointRequest:
    """Check and convert the keypoint fields of a request body: `keypoint_format` (coco17, the default, or
    mediapipe33), `frames`, `image_size` and, for mediapipe33, optional `world_frames`.

    Coordinates normalised to [0, 1] are scaled to pixels; any coordinate farther than a picture's size outside
    it, like every other bad value, is refused with InvalidKeypoints naming the frame and joint."""
    keypoint_format = body.get("keypoint_format") or "coco17"
    if keypoint_format not in KEYPOINT_FORMATS:
        raise _refuse(
            f"keypoint_format must be one of {', '.join(KEYPOINT_FORMATS)}", keypoint_format=list(KEYPOINT_FORMATS)
        )
    world_frames = body.get("world_frames")
    if keypoint_format == "coco17":
        if world_frames is not None:
            raise _refuse("world_frames need keypoint_format mediapipe33", world_frames="only with mediapipe33")
        frames = validate_keypoint_frames(body.get("frames")).astype(np.float64)
        xy, sent, names = frames[..., :2], frames[..., 2] > 0, BODY_KEYPOINT_NAMES
    else:
        landmarks = _checked_mediapipe33(body.get("frames"))
        xy, sent, names = landmarks[..., :2], np.ones(landmarks.shape[:2], dtype=bool), MEDIAPIPE33_NAMES
    image_size = checked_image_size(body.get("image_size"))
    scale = np.asarray(image_size, dtype=np.float64)
    if _is_normalised(xy, sent):
        xy = xy * scale
    for axis, field in enumerate(("x", "y")):
        values = np.where(sent, xy[..., axis], 0.0)
        low, high = -MAX_OUTSIDE_IMAGE * scale[axis], (1 + MAX_OUTSIDE_IMAGE) * scale[axis]
        _refuse_outside(values, low, high, f"{field} lies too far outside the picture", names, field)
    if keypoint_format == "coco17":
        frames[..., :2] = xy
    else:
        world = None if world_frames is None else _checked_world(world_frames, len(landmarks))
        landmarks[..., :2] = xy
        frames = mediapipe33_to_body_layout(landmarks, world=world)
    return KeypointRequest(keypoint_format, frames.astype(np.float32), image_size)
