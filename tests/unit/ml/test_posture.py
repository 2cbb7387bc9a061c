"""Posture rules on constructed keypoints: real faults are reported, unseen ones are skipped, never guessed."""

import numpy as np
import pytest

from api.exceptions import InvalidKeypoints, UnknownExercise
from api.ml.keypoints import KEYPOINT_INDEX, validate_keypoint_frames
from api.ml.posture import SUPPORTED_EXERCISES, assess_pose, assess_sequence, checks_for, has_rules
from api.ml.posture.measures import detect_view, hip_line_deviation_deg
from tests.unit.ml.skeletons import front_squat, repeated, side_plank, side_push_up, skeleton

SIZE = (640, 480)


def codes(assessment) -> set[str]:
    return {issue["code"] for issue in assessment.issues}


def skipped_codes(assessment) -> set[str]:
    return {item["code"] for item in assessment.skipped}


def test_at_least_twelve_exercises_have_rules():
    required = {
        "squat", "push_up", "plank", "lunge", "biceps_curl", "shoulder_press", "deadlift",
        "romanian_deadlift", "lateral_raise", "row", "pull_up", "hip_thrust",
    }  # fmt: skip
    assert required <= SUPPORTED_EXERCISES
    assert all(checks_for(exercise) for exercise in required)


def test_straight_plank_is_good_form_seen_from_the_side():
    result = assess_pose("plank", side_plank(), SIZE)
    assert result.view == "side"
    assert result.issues == [] and result.score == 100 and result.form_ok


@pytest.mark.parametrize("exercise", ["plank", "push_up"])
def test_sagging_hips_are_reported_with_measure_and_threshold(exercise):
    result = assess_pose(exercise, side_plank(hip_offset_px=50), SIZE)
    issue = next(i for i in result.issues if i["code"] == "hips_sagging")
    assert issue["measured"] > issue["threshold"] == 15.0
    assert issue["correction"] and issue["severity"] == "high"
    assert not result.form_ok and result.score < 100


@pytest.mark.parametrize("exercise", ["plank", "push_up"])
def test_piked_hips_are_reported_as_hips_too_high(exercise):
    result = assess_pose(exercise, side_plank(hip_offset_px=-50), SIZE)
    assert "hips_too_high" in codes(result) and "hips_sagging" not in codes(result)


def test_slight_hip_wobble_is_not_a_fault():
    assert codes(assess_pose("plank", side_plank(hip_offset_px=10), SIZE)) == set()


def test_hip_deviation_sign_does_not_depend_on_facing_direction():
    mirrored = side_plank(hip_offset_px=40).copy()
    mirrored[:, 0] = 640 - mirrored[:, 0]
    assert hip_line_deviation_deg(mirrored) == pytest.approx(hip_line_deviation_deg(side_plank(hip_offset_px=40)))


def test_invisible_hips_skip_the_check_instead_of_guessing():
    kp = side_plank(hip_offset_px=50)
    kp[[KEYPOINT_INDEX["left_hip"], KEYPOINT_INDEX["right_hip"]], 2] = 0
    result = assess_pose("plank", kp, SIZE)
    assert "hips_sagging" not in codes(result) and "hips_sagging" in skipped_codes(result)


def test_hip_line_needs_a_side_view():
    front = front_squat(knee_gap_px=120)
    result = assess_pose("plank", front, SIZE)
    assert detect_view(front) == "front"
    reasons = {item["code"]: item["reason"] for item in result.skipped}
    assert "side view" in reasons["hips_sagging"]


def test_knees_caving_in_is_seen_from_the_front():
    result = assess_pose("squat", front_squat(knee_gap_px=70), SIZE)
    issue = next(i for i in result.issues if i["code"] == "knees_caving_in")
    assert issue["measured"] < 0.85 and issue["unit"] == "ratio"
    assert "knees_caving_in" not in codes(assess_pose("squat", front_squat(knee_gap_px=130), SIZE))


def test_range_of_motion_needs_a_clip_on_a_photo():
    result = assess_pose("push_up", side_push_up(elbow_deg=150), SIZE)
    assert "partial_range_of_motion" in skipped_codes(result)
    assert "partial_range_of_motion" not in codes(result)


