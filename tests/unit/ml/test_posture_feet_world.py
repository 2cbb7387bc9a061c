"""Foot-aware checks need feet (COCO-17 keypoints skip them, with the reason), and world coordinates make the
hip-line and knee-gap measures hold from any camera angle."""

import math

import numpy as np
import pytest

from api.ml.keypoints import KEYPOINT_INDEX
from api.ml.posture import assess_pose, assess_sequence
from api.ml.posture import measures as m
from api.ml.posture.rules import RULES
from api.ml.posture.rules.floor import WORLD_HEAD_NEUTRAL_DEG, WORLD_HIP_LINE_NEUTRAL_DEG, head_line_deg, hip_line_deg
from api.ml.posture.rules.lower_body import knee_gap_ratio
from tests.unit.ml.skeletons import side_feet, side_pose, with_feet

SIZE = (640, 480)
FOOT_CHECKS = {"knee_past_toes", "heels_lifting"}


def squat():
    return side_pose(trunk_deg=30, hip_deg=100, knee_deg=100, shoulder_deg=80)


def test_coco17_keypoints_skip_the_foot_checks_and_say_why():
    result = assess_pose("squat", squat(), SIZE)
    reasons = {item.code: item.reason for item in result.skipped}
    assert set(reasons) >= FOOT_CHECKS
    assert "heel, foot_index" in reasons["heels_lifting"] and "not visible" in reasons["heels_lifting"]


def test_the_same_pose_with_feet_is_judged_on_them():
    result = assess_pose("squat", side_feet(squat()), SIZE)
    assert set(result.checked) >= FOOT_CHECKS


def test_a_lunge_rear_foot_on_its_toes_is_never_taken_for_the_front_one():
    kp = side_pose(trunk_deg=5, hip_deg=100, knee_deg=100)
    rear_only = side_feet(kp, heel_rise_deg=50)  # every foot seen on its toes, none planted
    assert m.knee_past_toes(rear_only) is None
    assert m.front_heel_lift_deg(with_feet(kp, {})) is None


def test_split_squat_has_the_lunge_checks():
    assert RULES["split_squat"] == RULES["lunge"]
    assert {"knee_past_toes", "heels_lifting"} <= {rule.code for rule in RULES["split_squat"]}


def rotate_about_vertical(points: np.ndarray, degrees: float) -> np.ndarray:
    t = math.radians(degrees)
    turn = np.array([[math.cos(t), 0, math.sin(t)], [0, 1, 0], [-math.sin(t), 0, math.cos(t)]])
    return points @ turn.T


def with_world(kp: np.ndarray, world: dict[str, np.ndarray]) -> np.ndarray:
    """A 21 x 6 frame: the image keypoints, and world coordinates for the named joints (NaN for the rest)."""
    body = with_feet(kp, {})
    frame = np.concatenate([body, np.full((len(body), 3), np.nan, dtype=np.float32)], axis=1)
    for name, value in world.items():
        frame[KEYPOINT_INDEX[name], 3:] = value
    return frame


def sagging_body(sag_deg: float, yaw_deg: float) -> dict[str, np.ndarray]:
    """A plank in metres (hips at the origin, y down), its hips `sag_deg` below the line, turned by `yaw_deg`."""
    half = math.radians(sag_deg) / 2
    shoulder = np.array([0.6 * math.cos(half), -0.6 * math.sin(half), 0.0])
    ankle = np.array([-1.0 * math.cos(half), -1.0 * math.sin(half), 0.0])
    points = rotate_about_vertical(np.stack([shoulder, np.zeros(3), ankle]), yaw_deg)
    named = dict(zip(("shoulder", "hip", "ankle"), points, strict=True))
    return {f"{side}_{joint}": p for side in ("left", "right") for joint, p in named.items()}


@pytest.mark.parametrize("yaw_deg", [0, 45, 70])
def test_the_world_hip_line_does_not_depend_on_the_camera_angle(yaw_deg):
    frame = with_world(side_pose(trunk_deg=90, shoulder_deg=90, elbow_deg=90), sagging_body(25, yaw_deg))
    assert m.world_body_line_deviation_deg(frame) == pytest.approx(25.0, abs=0.01)
    assert hip_line_deg(frame) == pytest.approx(25.0 - WORLD_HIP_LINE_NEUTRAL_DEG, abs=0.01)
    piked = with_world(frame[:, :3], sagging_body(-25, yaw_deg))
    assert m.world_body_line_deviation_deg(piked) == pytest.approx(-25.0, abs=0.01)


