"""Joint angles and segment inclinations from COCO-17 keypoints by name.

Every measure returns None when a joint it needs is not visible (confidence under `VISIBLE_CONFIDENCE`): the
rules then skip their check instead of guessing.
"""

from __future__ import annotations

import numpy as np

from api.ml.geometry import angle_deg
from api.ml.keypoints import KEYPOINT_INDEX

# Below this the YOLO11 pose model's keypoints are mostly guesses for occluded joints (measured on the real
# push-up clips: occluded far-side ankles sit at 0.05-0.3).
VISIBLE_CONFIDENCE = 0.35
SIDES = ("left", "right")


def point(kp: np.ndarray, name: str) -> np.ndarray | None:
    """The `(x, y)` of a named keypoint, or None when it is not visible."""
    index = KEYPOINT_INDEX[name]
    return kp[index, :2].astype(np.float64) if kp[index, 2] >= VISIBLE_CONFIDENCE else None


def joint_angle_deg(kp: np.ndarray, a: str, b: str, c: str) -> float | None:
    """The angle at keypoint `b` between `b->a` and `b->c`, e.g. ('left_hip', 'left_knee', 'left_ankle')."""
    pa, pb, pc = point(kp, a), point(kp, b), point(kp, c)
    if pa is None or pb is None or pc is None:
        return None
    value = angle_deg(pa, pb, pc)
    return None if np.isnan(value) else value


def best_side(kp: np.ndarray, joints: tuple[str, ...]) -> str | None:
    """The side ('left' or 'right') on which all of `joints` ('hip', 'knee'...) are visible, the surer one first."""
    scores = {}
    for side in SIDES:
        confidences = [kp[KEYPOINT_INDEX[f"{side}_{joint}"], 2] for joint in joints]
        if min(confidences) >= VISIBLE_CONFIDENCE:
            scores[side] = float(sum(confidences)) / len(confidences)
    return max(scores, key=scores.get) if scores else None


def side_angle_deg(kp: np.ndarray, a: str, b: str, c: str) -> float | None:
    """The angle at joint `b` on the better-seen side: ('shoulder', 'elbow', 'wrist') is the elbow angle."""
    side = best_side(kp, (a, b, c))
    return None if side is None else joint_angle_deg(kp, f"{side}_{a}", f"{side}_{b}", f"{side}_{c}")


def both_sides_angles_deg(kp: np.ndarray, a: str, b: str, c: str) -> list[float]:
    """The angle at joint `b` on each side where it is visible (0, 1 or 2 values)."""
    values = (joint_angle_deg(kp, f"{side}_{a}", f"{side}_{b}", f"{side}_{c}") for side in SIDES)
    return [value for value in values if value is not None]


def midpoint(kp: np.ndarray, joint: str) -> np.ndarray | None:
    """Halfway between the left and right `joint`, or the one that is visible."""
    left, right = point(kp, f"left_{joint}"), point(kp, f"right_{joint}")
    if left is not None and right is not None:
        return (left + right) / 2
    return left if left is not None else right


def inclination_deg(start: np.ndarray, end: np.ndarray, reference: str = "vertical") -> float:
    """The unsigned angle of segment start->end from the image vertical or horizontal, 0-90 degrees."""
    dx, dy = abs(float(end[0] - start[0])), abs(float(end[1] - start[1]))
    from_vertical = float(np.degrees(np.arctan2(dx, dy)))
    return from_vertical if reference == "vertical" else 90.0 - from_vertical


def torso_length(kp: np.ndarray) -> float | None:
    """Distance from the hip midpoint to the shoulder midpoint, in pixels."""
    shoulders, hips = midpoint(kp, "shoulder"), midpoint(kp, "hip")
    if shoulders is None or hips is None:
        return None
    length = float(np.linalg.norm(shoulders - hips))
    return length if length > 1.0 else None


def torso_lean_deg(kp: np.ndarray) -> float | None:
    """The torso's angle from vertical (hips to shoulders): 0 upright, 90 lying flat."""
    shoulders, hips = midpoint(kp, "shoulder"), midpoint(kp, "hip")
    if shoulders is None or hips is None:
        return None
    return inclination_deg(hips, shoulders, "vertical")
