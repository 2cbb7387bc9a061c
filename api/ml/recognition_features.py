"""Raw feature blocks of the shipped exercise recognizer, for a photo and its mirror image.

Two frozen networks (`recognition_network.py`, one graph) look at the main person's crop, letterboxed to a
square, and its mirror, as one batch. For both we keep
- `eff320_crop`: the pooled head of EfficientNet-Lite0 (ImageNet);
- `yolokp`: feature vectors of layers of the YOLO11 pose network sampled at the 17 keypoints (what the hands
  hold, what the back lies on), with left and right swapped in the mirror so that index k always means the same
  body part;
- `yolomid`: the same at the midpoints of 8 limbs (`LIMB_MIDPOINTS`);
- `kp` and `size`: the keypoints themselves (mirrored with a left/right swap) and the photo's size, from which
  `geometry_block` gives the pose geometry.
`recognition.py` turns the blocks into one vector; the mirror serves as training augmentation and test-time
averaging.
"""

from __future__ import annotations

import cv2
import numpy as np

from api.ml.pose import PoseFrame
from api.ml.recognition_network import VIEW_SIZE, CropFeatureNetwork

MIRROR = np.array([0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15])
CROP_MARGIN = 0.25
# limb midpoints (left, right pairs): forearms, torso sides, thighs, upper arms: where a bar, a dumbbell, a bench
# or a pad often is.
LIMB_MIDPOINTS = ((7, 9), (8, 10), (5, 11), (6, 12), (11, 13), (12, 14), (5, 7), (6, 8))
PAD_VALUE = 114


def crop_box(image_size: tuple[int, int], box: list[float] | None, margin: float = CROP_MARGIN) -> tuple[int, ...]:
    """`(left, top, right, bottom)` of the person's box grown by `margin`, clipped; the whole image if no box."""
    width, height = image_size
    if box is None:
        return 0, 0, width, height
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    left, top = max(0, int(x1 - dx)), max(0, int(y1 - dy))
    right, bottom = min(width, int(x2 + dx)), min(height, int(y2 + dy))
    if right - left < 8 or bottom - top < 8:
        return 0, 0, width, height
    return left, top, right, bottom


