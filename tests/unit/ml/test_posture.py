"""The posture service's public interface: exercises, catalogue checks, photo and clip assessments, bad input."""

import json

import numpy as np
import pytest

from api.exceptions import InvalidKeypoints, UnknownExercise
from api.ml.posture import (
    SUPPORTED_EXERCISES,
    PostureAssessment,
    assess_pose,
    assess_sequence,
    checks_for,
    has_rules,
)
from tests.unit.ml.skeletons import clip, hide, rep_values, side_pose

SIZE = (640, 480)
FPS = 10.0
REQUIRED = {
    "squat", "push_up", "plank", "lunge", "biceps_curl", "shoulder_press", "deadlift",
    "romanian_deadlift", "lateral_raise", "row", "pull_up", "hip_thrust",
}  # fmt: skip


def push_up(elbow_deg=170.0, hip_deg=180.0, facing="right"):
    return side_pose(trunk_deg=90, hip_deg=hip_deg, shoulder_deg=90, elbow_deg=elbow_deg, facing=facing)


def push_up_clip(bottom_deg=80.0, reps=3, hip_deg=180.0, facing="right") -> np.ndarray:
    return clip([push_up(angle, hip_deg, facing) for angle in rep_values(170.0, bottom_deg, reps=reps)])


def codes(assessment) -> set[str]:
    return {issue.code for issue in assessment.issues}


def test_the_required_exercises_and_more_have_rules():
    assert REQUIRED <= SUPPORTED_EXERCISES and len(SUPPORTED_EXERCISES) > len(REQUIRED)
    assert all(has_rules(exercise) for exercise in REQUIRED)


def test_catalogue_checks_name_their_code_and_what_they_look_for():
    checks = checks_for("push_up")
    assert {"hips_sagging", "hips_too_high", "partial_range_of_motion"} <= {check["code"] for check in checks}
    assert all(check["description"] and check["source"] for check in checks)
    assert checks_for("juggling") == [] and not has_rules("juggling") and not has_rules(None)


@pytest.mark.parametrize("assess", [lambda: assess_pose("juggling", push_up(), SIZE),
                                    lambda: assess_sequence("juggling", push_up_clip(), FPS, SIZE)])  # fmt: skip
def test_an_unknown_exercise_is_refused_with_the_supported_list(assess):
    with pytest.raises(UnknownExercise) as error:
        assess()
    assert "push_up" in error.value.details["supported"]


def test_a_photo_assessment_is_json_ready_with_score_view_and_angles():
    result = assess_pose("push_up", push_up(hip_deg=205), SIZE).to_dict()
    json.dumps(result)
    assert set(result) >= {"exercise", "assessed", "score", "form_ok", "view", "issues", "skipped", "angles"}
    assert result["assessed"] is True and "reason" not in result
    assert result["view"] == "side" and result["form_ok"] is False and 0 <= result["score"] < 100
    issue = result["issues"][0]
    assert set(issue) == {"code", "message", "correction", "severity", "measured", "threshold", "unit"}
    assert result["angles"]["elbow_deg"] == pytest.approx(170.0, abs=0.5)


def test_a_posture_not_assessed_is_the_same_type_and_says_only_why():
    posture = PostureAssessment.not_assessed("no posture rules for bench_press yet", "bench_press")
    assert (posture.assessed, posture.score, posture.form_ok, posture.rep_count) == (False, None, None, None)
    assert posture.to_dict() == {
        "exercise": "bench_press",
        "assessed": False,
        "reason": "no posture rules for bench_press yet",
        "score": None,
        "form_ok": None,
        "view": "unclear",
        "issues": [],
        "skipped": [],
    }
    assert posture.reps_dict() is None


def test_range_of_motion_needs_a_clip_on_a_photo():
    result = assess_pose("push_up", push_up(elbow_deg=150), SIZE)
    reasons = {item.code: item.reason for item in result.skipped}
    assert "clip" in reasons["partial_range_of_motion"] and "partial_range_of_motion" not in codes(result)


def test_full_push_ups_are_counted_and_pass_rep_by_rep():
    result = assess_sequence("push_up", push_up_clip(reps=3), FPS, SIZE).to_dict()
    json.dumps(result)
    assert result["reps"]["count"] == 3 and result["form_ok"] is True and result["score"] == 100
    first = result["reps"]["per_rep"][0]
    assert set(first) >= {"index", "start_s", "end_s", "duration_s", "range_of_motion_deg", "min_angle_deg"}
    assert first["range_of_motion_deg"] > 80 and first["duration_s"] == pytest.approx(1.9, abs=0.3)
    assert all(rep["form_ok"] and rep["issues"] == [] for rep in result["reps"]["per_rep"])