def test_curl_with_elbows_swinging_forward_is_flagged():
    swinging = skeleton({"shoulder": (300, 150), "hip": (300, 300), "elbow": (360, 200), "wrist": (360, 140)})
    tucked = skeleton({"shoulder": (300, 150), "hip": (300, 300), "elbow": (305, 230), "wrist": (360, 200)})
    assert "elbows_drifting_forward" in codes(assess_pose("biceps_curl", swinging, SIZE))
    assert "elbows_drifting_forward" not in codes(assess_pose("biceps_curl", tucked, SIZE))


def test_lateral_raise_above_shoulder_height_is_flagged_from_the_front():
    base = {"left_shoulder": (260, 200), "right_shoulder": (380, 200), "left_hip": (280, 330), "right_hip": (360, 330)}
    too_high = skeleton({**base, "left_elbow": (200, 120), "right_elbow": (440, 120)})
    level = skeleton({**base, "left_elbow": (180, 200), "right_elbow": (460, 200)})
    assert "arms_too_high" in codes(assess_pose("lateral_raise", too_high, SIZE))
    assert "arms_too_high" not in codes(assess_pose("lateral_raise", level, SIZE))


def push_up_clip(bottom_elbow_deg: float, reps: int = 2, hip_offset_px: float = 0.0, noise: float = 0.0):
    cycle = np.concatenate([np.linspace(170, bottom_elbow_deg, 10), np.linspace(bottom_elbow_deg, 170, 10)])
    angles = np.concatenate([[170] * 5, *[cycle] * reps, [170] * 5])
    rng = np.random.default_rng(0)
    angles = angles + rng.normal(0, noise, len(angles))
    return repeated([side_push_up(a, hip_offset_px) for a in angles])


def test_full_push_ups_are_counted_and_pass():
    result = assess_sequence("push_up", push_up_clip(80, reps=3), fps=20, image_size=SIZE).to_dict()
    assert result["reps"]["count"] == 3
    first = result["reps"]["per_rep"][0]
    assert first["range_of_motion_deg"] > 80 and first["duration_s"] == pytest.approx(1.0, abs=0.2)
    assert result["form_ok"] and all(rep["form_ok"] for rep in result["reps"]["per_rep"])


def test_shallow_push_ups_are_partial_range_of_motion_per_rep():
    result = assess_sequence("push_up", push_up_clip(130, reps=2), fps=20, image_size=SIZE).to_dict()
    assert result["reps"]["count"] == 2
    for rep in result["reps"]["per_rep"]:
        assert "partial_range_of_motion" in {issue["code"] for issue in rep["issues"]}


def test_sagging_through_a_rep_fails_that_rep():
    result = assess_sequence("push_up", push_up_clip(80, reps=1, hip_offset_px=45), fps=20, image_size=SIZE)
    assert result.to_dict()["reps"]["per_rep"][0]["form_ok"] is False
    assert "hips_sagging" in codes(result)


def test_a_plank_hold_has_no_reps_and_is_judged_as_a_whole():
    result = assess_sequence("plank", repeated([side_plank(hip_offset_px=50)] * 30), fps=10, image_size=SIZE)
    data = result.to_dict()
    assert data["reps"]["count"] == 0 and "hips_sagging" in codes(result)


def test_unknown_exercise_is_refused():
    assert not has_rules("juggling")
    with pytest.raises(UnknownExercise):
        assess_pose("juggling", side_plank(), SIZE)


@pytest.mark.parametrize(
    "frames",
    [[], [[[0, 0, 1]] * 16], [[[0, 0]] * 17], [[[float("nan"), 0, 1]] * 17], [[[0, 0, 1.5]] * 17], "text"],
    ids=["empty", "16-joints", "2-values", "nan", "confidence>1", "not-a-list"],
)
def test_bad_keypoint_arrays_are_refused(frames):
    with pytest.raises(InvalidKeypoints):
        validate_keypoint_frames(frames)


def test_valid_keypoints_come_back_as_float_array():
    array = validate_keypoint_frames([side_plank().tolist()] * 3)
    assert array.shape == (3, 17, 3) and array.dtype == np.float32