def letterbox(image: np.ndarray, size: int) -> tuple[np.ndarray, float, float, float]:
    """`image` scaled to fit a `size` square, centred on grey; returns it with the scale and the x, y padding."""
    height, width = image.shape[:2]
    scale = size / max(height, width)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
    square = np.full((size, size, 3), PAD_VALUE, dtype=np.uint8)
    square[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
    return square, scale, float(pad_x), float(pad_y)


def mirror_keypoints(keypoints: np.ndarray, width: float) -> np.ndarray:
    """Keypoints of the horizontally flipped image, left and right swapped so index k keeps its meaning."""
    flipped = keypoints[MIRROR].copy()
    flipped[:, 0] = width - flipped[:, 0]
    return flipped


BLOCKS = ("eff320_crop", "yolokp", "yolomid")  # with "kp" and "size", which every photo gets


def person_crop(image_bgr: np.ndarray, pose_frame: PoseFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The main person's crop (the whole photo if nobody), their keypoints in the photo (zeros if nobody) and
    in the crop and its mirror image, `(2, 17, 3)`."""
    height, width = image_bgr.shape[:2]
    person = pose_frame.main_person()
    left, top, right, bottom = crop_box((width, height), person.box if person else None)
    crop = image_bgr[top:bottom, left:right]
    if person is not None:
        keypoints = np.asarray(person.keypoints, dtype=np.float32).copy()
    else:
        keypoints = np.zeros((17, 3), dtype=np.float32)
    crop_kp = keypoints.copy()
    crop_kp[:, 0] -= left
    crop_kp[:, 1] -= top
    return crop, keypoints, np.stack([crop_kp, mirror_keypoints(crop_kp, right - left)])


def keypoint_blocks(keypoints: np.ndarray, image_size: tuple[int, int]) -> dict[str, np.ndarray]:
    """`kp` (the keypoints, then the mirror's) and `size` (width, height), which every photo's blocks hold."""
    width, height = image_size
    return {
        "kp": np.stack([keypoints, mirror_keypoints(keypoints, width)]),
        "size": np.array([[width, height]] * 2, dtype=np.float32),
    }


def mirrored_squares(image: np.ndarray, kp_views: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """`image` and its mirror, both letterboxed to `VIEW_SIZE` squares, and `kp_views` `(2, K, 3)` as pixel points
    `(2, K, 2)` in those squares."""
    views = [image, np.ascontiguousarray(image[:, ::-1])]
    boxed = [letterbox(view, VIEW_SIZE) for view in views]
    scale, pad_x, pad_y = boxed[0][1:]
    points = kp_views[:, :, :2] * scale + np.array([pad_x, pad_y], dtype=np.float32)
    return views, [square for square, *_ in boxed], points


def rgb(squares_bgr: list[np.ndarray]) -> list[np.ndarray]:
    return [np.ascontiguousarray(square[:, :, ::-1]) for square in squares_bgr]


def with_limb_midpoints(points: np.ndarray) -> np.ndarray:
    """Pixel points `(N, 17, 2)` followed by the midpoints of `LIMB_MIDPOINTS`: `(N, 25, 2)`."""
    midpoints = np.stack([(points[:, a] + points[:, b]) / 2 for a, b in LIMB_MIDPOINTS], axis=1)
    return np.concatenate([points, midpoints], axis=1)


def raw_blocks(
    network: CropFeatureNetwork,
    image_bgr: np.ndarray,
    pose_frame: PoseFrame,
    wanted: tuple[str, ...] | set[str] = BLOCKS,
) -> dict[str, np.ndarray]:
    """The `wanted` feature blocks of one photo (of `BLOCKS`), with `kp` and `size`; each has a leading axis of 2:
    the photo, then its mirror image. Both views go through the crop network as one batch."""
    wanted = set(wanted)
    if unknown := wanted - set(BLOCKS) - {"kp", "size"}:
        raise ValueError(f"unknown feature blocks {sorted(unknown)}: the recognizer computes {', '.join(BLOCKS)}")
    crop, keypoints, kp_views = person_crop(image_bgr, pose_frame)
    blocks = keypoint_blocks(keypoints, (image_bgr.shape[1], image_bgr.shape[0]))
    if not wanted & set(BLOCKS):
        return blocks
    _views, squares, points = mirrored_squares(crop, kp_views)
    head, samples = network.run(rgb(squares), with_limb_midpoints(points))
    computed = {
        "eff320_crop": head,
        "yolokp": samples[:, : len(MIRROR)].astype(np.float16),
        "yolomid": samples[:, len(MIRROR) :].astype(np.float16),
    }
    return blocks | {block: value for block, value in computed.items() if block in wanted}


VISIBLE = 0.3
# (from, to) keypoint pairs: upper arms, forearms, thighs, shins, torso sides, shoulder and hip lines, neck.
LIMBS = ((5, 7), (6, 8), (7, 9), (8, 10), (11, 13), (12, 14), (13, 15), (14, 16), (5, 11), (6, 12), (5, 6), (11, 12))
ANGLES = ((5, 7, 9), (6, 8, 10), (11, 5, 7), (12, 6, 8), (5, 11, 13), (6, 12, 14), (11, 13, 15), (12, 14, 16))
GEOMETRY_BLOCK_SIZE = len(LIMBS) * 3 + 2 + len(ANGLES) * 2 + 17 * 3 + 17 * 2 + 3


def geometry_block(keypoints: np.ndarray, image_size: tuple[float, float]) -> np.ndarray:
    """Pose geometry of one view (not mirror-symmetric: the mirror view gives the mirrored values).

    Limb directions (unit vectors in the image, so lying and standing differ) with visibility, the neck
    direction, joint angles as cosine and sine, hip-centred keypoints in torso lengths with visibility,
    keypoints relative to the person's keypoint box, and that box's shape. Zeros when nobody is seen."""
    kp = np.asarray(keypoints, dtype=np.float32)
    if not (kp[:, 2] >= VISIBLE).any():
        return np.zeros(GEOMETRY_BLOCK_SIZE, dtype=np.float32)
    xy, visible = kp[:, :2], (kp[:, 2] >= VISIBLE).astype(np.float32)
    parts = []
    for a, b in LIMBS:
        vector = xy[b] - xy[a]
        norm = float(np.linalg.norm(vector))
        ok = visible[a] * visible[b] * (norm > 1e-3)
        parts += [*(vector / max(norm, 1e-3) * ok), ok]
    shoulders, hips = (xy[5] + xy[6]) / 2, (xy[11] + xy[12]) / 2
    neck = xy[0] - shoulders
    parts += list(neck / max(float(np.linalg.norm(neck)), 1e-3) * visible[0])
    for a, b, c in ANGLES:
        v1, v2 = xy[a] - xy[b], xy[c] - xy[b]
        denominator = float(np.linalg.norm(v1) * np.linalg.norm(v2))
        ok = visible[a] * visible[b] * visible[c] * (denominator > 1e-6)
        cos = float(np.dot(v1, v2)) / max(denominator, 1e-6)
        sin = float(v1[0] * v2[1] - v1[1] * v2[0]) / max(denominator, 1e-6)
        parts += [cos * ok, abs(sin) * ok]
    torso = max(float(np.linalg.norm(shoulders - hips)), 1.0)
    centred = (xy - hips) / torso * visible[:, None]
    parts += list(np.concatenate([centred, visible[:, None]], axis=1).ravel())
    seen = xy[visible > 0]
    low, span = seen.min(axis=0), np.maximum(seen.max(axis=0) - seen.min(axis=0), 1.0)
    parts += list((((xy - low) / span) * visible[:, None]).ravel())
    width, height = image_size
    parts += [span[0] / span[1], span[0] / width, span[1] / height]
    return np.clip(np.nan_to_num(np.array(parts, dtype=np.float32)), -10, 10)