def test_sagging_through_the_clip_fails_every_rep():
    result = assess_sequence("push_up", push_up_clip(hip_deg=205, reps=2), FPS, SIZE)
    assert "hips_sagging" in codes(result) and result.form_ok is False
    assert all(not rep["form_ok"] for rep in result.to_dict()["reps"]["per_rep"])


def test_one_shallow_rep_among_good_ones_is_the_only_one_flagged():
    angles = rep_values(170.0, 80.0, reps=1) + rep_values(170.0, 118.0, reps=1)[4:] + rep_values(170.0, 80.0, 1)[4:]
    result = assess_sequence("push_up", clip([push_up(angle) for angle in angles]), FPS, SIZE).to_dict()
    assert [rep["form_ok"] for rep in result["reps"]["per_rep"]] == [True, False, True]
    assert result["form_ok"] is False and 0 < result["score"] < 100


def test_a_one_frame_glitch_is_not_a_fault():
    frames = clip([side_pose(trunk_deg=90, shoulder_deg=90, elbow_deg=90)] * 30)
    frames[12] = side_pose(trunk_deg=90, shoulder_deg=90, elbow_deg=90, hip_deg=215)
    result = assess_sequence("plank", frames, FPS, SIZE)
    assert codes(result) == set() and "hips_sagging" in result.checked


def test_a_plank_hold_has_no_reps_and_is_judged_as_a_whole():
    frames = clip([side_pose(trunk_deg=90, shoulder_deg=90, elbow_deg=90, hip_deg=205)] * 30)
    result = assess_sequence("plank", frames, FPS, SIZE).to_dict()
    assert result["reps"]["count"] == 0 and "hips_sagging" in {issue["code"] for issue in result["issues"]}


def test_a_push_up_clip_without_a_rep_says_so_instead_of_judging_depth():
    result = assess_sequence("push_up", clip([push_up(165)] * 30), FPS, SIZE)
    reasons = {item.code: item.reason for item in result.skipped}
    assert reasons["partial_range_of_motion"] == "no complete rep was seen"


def test_frames_where_the_person_is_lost_are_ignored():
    frames = push_up_clip(reps=2, hip_deg=205)
    frames[::3] = 0.0
    result = assess_sequence("push_up", frames, FPS, SIZE)
    assert result.to_dict()["reps"]["count"] == 2 and "hips_sagging" in codes(result)


def test_a_clip_where_the_hips_are_never_seen_skips_the_hip_checks():
    result = assess_sequence("push_up", hide(push_up_clip(hip_deg=205), "hip"), FPS, SIZE)
    skipped = {item.code for item in result.skipped}
    assert {"hips_sagging", "hips_too_high"} <= skipped and not codes(result) & skipped


def test_facing_left_or_right_gives_the_same_verdict():
    right = assess_sequence("push_up", push_up_clip(hip_deg=205, reps=2), FPS, SIZE)
    left = assess_sequence("push_up", push_up_clip(hip_deg=205, reps=2, facing="left"), FPS, SIZE)
    assert codes(left) == codes(right) and left.score == right.score


def test_normalised_coordinates_are_judged_like_pixels():
    pixels = push_up_clip(hip_deg=205, reps=2)
    normalised = pixels.copy()
    normalised[..., 0] /= SIZE[0]
    normalised[..., 1] /= SIZE[1]
    assert codes(assess_sequence("push_up", normalised, FPS, SIZE)) == codes(
        assess_sequence("push_up", pixels, FPS, SIZE)
    )


@pytest.mark.parametrize(
    "frames", [np.zeros((0, 17, 3)), np.zeros((4, 16, 3)), np.full((4, 17, 3), np.nan)], ids=["empty", "16", "nan"]
)
def test_malformed_frames_are_refused(frames):
    with pytest.raises(InvalidKeypoints):
        assess_sequence("push_up", frames, FPS, SIZE)


def test_fps_must_be_positive():
    with pytest.raises(InvalidKeypoints):
        assess_sequence("push_up", push_up_clip(), 0, SIZE)


def test_a_photo_pose_of_the_wrong_shape_is_refused():
    with pytest.raises(InvalidKeypoints) as error:
        assess_pose("plank", [[1.0, 2.0, 0.9]] * 16, SIZE)
    assert error.value.details["shape"] == [1, 16, 3]
