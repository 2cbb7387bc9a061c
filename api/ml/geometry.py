"""Pose geometry: joint angles and normalised keypoints, left/right symmetric, for recognition features."""

from __future__ import annotations

import numpy as np

from api.ml.keypoints import KEYPOINT_INDEX as K

VISIBLE = 0.3
ANGLE_TRIPLES = (
    ("shoulder", "elbow", "wrist"),
    ("hip", "shoulder", "elbow"),
    ("shoulder", "hip", "knee"),
    ("hip", "knee", "ankle"),
)
MIRROR = np.array([0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15])
GEOMETRY_SIZE = 4 * 2 * 2 + 2 + 17 * 3 + 3


def angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle at `b` between segments b->a and b->c, in degrees."""
    v1, v2 = a - b, c - b
    denominator = np.linalg.norm(v1) * np.linalg.norm(v2)
    if denominator < 1e-6:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(np.dot(v1, v2) / denominator, -1.0, 1.0))))


def inclination_deg(top: np.ndarray, bottom: np.ndarray) -> float:
    """Angle of the segment bottom->top from vertical (0 upright, 90 horizontal)."""
    dx, dy = top[0] - bottom[0], bottom[1] - top[1]
    return float(np.degrees(np.arctan2(abs(dx), dy)))


def _side_angles(kp: np.ndarray, side: str) -> list[float]:
    values = []
    for a, b, c in ANGLE_TRIPLES:
        ia, ib, ic = K[f"{side}_{a}"], K[f"{side}_{b}"], K[f"{side}_{c}"]
        visible = min(kp[ia, 2], kp[ib, 2], kp[ic, 2]) >= VISIBLE
        values.append(angle_deg(kp[ia, :2], kp[ib, :2], kp[ic, :2]) if visible else float("nan"))
    return values


def _normalised(kp: np.ndarray) -> np.ndarray:
    """Keypoints relative to the hip centre, in torso lengths; invisible joints are zero with confidence 0."""
    hips = (kp[K["left_hip"], :2] + kp[K["right_hip"], :2]) / 2
    shoulders = (kp[K["left_shoulder"], :2] + kp[K["right_shoulder"], :2]) / 2
    torso = max(float(np.linalg.norm(shoulders - hips)), 1.0)
    xy = (kp[:, :2] - hips) / torso
    visible = (kp[:, 2] >= VISIBLE).astype(np.float32)
    return np.concatenate([xy * visible[:, None], visible[:, None]], axis=1)


def pose_geometry_features(keypoints: np.ndarray | None, image_size: tuple[int, int]) -> np.ndarray:
    """Angles (both sides, as min and max so left and right are alike), torso and body inclination,
    normalised keypoints averaged with their mirror, and the person's box shape. Zeros when nobody is seen."""
    if keypoints is None:
        return np.zeros(GEOMETRY_SIZE, dtype=np.float32)
    kp = np.asarray(keypoints, dtype=np.float32)
    left, right = _side_angles(kp, "left"), _side_angles(kp, "right")
    angles = []
    for lv, rv in zip(left, right, strict=True):
        pair = [v for v in (lv, rv) if not np.isnan(v)]
        angles += [min(pair) / 180 if pair else 0.0, max(pair) / 180 if pair else 0.0]
        angles += [1.0 if pair else 0.0, float(len(pair)) / 2]
    hips = (kp[K["left_hip"], :2] + kp[K["right_hip"], :2]) / 2
    shoulders = (kp[K["left_shoulder"], :2] + kp[K["right_shoulder"], :2]) / 2
    ankles = (kp[K["left_ankle"], :2] + kp[K["right_ankle"], :2]) / 2
    torso_tilt = inclination_deg(shoulders, hips) / 90
    leg_tilt = inclination_deg(hips, ankles) / 90
    normal = _normalised(kp)
    mirrored = normal[MIRROR].copy()
    mirrored[:, 0] *= -1
    symmetric = ((normal + mirrored) / 2).ravel()
    visible = kp[kp[:, 2] >= VISIBLE, :2]
    width, height = image_size
    if len(visible):
        span = visible.max(axis=0) - visible.min(axis=0)
        box_shape = [span[0] / max(span[1], 1.0), span[0] / width, span[1] / height]
    else:
        box_shape = [0.0, 0.0, 0.0]
    features = np.array([*angles, torso_tilt, leg_tilt, *symmetric, *box_shape], dtype=np.float32)
    return np.clip(np.nan_to_num(features), -10, 10)
