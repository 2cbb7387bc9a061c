"""COCO-17 skeletons built from a few joint angles, for posture and rep tests.

`side_pose` is a stick figure seen from the side (sagittal plane), built outward from the hip: the trunk's tilt
from vertical, then the hip, knee, shoulder, elbow and neck angles. The other builders cover the front views the
rules need (knee gap, arm raise, push-up elbow flare, side plank, pull-up hang). Image y grows downwards.
"""

from __future__ import annotations

import math

import numpy as np

from api.ml.keypoints import BODY_KEYPOINT_COUNT, BODY_KEYPOINT_NAMES, KEYPOINT_INDEX, MEDIAPIPE33_NAMES

TORSO_PX = 120.0
THIGH_PX = 110.0
SHIN_PX = 105.0
UPPER_ARM_PX = 75.0
FOREARM_PX = 70.0
NECK_PX = 35.0


def skeleton(points: dict[str, tuple[float, float]], confidence: float = 0.9) -> np.ndarray:
    """Keypoints from `{joint: (x, y)}`; 'shoulder' sets both sides, 'left_shoulder' one; the rest invisible."""
    kp = np.zeros((17, 3), dtype=np.float32)
    for name, (x, y) in points.items():
        for full in [name] if name in KEYPOINT_INDEX else [f"left_{name}", f"right_{name}"]:
            kp[KEYPOINT_INDEX[full]] = (x, y, confidence)
    return kp


def hide(kp: np.ndarray, *joints: str) -> np.ndarray:
    """A copy with the joints ('hip' for both sides, or 'left_hip') at confidence 0."""
    hidden = np.array(kp, copy=True)
    for joint in joints:
        for full in [joint] if joint in KEYPOINT_INDEX else [f"left_{joint}", f"right_{joint}"]:
            hidden[..., KEYPOINT_INDEX[full], 2] = 0.0
    return hidden


def _rotate(vector: np.ndarray, degrees: float) -> np.ndarray:
    """Counter-clockwise rotation in y-up coordinates (in image coordinates, y down, it turns clockwise)."""
    t = math.radians(degrees)
    return np.array(
        [vector[0] * math.cos(t) - vector[1] * math.sin(t), vector[0] * math.sin(t) + vector[1] * math.cos(t)]
    )


def side_pose(
    trunk_deg: float = 0.0,
    hip_deg: float = 180.0,
    knee_deg: float = 180.0,
    shoulder_deg: float = 0.0,
    elbow_deg: float = 180.0,
    neck_deg: float = 0.0,
    facing: str = "right",
    origin: tuple[float, float] = (320.0, 300.0),
) -> np.ndarray:
    """A body seen from its left side, near side (left) sure, far side (right) a few pixels behind and less sure.

    trunk_deg: the trunk's tilt from vertical toward the facing direction (90: lying face down, as in a push-up;
    negative leans back). hip_deg: shoulder-hip-knee (180 straight, under 180 flexed, over 180 hyperextended so
    the legs rise behind). knee_deg: hip-knee-ankle. shoulder_deg: hip-shoulder-elbow, the arm raised forward
    (0 hanging, 90 straight ahead, 180 overhead). elbow_deg: shoulder-elbow-wrist. neck_deg: head bent forward.
    """
    up = np.array([0.0, 1.0])
    trunk = _rotate(up, -trunk_deg)
    hip = np.zeros(2)
    shoulder = hip + TORSO_PX * trunk
    thigh = _rotate(-trunk, 180.0 - hip_deg)
    knee = hip + THIGH_PX * thigh
    ankle = knee + SHIN_PX * _rotate(thigh, -(180.0 - knee_deg))
    upper_arm = _rotate(-trunk, shoulder_deg)
    elbow = shoulder + UPPER_ARM_PX * upper_arm
    wrist = elbow + FOREARM_PX * _rotate(upper_arm, 180.0 - elbow_deg)
    neck = _rotate(trunk, -neck_deg)
    ear = shoulder + NECK_PX * neck
    nose = ear + 15.0 * _rotate(neck, -90.0)
    eye = ear + 10.0 * _rotate(neck, -60.0)
    sign = 1.0 if facing == "right" else -1.0
    named = {"shoulder": shoulder, "elbow": elbow, "wrist": wrist, "hip": hip, "knee": knee, "ankle": ankle}
    named |= {"ear": ear, "eye": eye}
    kp = np.zeros((17, 3), dtype=np.float32)

    def place(name: str, at: np.ndarray, confidence: float, shift: float = 0.0) -> None:
        kp[KEYPOINT_INDEX[name]] = (origin[0] + sign * (at[0] + shift), origin[1] - at[1], confidence)

    for joint, at in named.items():
        place(f"left_{joint}", at, 0.9)
        place(f"right_{joint}", at, 0.6, shift=-4.0)
    place("nose", nose, 0.9)
    return kp


