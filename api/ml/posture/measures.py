"""Body measures on one frame of the body layout (COCO-17 joints, then the feet), by joint name; each returns None
when its joints are not seen (feet are never seen in COCO-17 keypoints).

Angles are in degrees; lengths are in torso lengths (hip midpoint to shoulder midpoint) so that they do not depend
on how far the camera is. `world_*` measures read the world coordinates in metres that a frame of 6 channels
carries (x, y, z after x, y, confidence; MediaPipe's: origin at the hips, y down) and return None without them.
"""

from __future__ import annotations

import numpy as np

from api.ml.geometry import angle_deg
from api.ml.keypoints import IMAGE_CHANNELS, KEYPOINT_INDEX, WORLD_CHANNELS
from api.ml.posture.angles import (
    SIDES,
    VISIBLE_CONFIDENCE,
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
    """`bend_deg` signed: positive when `tip` lies below the line through line_start and line_end, in the image or
    in world coordinates (y grows downwards in both), negative above it."""
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


# A foot is planted while its heel rises less than this over its toes; a rear foot in a lunge stands on its toes.
PLANTED_FOOT_MAX_RISE_DEG = 20.0
# A foot is seen side on (its direction readable) when its heel-to-toe line lies within ~60 deg of horizontal.
SIDE_ON_FOOT_MIN_RUN = 0.5
# ... and when it is not foreshortened: the foot is about 0.62 of the shank's length (0.152 and 0.246 of body
# height, Winter, Biomechanics and Motor Control of Human Movement, 4th ed., after Drillis & Contini 1966); under
# 0.4 of it, the foot points more than ~50 deg towards or away from the camera and its heel angle means nothing.
SIDE_ON_FOOT_MIN_SHANK_SHARE = 0.4
# Past this a planted foot's heel angle is more likely a misplaced toe landmark (a dark shoe on a dark floor, a
# foot turned towards a camera looking down) than a heel off the floor: a rise to the ball of the foot is ~35 deg.
HEEL_RISE_MEASURABLE_MAX_DEG = 40.0


def joint(kp: np.ndarray, name: str) -> np.ndarray | None:
    """A named joint's `(x, y)` when the frame has it and it is seen (17-joint frames have no feet)."""
    return point(kp, name) if KEYPOINT_INDEX[name] < len(kp) else None


def has_world_coordinates(kp: np.ndarray) -> bool:
    """Whether a frame carries world coordinates (BlazePose's 3D landmarks): finite ones for at least two joints,
    not all at one point (a placeholder such as zeros is none)."""
    if kp.shape[-1] < WORLD_CHANNELS:
        return False
    world = kp[..., IMAGE_CHANNELS:WORLD_CHANNELS].reshape(-1, 3)
    finite = world[np.isfinite(world).all(axis=1)]
    return len(finite) > 1 and float(np.ptp(finite, axis=0).max()) > 0


def world_joint(kp: np.ndarray, name: str) -> np.ndarray | None:
    """A seen joint's world `(x, y, z)` in metres, when the frame carries finite world coordinates for it."""
    index = KEYPOINT_INDEX[name]
    if kp.shape[-1] < WORLD_CHANNELS or index >= len(kp) or kp[index, 2] < VISIBLE_CONFIDENCE:
        return None
    value = kp[index, IMAGE_CHANNELS:WORLD_CHANNELS].astype(np.float64)
    return value if np.isfinite(value).all() else None


def _angle_3d_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float | None:
    v1, v2 = a - b, c - b
    denominator = float(np.linalg.norm(v1) * np.linalg.norm(v2))
    if denominator < 1e-9:
        return None
    return float(np.degrees(np.arccos(np.clip(np.dot(v1, v2) / denominator, -1.0, 1.0))))


def _world_side_points(kp: np.ndarray, joints: tuple[str, ...]) -> list[np.ndarray] | None:
    side = best_side(kp, joints)
    points = None if side is None else [world_joint(kp, f"{side}_{joint}") for joint in joints]
    return None if points is None or any(p is None for p in points) else points


def world_body_line_deviation_deg(kp: np.ndarray) -> float | None:
    """The hips' bend off the shoulder-to-ankle line in 3D, which no camera angle foreshortens: positive when
    they sag below it, negative when piked above it."""
    points = _world_side_points(kp, ("shoulder", "hip", "ankle"))
    angle = None if points is None else _angle_3d_deg(*points)
    if angle is None:
        return None
    shoulder, hip, ankle = points
    return _signed_bend_deg(180.0 - angle, hip, shoulder, ankle)


def world_head_drop_deg(kp: np.ndarray) -> float | None:
    """The ear against the hip-to-shoulder line carried on, in 3D: positive when the head hangs below it."""
    points = _world_side_points(kp, ("hip", "shoulder", "ear"))
    angle = None if points is None else _angle_3d_deg(*points)
    if angle is None:
        return None
    hip, shoulder, ear = points
    return _signed_bend_deg(180.0 - angle, ear, hip, shoulder)


def world_knee_to_ankle_width_ratio(kp: np.ndarray) -> float | None:
    """Distance between the knees over distance between the ankles, across the floor (world x and z, height
    left out), so that it holds from any camera angle: under 1 the knees cave in."""
    knees = [world_joint(kp, f"{side}_knee") for side in SIDES]
    ankles = [world_joint(kp, f"{side}_ankle") for side in SIDES]
    if any(p is None for p in (*knees, *ankles)):
        return None
    across = [0, 2]
    ankle_width = float(np.linalg.norm(ankles[0][across] - ankles[1][across]))
    if ankle_width < 0.05:  # feet together: no gap to compare the knees with
        return None
    return float(np.linalg.norm(knees[0][across] - knees[1][across])) / ankle_width


def _feet(kp: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each foot seen, as (heel, toe tip) points by side."""
    feet = {}
    for side in SIDES:
        heel, toe = joint(kp, f"{side}_heel"), joint(kp, f"{side}_foot_index")
        if heel is not None and toe is not None:
            feet[side] = (heel, toe)
    return feet


def _heel_rise_deg(heel: np.ndarray, toe: np.ndarray) -> float:
    """How steeply the heel stands over the toe tip: 0 flat, positive with the heel raised (image y down)."""
    return float(np.degrees(np.arctan2(toe[1] - heel[1], abs(toe[0] - heel[0]))))


def _shank_length(kp: np.ndarray) -> float | None:
    """The longer knee-to-ankle distance seen, in pixels (one person's two shanks are the same length)."""
    lengths = [
        float(np.linalg.norm(knee - ankle))
        for knee, ankle in ((joint(kp, f"{side}_knee"), joint(kp, f"{side}_ankle")) for side in SIDES)
        if knee is not None and ankle is not None
    ]
    return max(lengths) if lengths else None


def _side_on_feet(kp: np.ndarray) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float] | None:
    """The feet seen side on, at full length against the shank, and the way they point along the image x axis
    (+1 right, -1 left); None when no foot is."""
    shank = _shank_length(kp)
    if shank is None:
        return None
    feet = {
        side: foot
        for side, foot in _feet(kp).items()
        if np.linalg.norm(foot[1] - foot[0]) >= SIDE_ON_FOOT_MIN_SHANK_SHARE * shank
    }
    runs = [toe[0] - heel[0] for heel, toe in feet.values()]
    lengths = [float(np.linalg.norm(toe - heel)) for heel, toe in feet.values()]
    if not feet or abs(float(np.mean(runs))) < SIDE_ON_FOOT_MIN_RUN * float(np.mean(lengths)):
        return None
    return feet, float(np.sign(np.mean(runs)))


def _front_foot(feet: dict[str, tuple[np.ndarray, np.ndarray]], forward: float) -> str:
    return max(feet, key=lambda side: float(feet[side][0][0] + feet[side][1][0]) * forward)


def _measurable(rise_deg: float) -> float | None:
    return rise_deg if rise_deg <= HEEL_RISE_MEASURABLE_MAX_DEG else None


def heel_lift_deg(kp: np.ndarray) -> float | None:
    """Side view: the higher heel's rise over its toes in degrees (both feet planted in a squat)."""
    found = _side_on_feet(kp)
    return None if found is None else _measurable(max(_heel_rise_deg(*foot) for foot in found[0].values()))


def front_heel_lift_deg(kp: np.ndarray) -> float | None:
    """Side view of a split stance: the front foot's heel rise over its toes in degrees (the rear heel is meant
    to be up). Needs both feet, to tell which one is in front."""
    found = _side_on_feet(kp)
    if found is None or len(found[0]) < 2:
        return None
    feet, forward = found
    return _measurable(_heel_rise_deg(*feet[_front_foot(feet, forward)]))


def knee_past_toes(kp: np.ndarray) -> float | None:
    """Side view: how far the knee over the front planted foot travels past its toe tip, in torso lengths
    (negative while it stays behind them)."""
    found, length = _side_on_feet(kp), torso_length(kp)
    if found is None or length is None:
        return None
    feet, forward = found
    planted = {
        side: foot
        for side, foot in feet.items()
        if _heel_rise_deg(*foot) < PLANTED_FOOT_MAX_RISE_DEG and joint(kp, f"{side}_knee") is not None
    }
    if not planted:
        return None
    side = _front_foot(planted, forward)
    return float((joint(kp, f"{side}_knee")[0] - planted[side][1][0]) * forward) / length


def stance_to_shoulder_width(kp: np.ndarray) -> float | None:
    """Front view: the distance between the middles of the feet over the distance between the shoulders."""
    feet = _feet(kp)
    shoulders = [joint(kp, f"{side}_shoulder") for side in SIDES]
    length = torso_length(kp)
    if len(feet) < 2 or any(p is None for p in shoulders) or length is None:
        return None
    shoulder_width = abs(float(shoulders[0][0] - shoulders[1][0]))
    if shoulder_width < 0.3 * length:  # shoulders overlapping: not a front view
        return None
    middles = [float(heel[0] + toe[0]) / 2 for heel, toe in feet.values()]
    return abs(middles[0] - middles[1]) / shoulder_width
