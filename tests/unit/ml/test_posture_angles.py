"""Joint angles, inclinations and body measures by keypoint name."""

import numpy as np
import pytest

from api.ml.keypoints import KEYPOINT_INDEX
from api.ml.posture import measures
from api.ml.posture.angles import (
    VISIBLE_CONFIDENCE,
    both_sides_angles_deg,
    inclination_deg,
    joint_angle_deg,
    side_angle_deg,
    torso_lean_deg,
)
from tests.unit.ml.skeletons import hide, side_pose, skeleton


def test_joint_angle_from_three_named_keypoints():
    kp = skeleton({"left_hip": (100, 100), "left_knee": (100, 200), "left_ankle": (200, 200)})
    assert joint_angle_deg(kp, "left_hip", "left_knee", "left_ankle") == pytest.approx(90.0)


def test_a_straight_limb_is_180_degrees():
    assert side_angle_deg(side_pose(), "hip", "knee", "ankle") == pytest.approx(180.0)


def test_an_invisible_joint_gives_no_angle():
    kp = skeleton({"left_hip": (100, 100), "left_knee": (100, 200), "left_ankle": (200, 200)})
    kp[KEYPOINT_INDEX["left_knee"], 2] = VISIBLE_CONFIDENCE / 2
    assert joint_angle_deg(kp, "left_hip", "left_knee", "left_ankle") is None


def test_coincident_keypoints_give_no_angle():
    kp = skeleton({"left_hip": (100, 100), "left_knee": (100, 100), "left_ankle": (200, 200)})
    assert joint_angle_deg(kp, "left_hip", "left_knee", "left_ankle") is None


def test_the_better_seen_side_is_measured():
    kp = side_pose(knee_deg=120)
    kp[KEYPOINT_INDEX["right_knee"], :2] += (40, 0)
    assert side_angle_deg(kp, "hip", "knee", "ankle") == pytest.approx(120.0)
    assert len(both_sides_angles_deg(kp, "hip", "knee", "ankle")) == 2


def test_inclination_from_vertical_and_horizontal():
    top, bottom = np.array([0.0, 0.0]), np.array([0.0, 100.0])
    assert inclination_deg(bottom, top) == pytest.approx(0.0)
    assert inclination_deg(bottom, np.array([100.0, 100.0]), "horizontal") == pytest.approx(0.0)
    assert inclination_deg(bottom, np.array([100.0, 0.0])) == pytest.approx(45.0)


@pytest.mark.parametrize("trunk_deg", [0, 30, 90, -20])
def test_torso_lean_is_the_trunk_tilt_either_way(trunk_deg):
    assert torso_lean_deg(side_pose(trunk_deg=trunk_deg)) == pytest.approx(abs(trunk_deg), abs=0.01)


@pytest.mark.parametrize("facing", ["left", "right"])
def test_hip_sag_is_positive_and_a_pike_negative_whichever_way_the_body_faces(facing):
    sag = side_pose(trunk_deg=90, hip_deg=200, facing=facing)
    pike = side_pose(trunk_deg=90, hip_deg=150, facing=facing)
    assert measures.body_line_deviation_deg(sag) == pytest.approx(20.0, abs=0.01)
    assert measures.body_line_deviation_deg(pike) == pytest.approx(-30.0, abs=0.01)


def test_a_hanging_head_is_positive_and_a_raised_head_negative():
    assert measures.head_drop_deg(side_pose(trunk_deg=90, neck_deg=40)) == pytest.approx(40.0, abs=0.01)
    assert measures.head_drop_deg(side_pose(trunk_deg=90, neck_deg=-20)) == pytest.approx(-20.0, abs=0.01)


def test_measures_say_none_when_their_joints_are_hidden():
    kp = hide(side_pose(trunk_deg=90), "ankle")
    assert measures.body_line_deviation_deg(kp) is None
    assert measures.elbow_angle_deg(hide(kp, "wrist")) is None
