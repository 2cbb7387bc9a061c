"""Body measures on one frame of COCO-17 keypoints, by joint name; each returns None when its joints are not seen.

Angles are in degrees; lengths are in torso lengths (hip midpoint to shoulder midpoint) so that they do not depend
on how far the camera is.
"""

from __future__ import annotations

import numpy as np

from api.ml.geometry import angle_deg
from api.ml.posture.angles import (
    best_side,
    both_sides_angles_deg,
    midpoint,
    point,
    side_angle_deg,
    torso_lean_deg,
    torso_length,
)


def elbow_angle_deg(kp: np.ndarray) -> float | None:
    """Shoulder-elbow-wrist angle on the better-seen side: 180 straight, about 40 fully bent."""
    return side_angle_deg(kp, "shoulder", "elbow", "wrist")


def knee_angle_deg(kp: np.ndarray) -> float | None:
    """Hip-knee-ankle angle on the better-seen side: 180 straight."""
    return side_angle_deg(kp, "hip", "knee", "ankle")


def hip_angle_deg(kp: np.ndarray) -> float | None:
    """Shoulder-hip-knee angle on the better-seen side: 180 standing tall, about 90 sitting."""
    return side_angle_deg(kp, "shoulder", "hip", "knee")


def _signed_bend_deg(bend_deg: float, tip: np.ndarray, line_start: np.ndarray, line_end: np.ndarray) -> float:
    """`bend_deg` signed: positive when `tip` lies below the line through line_start and line_end in the image
    (image y grows downwards), negative above it."""
    line = line_end - line_start
    along = float(np.dot(tip - line_start, line) / max(float(np.dot(line, line)), 1e-9))
    return bend_deg if tip[1] > (line_start + along * line)[1] else -bend_deg


def _side_points(kp: np.ndarray, joints: tuple[str, ...]) -> list[np.ndarray] | None:
    side = best_side(kp, joints)
    return None if side is None else [point(kp, f"{side}_{joint}") for joint in joints]


def body_line_deviation_deg(kp: np.ndarray) -> float | None:
    """Side view of a horizontal body: how far the hips leave the shoulder-to-ankle line, positive when they sag
    below it, negative when they are piked above it."""
    points = _side_points(kp, ("shoulder", "hip", "ankle"))
    if points is None:
        return None
    shoulder, hip, ankle = points
    return _signed_bend_deg(180.0 - angle_deg(shoulder, hip, ankle), hip, shoulder, ankle)


def head_drop_deg(kp: np.ndarray) -> float | None:
    """Side view of a horizontal body: the ear against the hip-to-shoulder line, positive when the head hangs."""
    points = _side_points(kp, ("ear", "shoulder", "hip"))
    if points is None:
        return None
    ear, shoulder, hip = points
    return _signed_bend_deg(180.0 - angle_deg(hip, shoulder, ear), ear, hip, shoulder)


def neck_flexion_deg(kp: np.ndarray) -> float | None:
    """Angle between the trunk (hip to shoulder) and the neck (shoulder to ear), either way."""
    points = _side_points(kp, ("ear", "shoulder", "hip"))
    if points is None:
        return None
    ear, shoulder, hip = points
    return 180.0 - angle_deg(hip, shoulder, ear)


def knee_to_ankle_width_ratio(kp: np.ndarray) -> float | None:
    """Distance between the knees over distance between the ankles (front view): under 1 the knees cave in."""
    knees = [point(kp, f"{side}_knee") for side in ("left", "right")]
    ankles = [point(kp, f"{side}_ankle") for side in ("left", "right")]
    if any(p is None for p in (*knees, *ankles)):
        return None
    ankle_width = abs(float(ankles[0][0] - ankles[1][0]))
    length = torso_length(kp)
    if length is None or ankle_width < 0.2 * length:
        return None
    return abs(float(knees[0][0] - knees[1][0])) / ankle_width


def shoulder_abduction_deg(kp: np.ndarray) -> float | None:
    """How far the arms are raised sideways (hip-shoulder-elbow angle), the higher arm: 0 by the sides, 90 level."""
    values = both_sides_angles_deg(kp, "hip", "shoulder", "elbow")
    return max(values) if values else None


def upper_arm_from_torso_deg(kp: np.ndarray) -> float | None:
    """Angle between the upper arm and the torso on the better-seen side (hip-shoulder-elbow)."""
    return side_angle_deg(kp, "hip", "shoulder", "elbow")


def elbow_flare_deg(kp: np.ndarray) -> float | None:
    """Front view of a push-up: the upper arms' mean angle out from the vertical, seen along the body.

    Elbows tucked under the shoulders point at the floor (small angle); flared elbows point sideways (toward 90).
    """
    values = []
    for side, other in (("left", "right"), ("right", "left")):
        shoulder, across, elbow = (
            point(kp, f"{side}_shoulder"),
            point(kp, f"{other}_shoulder"),
            point(kp, f"{side}_elbow"),
        )
        if shoulder is None or across is None or elbow is None:
            continue
        values.append(angle_deg(across, shoulder, elbow) - 90.0)
    return float(np.mean(values)) if values else None


def trunk_curl_deg(kp: np.ndarray) -> float | None:
    """How far the shoulders rise off the floor in a crunch: the trunk's angle from horizontal (hip to shoulder)."""
    lean = torso_lean_deg(kp)
    return None if lean is None else 90.0 - lean


def nose_height_over_hands(kp: np.ndarray) -> float | None:
    """Nose height over the wrists, in torso lengths: positive when the chin is above the hands (pull-up)."""
    nose, wrists, length = point(kp, "nose"), midpoint(kp, "wrist"), torso_length(kp)
    if nose is None or wrists is None or length is None:
        return None
    return float((wrists[1] - nose[1]) / length)


def wrist_to_ankle_drift(kp: np.ndarray) -> float | None:
    """Horizontal distance from the hands to the ankle, in torso lengths (side view): the bar drifting forward."""
    side = best_side(kp, ("wrist", "ankle"))
    length = torso_length(kp)
    if side is None or length is None:
        return None
    return abs(float(point(kp, f"{side}_wrist")[0] - point(kp, f"{side}_ankle")[0])) / length
