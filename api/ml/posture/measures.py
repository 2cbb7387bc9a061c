"""Measurements on one frame of COCO-17 keypoints, by joint name; None when a joint is not visible."""

from __future__ import annotations

import numpy as np

from api.ml.geometry import angle_deg, inclination_deg
from api.ml.keypoints import KEYPOINT_INDEX

VISIBLE_CONFIDENCE = 0.35
SIDE_VIEW_MAX_SHOULDER_RATIO = 0.45
FRONT_VIEW_MIN_SHOULDER_RATIO = 0.65


def point(kp: np.ndarray, name: str) -> np.ndarray | None:
    index = KEYPOINT_INDEX[name]
    return kp[index, :2] if kp[index, 2] >= VISIBLE_CONFIDENCE else None


def visible_side(kp: np.ndarray, joints: tuple[str, ...]) -> str | None:
    """The body side ('left' or 'right') whose `joints` are seen best, if all of them are visible on it."""
    scores = {}
    for side in ("left", "right"):
        confidences = [kp[KEYPOINT_INDEX[f"{side}_{joint}"], 2] for joint in joints]
        if min(confidences) >= VISIBLE_CONFIDENCE:
            scores[side] = float(np.mean(confidences))
    return max(scores, key=scores.get) if scores else None


def side_angle(kp: np.ndarray, a: str, b: str, c: str) -> float | None:
    """Angle at joint `b` on the better-seen side (e.g. 'shoulder', 'elbow', 'wrist' gives the elbow angle)."""
    side = visible_side(kp, (a, b, c))
    if side is None:
        return None
    return angle_deg(point(kp, f"{side}_{a}"), point(kp, f"{side}_{b}"), point(kp, f"{side}_{c}"))


def both_sides_angle(kp: np.ndarray, a: str, b: str, c: str) -> list[float]:
    values = []
    for side in ("left", "right"):
        pa, pb, pc = point(kp, f"{side}_{a}"), point(kp, f"{side}_{b}"), point(kp, f"{side}_{c}")
        if pa is not None and pb is not None and pc is not None:
            values.append(angle_deg(pa, pb, pc))
    return values


def midpoint(kp: np.ndarray, joint: str) -> np.ndarray | None:
    left, right = point(kp, f"left_{joint}"), point(kp, f"right_{joint}")
    if left is not None and right is not None:
        return (left + right) / 2
    return left if left is not None else right


def torso_length(kp: np.ndarray) -> float | None:
    shoulders, hips = midpoint(kp, "shoulder"), midpoint(kp, "hip")
    if shoulders is None or hips is None:
        return None
    return float(np.linalg.norm(shoulders - hips)) or None


def detect_view(kp: np.ndarray) -> str:
    """'side', 'front' or 'unclear', from how wide the shoulders look against the torso's length."""
    left, right = point(kp, "left_shoulder"), point(kp, "right_shoulder")
    length = torso_length(kp)
    if length is None:
        return "unclear"
    if left is None or right is None:
        return "side"
    ratio = float(np.linalg.norm(left - right)) / length
    if ratio <= SIDE_VIEW_MAX_SHOULDER_RATIO:
        return "side"
    if ratio >= FRONT_VIEW_MIN_SHOULDER_RATIO:
        return "front"
    return "unclear"


def hip_line_deviation_deg(kp: np.ndarray) -> float | None:
    """How far the hips leave the shoulder-to-ankle line: positive when they sag (below it), negative when piked."""
    side = visible_side(kp, ("shoulder", "hip", "ankle"))
    if side is None:
        return None
    shoulder, hip, ankle = (point(kp, f"{side}_{joint}") for joint in ("shoulder", "hip", "ankle"))
    bend = 180.0 - angle_deg(shoulder, hip, ankle)
    line = ankle - shoulder
    offset = hip - shoulder
    cross = line[0] * offset[1] - line[1] * offset[0]
    below = cross * np.sign(line[0] or 1.0) > 0
    return bend if below else -bend


def torso_lean_deg(kp: np.ndarray) -> float | None:
    """The torso's angle from vertical: 0 upright, 90 horizontal."""
    shoulders, hips = midpoint(kp, "shoulder"), midpoint(kp, "hip")
    if shoulders is None or hips is None:
        return None
    return inclination_deg(shoulders, hips)


def head_drop_deg(kp: np.ndarray) -> float | None:
    """How far the head hangs below the line of the torso (ear relative to the hip-to-shoulder direction)."""
    side = visible_side(kp, ("ear", "shoulder", "hip"))
    if side is None:
        return None
    ear, shoulder, hip = (point(kp, f"{side}_{joint}") for joint in ("ear", "shoulder", "hip"))
    return 180.0 - angle_deg(ear, shoulder, hip)


def knee_to_ankle_width_ratio(kp: np.ndarray) -> float | None:
    """Distance between the knees over distance between the ankles (front view): below 1 the knees cave in."""
    knees = [point(kp, f"{side}_knee") for side in ("left", "right")]
    ankles = [point(kp, f"{side}_ankle") for side in ("left", "right")]
    if any(p is None for p in (*knees, *ankles)):
        return None
    ankle_width = abs(ankles[0][0] - ankles[1][0])
    if ankle_width < 1:
        return None
    return float(abs(knees[0][0] - knees[1][0]) / ankle_width)


def shoulder_abduction_deg(kp: np.ndarray) -> float | None:
    """The larger of the two arm-to-torso angles (hip, shoulder, elbow)."""
    values = both_sides_angle(kp, "hip", "shoulder", "elbow")
    return max(values) if values else None


def upper_arm_drift_deg(kp: np.ndarray) -> float | None:
    """How far the upper arm swings away from the torso in a curl (hip, shoulder, elbow angle, side view)."""
    return side_angle(kp, "hip", "shoulder", "elbow")


def wrist_above_nose(kp: np.ndarray) -> float | None:
    """Nose height over the wrists, in torso lengths: positive when the chin is above the hands."""
    nose, wrists, length = point(kp, "nose"), midpoint(kp, "wrist"), torso_length(kp)
    if nose is None or wrists is None or length is None:
        return None
    return float((wrists[1] - nose[1]) / length)


def wrist_forward_of_ankle(kp: np.ndarray) -> float | None:
    """Horizontal distance between hands and mid-foot, in torso lengths (side view): the bar's drift."""
    side = visible_side(kp, ("wrist", "ankle", "shoulder", "hip"))
    length = torso_length(kp)
    if side is None or length is None:
        return None
    return float(abs(point(kp, f"{side}_wrist")[0] - point(kp, f"{side}_ankle")[0]) / length)