def test_without_finite_world_values_the_image_measure_is_used():
    kp = side_pose(trunk_deg=90, hip_deg=205, shoulder_deg=90, elbow_deg=90)
    frame = with_world(kp, {})
    assert m.world_body_line_deviation_deg(frame) is None
    assert hip_line_deg(frame) == pytest.approx(hip_line_deg(kp))


def test_a_sequence_of_world_frames_flags_sagging_hips_the_image_misses():
    kp = side_pose(trunk_deg=90, hip_deg=180, shoulder_deg=90, elbow_deg=90)  # straight in the picture
    frames = np.stack([with_world(kp, sagging_body(45, 60)) for _ in range(10)])
    world = assess_sequence("plank", frames, 10.0, SIZE)
    image = assess_sequence("plank", frames[..., :3], 10.0, SIZE)
    assert "hips_sagging" in {issue.code for issue in world.issues}
    assert "hips_sagging" not in {issue.code for issue in image.issues}


def hanging_head(drop_deg: float, yaw_deg: float) -> dict[str, np.ndarray]:
    """A horizontal trunk in metres (hips at the origin, y down) whose ear hangs `drop_deg` below the line from
    the hip through the shoulder, turned by `yaw_deg`."""
    drop = math.radians(drop_deg)
    shoulder = np.array([0.5, 0.0, 0.0])
    ear = shoulder + 0.2 * np.array([math.cos(drop), math.sin(drop), 0.0])
    points = rotate_about_vertical(np.stack([np.zeros(3), shoulder, ear]), yaw_deg)
    named = dict(zip(("hip", "shoulder", "ear"), points, strict=True))
    return {f"{side}_{joint}": p for side in ("left", "right") for joint, p in named.items()}


@pytest.mark.parametrize("yaw_deg", [0, 45, 70])
def test_the_world_head_line_does_not_depend_on_the_camera_angle(yaw_deg):
    kp = side_pose(trunk_deg=90, shoulder_deg=90, elbow_deg=90)
    frame = with_world(kp, hanging_head(40, yaw_deg))
    assert m.world_head_drop_deg(frame) == pytest.approx(40.0, abs=0.01)
    assert head_line_deg(frame) == pytest.approx(40.0 - WORLD_HEAD_NEUTRAL_DEG, abs=0.01)
    assert m.world_head_drop_deg(with_world(kp, hanging_head(-20, yaw_deg))) == pytest.approx(-20.0, abs=0.01)


def test_without_world_values_the_head_line_is_read_in_the_image():
    kp = side_pose(trunk_deg=90, neck_deg=40, shoulder_deg=90, elbow_deg=90)
    frame = with_world(kp, {})
    assert m.world_head_drop_deg(frame) is None
    assert head_line_deg(frame) == pytest.approx(m.head_drop_deg(kp), abs=1e-6)


def test_a_plank_is_judged_on_the_world_head_line_when_the_frames_have_it():
    hanging_in_the_picture = side_pose(trunk_deg=90, neck_deg=40, shoulder_deg=90, elbow_deg=90)
    neutral = np.stack([with_world(hanging_in_the_picture, hanging_head(WORLD_HEAD_NEUTRAL_DEG, 30))] * 10)
    assert "head_dropping" in {issue.code for issue in assess_sequence("plank", neutral[..., :3], 10.0, SIZE).issues}
    assert "head_dropping" not in {issue.code for issue in assess_sequence("plank", neutral, 10.0, SIZE).issues}
    level_in_the_picture = side_pose(trunk_deg=90, shoulder_deg=90, elbow_deg=90)
    hanging = np.stack([with_world(level_in_the_picture, hanging_head(WORLD_HEAD_NEUTRAL_DEG + 40, 30))] * 10)
    assert "head_dropping" in {issue.code for issue in assess_sequence("plank", hanging, 10.0, SIZE).issues}