def front_pose(
    knee_gap_px: float = 120.0,
    ankle_gap_px: float = 120.0,
    arm_raise_deg: float = 10.0,
    elbow_deg: float = 180.0,
    knee_rise_px: float = 0.0,
) -> np.ndarray:
    """A person facing the camera: shoulders 120 px apart, knees `knee_gap_px` apart over ankles `ankle_gap_px`
    apart (a squat drops the hips by `knee_rise_px`), both arms raised sideways by `arm_raise_deg` (0 by the sides,
    90 level, 180 overhead) with the forearm bending upward by 180 - `elbow_deg`."""
    cx, shoulder_y = 320.0, 160.0
    hip_y = shoulder_y + 150.0
    points = {
        "nose": (cx, shoulder_y - 45.0),
        "left_ear": (cx + 15.0, shoulder_y - 45.0),
        "right_ear": (cx - 15.0, shoulder_y - 45.0),
        "left_hip": (cx + 40.0, hip_y),
        "right_hip": (cx - 40.0, hip_y),
        "left_knee": (cx + knee_gap_px / 2, hip_y + 110.0 - knee_rise_px),
        "right_knee": (cx - knee_gap_px / 2, hip_y + 110.0 - knee_rise_px),
        "left_ankle": (cx + ankle_gap_px / 2, hip_y + 215.0 - knee_rise_px),
        "right_ankle": (cx - ankle_gap_px / 2, hip_y + 215.0 - knee_rise_px),
    }
    for side, sign in (("left", 1.0), ("right", -1.0)):
        shoulder = np.array([cx + sign * 60.0, shoulder_y])
        raise_rad = math.radians(arm_raise_deg)
        arm = np.array([sign * math.sin(raise_rad), math.cos(raise_rad)])
        elbow = shoulder + UPPER_ARM_PX * arm
        wrist = elbow + FOREARM_PX * _rotate(arm, -sign * (180.0 - elbow_deg))
        points |= {f"{side}_shoulder": tuple(shoulder), f"{side}_elbow": tuple(elbow), f"{side}_wrist": tuple(wrist)}
    return skeleton(points)


def push_up_front(flare_deg: float) -> np.ndarray:
    """A push-up seen from the head end: wide shoulders, a foreshortened trunk, upper arms `flare_deg` out from
    hanging straight down."""
    cx, shoulder_y = 320.0, 250.0
    points = {"nose": (cx, shoulder_y + 10.0), "left_hip": (cx + 35.0, 215.0), "right_hip": (cx - 35.0, 215.0)}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        shoulder = np.array([cx + sign * 60.0, shoulder_y])
        elbow = shoulder + UPPER_ARM_PX * np.array(
            [sign * math.sin(math.radians(flare_deg)), math.cos(math.radians(flare_deg))]
        )
        points |= {
            f"{side}_shoulder": tuple(shoulder),
            f"{side}_elbow": tuple(elbow),
            f"{side}_wrist": (elbow[0], 400.0),
        }
    return skeleton(points)


