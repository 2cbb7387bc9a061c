"""Camera view detection (side, front, unclear) and the near side of a side view."""

import numpy as np

from api.ml.keypoints import KEYPOINT_INDEX
from api.ml.posture.view import (
    detect_view,
    keep_near_side,
    near_side,
    shoulder_width_ratio,
)
from tests.unit.ml.skeletons import clip, front_pose, hide, push_up_front, side_pose, skeleton


def oblique(ratio: float) -> np.ndarray:
    """A standing torso 150 px long whose shoulders look `ratio` torso lengths apart."""
    half = 75.0 * ratio
    return skeleton(
        {
            "left_shoulder": (320 + half, 150),
            "right_shoulder": (320 - half, 150),
            "left_hip": (320 + half / 2, 300),
            "right_hip": (320 - half / 2, 300),
        }
    )


def test_a_body_seen_from_the_side_is_a_side_view():
    assert detect_view(side_pose()) == "side"
    assert detect_view(side_pose(trunk_deg=90, shoulder_deg=90)) == "side"


def test_a_person_facing_the_camera_is_a_front_view():
    assert detect_view(front_pose()) == "front"


def test_a_push_up_seen_from_the_head_end_is_a_front_view():
    assert detect_view(push_up_front(20)) == "front"


def test_a_half_turned_body_is_unclear():
    assert detect_view(oblique(0.55)) == "unclear"
    assert detect_view(oblique(0.3)) == "side" and detect_view(oblique(0.9)) == "front"


def test_one_hidden_shoulder_means_the_body_hides_it_from_the_side():
    kp = hide(front_pose(), "right_shoulder")
    assert shoulder_width_ratio(kp) == 0.0 and detect_view(kp) == "side"


def test_without_a_torso_the_view_is_unclear():
    assert detect_view(hide(front_pose(), "hip")) == "unclear"


def test_the_near_side_is_the_one_seen_more_surely():
    frames = clip([side_pose()] * 3)
    assert near_side(frames) == "left"
    kept = keep_near_side(frames, "left")
    assert (kept[:, KEYPOINT_INDEX["right_knee"], 2] == 0).all()
    assert (kept[:, KEYPOINT_INDEX["left_knee"], 2] > 0).all()
    assert (kept[:, KEYPOINT_INDEX["nose"], 2] > 0).all()


def test_nobody_seen_has_no_near_side():
    assert near_side(np.zeros((4, 17, 3), np.float32)) is None