@pytest.mark.parametrize("yaw_deg", [0, 50])
def test_the_world_knee_gap_holds_from_an_angle(yaw_deg):
    knees = rotate_about_vertical(np.array([[0.08, 0.45, 0.0], [-0.08, 0.45, 0.0]]), yaw_deg)
    ankles = rotate_about_vertical(np.array([[0.15, 0.85, 0.0], [-0.15, 0.85, 0.0]]), yaw_deg)
    world = {"left_knee": knees[0], "right_knee": knees[1], "left_ankle": ankles[0], "right_ankle": ankles[1]}
    frame = with_world(side_pose(), world)
    assert m.world_knee_to_ankle_width_ratio(frame) == pytest.approx(0.16 / 0.30, abs=1e-6)
    assert knee_gap_ratio(frame) == pytest.approx(0.16 / 0.30, abs=1e-6)


def test_a_foot_pointing_at_the_camera_is_not_read_as_a_raised_heel():
    kp = squat()
    points = {}
    for side in ("left", "right"):
        ankle = kp[KEYPOINT_INDEX[f"{side}_ankle"], :2]  # toe 20 px ahead and 15 px lower: foreshortened
        points |= {f"{side}_heel": tuple(ankle + (-5.0, 10.0)), f"{side}_foot_index": tuple(ankle + (15.0, 25.0))}
    foreshortened = with_feet(kp, points)
    assert m.heel_lift_deg(foreshortened) is None and m.knee_past_toes(foreshortened) is None
    assert m.heel_lift_deg(side_feet(kp, heel_rise_deg=30)) == pytest.approx(30.0, abs=0.01)


def test_world_frames_are_judged_with_the_world_thresholds():
    from api.ml.posture.rules.floor import HIP_LINE_TOLERANCE_DEG, WORLD_HIP_LINE_TOLERANCE_DEG

    kp = side_pose(trunk_deg=90, hip_deg=180, shoulder_deg=90, elbow_deg=90)
    sag = WORLD_HIP_LINE_NEUTRAL_DEG + (WORLD_HIP_LINE_TOLERANCE_DEG + HIP_LINE_TOLERANCE_DEG) / 2
    frame = with_world(kp, sagging_body(sag, 30))  # past the world tolerance, within the image one
    photo = assess_pose("plank", frame, SIZE)
    sagging = next(issue for issue in photo.issues if issue.code == "hips_sagging")
    assert photo.world and sagging.threshold == WORLD_HIP_LINE_TOLERANCE_DEG
    assert photo.measured["hips_sagging"] < HIP_LINE_TOLERANCE_DEG
    clip = assess_sequence("plank", np.stack([frame] * 10), 10.0, SIZE)
    assert clip.world and "hips_sagging" in {issue.code for issue in clip.issues}
    image_only = assess_pose("plank", with_world(kp, {}), SIZE)
    assert not image_only.world and "hips_sagging" not in {issue.code for issue in image_only.issues}
    placeholder = np.concatenate([frame[:, :3], np.zeros((len(frame), 3), np.float32)], axis=1)
    assert not m.has_world_coordinates(placeholder) and m.has_world_coordinates(frame)


def test_a_live_session_keeps_judging_world_frames_with_the_world_thresholds_after_a_restore():
    from api.ml.posture import SequenceAssessor
    from api.ml.posture.rules.floor import WORLD_HIP_LINE_TOLERANCE_DEG

    kp = side_pose(trunk_deg=90, hip_deg=180, shoulder_deg=90, elbow_deg=90)
    frames = np.stack([with_world(kp, sagging_body(WORLD_HIP_LINE_NEUTRAL_DEG + 17.5, 30)) for _ in range(12)])
    assessor = SequenceAssessor("plank")
    assessor.feed(frames[:6], np.arange(6) / 10)
    restored = SequenceAssessor.restore("plank", assessor.state(), assessor.rows.tobytes())
    assert restored.world and not SequenceAssessor.restore("plank", {}, b"").world
    restored.feed(frames[6:], np.arange(6, 12) / 10)
    issues = {issue.code: issue for issue in restored.finish().issues}
    assert issues["hips_sagging"].threshold == WORLD_HIP_LINE_TOLERANCE_DEG