def side_plank_front(hip_drop_px: float) -> np.ndarray:
    """A side plank seen from the front: shoulders stacked 170 px apart, each side a straight line from shoulder
    to ankle sloping down to the feet; the hips `hip_drop_px` below those lines."""
    points = {"nose": (110.0, 210.0), "left_elbow": (160.0, 330.0)}
    for side, top in (("left", 150.0), ("right", 320.0)):
        shoulder, ankle = np.array([160.0, top]), np.array([560.0, top + 120.0])
        hip = (shoulder + ankle) / 2 + (0.0, hip_drop_px)
        points |= {f"{side}_shoulder": tuple(shoulder), f"{side}_hip": tuple(hip), f"{side}_ankle": tuple(ankle)}
    return skeleton(points)


def pull_up_front(elbow_deg: float) -> np.ndarray:
    """A pull-up seen from the front: hands on the bar at y=100, elbows out to the sides; the smaller the elbow
    angle, the higher the body."""
    bar_y, cx = 100.0, 320.0
    reach = math.sqrt(
        UPPER_ARM_PX**2 + FOREARM_PX**2 - 2 * UPPER_ARM_PX * FOREARM_PX * math.cos(math.radians(elbow_deg))
    )
    shoulder_y = bar_y + reach
    points = {"nose": (cx, shoulder_y - 65.0), "left_hip": (cx + 40.0, shoulder_y + 150.0)}
    points["right_hip"] = (cx - 40.0, shoulder_y + 150.0)
    # The elbow sits where the upper arm and forearm meet, out to the side of the wrist-shoulder line.
    along = (FOREARM_PX**2 - UPPER_ARM_PX**2 + reach**2) / (2 * reach)
    out = math.sqrt(max(FOREARM_PX**2 - along**2, 0.0))
    for side, sign in (("left", 1.0), ("right", -1.0)):
        x = cx + sign * 60.0
        points |= {
            f"{side}_wrist": (x, bar_y),
            f"{side}_shoulder": (x, shoulder_y),
            f"{side}_elbow": (x + sign * out, bar_y + along),
        }
    return skeleton(points)


# Fixed-position skeletons that the API tests post as keypoints.


def side_plank(hip_offset_px: float = 0.0) -> np.ndarray:
    """A side-view plank on straight arms facing right; positive offset drops the hips (sag), negative pikes."""
    return skeleton(
        {
            "shoulder": (400, 200),
            "elbow": (400, 250),
            "wrist": (400, 300),
            "hip": (250, 200 + hip_offset_px),
            "knee": (175, 200),
            "ankle": (100, 200),
            "ear": (430, 195),
            "nose": (450, 205),
        }
    )


def side_push_up(elbow_deg: float, hip_offset_px: float = 0.0) -> np.ndarray:
    """A side-view push-up with the given elbow angle: hands fixed, body pivoting at the feet."""
    wrist = np.array([400.0, 300.0])
    elbow = wrist + (0.0, -60.0)
    turn = math.radians(180.0 - elbow_deg)
    shoulder = elbow + 60.0 * np.array([-math.sin(turn), -math.cos(turn)])
    ankle = np.array([100.0, 300.0])
    hip = (shoulder + ankle) / 2 + (0.0, hip_offset_px)
    head = shoulder + (30.0, -5.0)
    return skeleton(
        {
            "shoulder": tuple(shoulder),
            "elbow": tuple(elbow),
            "wrist": tuple(wrist),
            "hip": tuple(hip),
            "knee": tuple((hip + ankle) / 2),
            "ankle": tuple(ankle),
            "ear": tuple(head),
            "nose": tuple(head + (15.0, 8.0)),
        }
    )


def front_squat(knee_gap_px: float, ankle_gap_px: float = 120.0, knee_y: float = 380.0) -> np.ndarray:
    """A front-view squat: shoulders wide apart, knees `knee_gap_px` apart over ankles `ankle_gap_px` apart."""
    return skeleton(
        {
            "left_shoulder": (260, 200),
            "right_shoulder": (380, 200),
            "left_hip": (280, 330),
            "right_hip": (360, 330),
            "left_knee": (320 - knee_gap_px / 2, knee_y),
            "right_knee": (320 + knee_gap_px / 2, knee_y),
            "left_ankle": (320 - ankle_gap_px / 2, 460),
            "right_ankle": (320 + ankle_gap_px / 2, 460),
            "nose": (320, 160),
        }
    )


def clip(poses: list[np.ndarray]) -> np.ndarray:
    """Frames `(T, 17, 3)` from a list of poses."""
    return np.stack(poses).astype(np.float32)


def rep_values(rest: float, turn: float, reps: int = 2, frames_per_half: int = 10, hold: int = 4) -> list[float]:
    """A joint angle moving rest -> turn -> rest `reps` times, holding still at rest between reps."""
    one = [*np.linspace(rest, turn, frames_per_half), *np.linspace(turn, rest, frames_per_half), *[rest] * hold]
    return [rest] * hold + one * reps


def with_feet(kp: np.ndarray, points: dict[str, tuple[float, float]], confidence: float = 0.9) -> np.ndarray:
    """A 17-joint skeleton in the 21-joint body layout with the named foot points ('heel' sets both sides)."""
    body = np.zeros((BODY_KEYPOINT_COUNT, 3), dtype=np.float32)
    body[: len(kp)] = kp
    for name, (x, y) in points.items():
        for full in [name] if name in KEYPOINT_INDEX else [f"left_{name}", f"right_{name}"]:
            body[KEYPOINT_INDEX[full]] = (x, y, confidence)
    return body


def as_mediapipe33(kp: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """Body-layout keypoints as MediaPipe-33 landmarks `[x, y, z, visibility]` normalised to the picture; the
    landmarks the layout lacks (eye corners, mouth, fingers) hidden."""
    landmarks = np.zeros((len(MEDIAPIPE33_NAMES), 4), dtype=np.float64)
    for index, (x, y, confidence) in enumerate(kp[:, :3]):
        target = MEDIAPIPE33_NAMES.index(BODY_KEYPOINT_NAMES[index])
        landmarks[target] = (x / image_size[0], y / image_size[1], 0.0, confidence)
    return landmarks


FOOT_PX = 80.0


def side_feet(kp: np.ndarray, toe_ahead_px: float = 70.0, heel_rise_deg: float = 0.0, facing: str = "right"):
    """A side-view skeleton with feet: each toe tip `toe_ahead_px` ahead of its ankle on the floor, the heel
    `FOOT_PX` behind it, raised by `heel_rise_deg`."""
    sign = 1.0 if facing == "right" else -1.0
    rise = math.radians(heel_rise_deg)
    points = {}
    for side in ("left", "right"):
        ankle = kp[KEYPOINT_INDEX[f"{side}_ankle"], :2]
        toe = ankle + (sign * toe_ahead_px, 15.0)
        heel = toe + (-sign * FOOT_PX * math.cos(rise), -FOOT_PX * math.sin(rise))
        points |= {f"{side}_heel": tuple(heel), f"{side}_foot_index": tuple(toe)}
    return with_feet(kp, points)


def front_feet(kp: np.ndarray) -> np.ndarray:
    """A front-view skeleton with feet under the ankles, toes pointing at the camera (a little outwards)."""
    points = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        ankle = kp[KEYPOINT_INDEX[f"{side}_ankle"], :2]
        points |= {f"{side}_heel": tuple(ankle + (0.0, 10.0)), f"{side}_foot_index": tuple(ankle + (sign * 8, 30.0))}
    return with_feet(kp, points)


def split_stance(front_heel_rise_deg: float = 0.0, stride_px: float = 220.0) -> np.ndarray:
    """A side-view lunge facing right: the near (left) foot planted in front, the far (right) foot `stride_px`
    behind on its toes; the front heel raised by `front_heel_rise_deg`."""
    kp = side_pose(trunk_deg=5, hip_deg=100, knee_deg=100, shoulder_deg=20)
    body = side_feet(kp, heel_rise_deg=front_heel_rise_deg)
    rear_toe = body[KEYPOINT_INDEX["left_foot_index"], :2] - (stride_px, 0.0)
    body[KEYPOINT_INDEX["right_foot_index"], :2] = rear_toe
    body[KEYPOINT_INDEX["right_heel"], :2] = rear_toe + (-FOOT_PX * math.cos(1.0), -FOOT_PX * math.sin(1.0))
    return body
