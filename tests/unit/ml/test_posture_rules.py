"""Every form rule on constructed keypoints: good form passes, the fault is reported with its measure and
threshold, hidden joints and the wrong camera view skip the check instead of raising a false alarm."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from api.ml.keypoints import KEYPOINT_INDEX
from api.ml.posture import assess_pose, assess_sequence
from api.ml.posture.rules import RULES, Rule
from tests.unit.ml.skeletons import (
    clip,
    front_feet,
    front_pose,
    hide,
    pull_up_front,
    push_up_front,
    rep_values,
    side_feet,
    side_plank_front,
    side_pose,
    split_stance,
)

SIZE = (640, 480)
FPS = 10.0


@dataclass(frozen=True)
class Case:
    """A rule's good and faulty keypoints: one pose for a held-posture rule, a clip of reps for a rep rule."""

    exercise: str
    code: str
    good: Callable[[], np.ndarray]
    bad: Callable[[], np.ndarray]

    @property
    def rule(self) -> Rule:
        return next(rule for rule in RULES[self.exercise] if rule.code == self.code)

    def assess(self, keypoints: np.ndarray):
        if keypoints.ndim == 2:
            return assess_pose(self.exercise, keypoints, SIZE)
        return assess_sequence(self.exercise, keypoints, FPS, SIZE)


def reps_of(pose: Callable[[float], np.ndarray], rest: float, turn: float) -> Callable[[], np.ndarray]:
    return lambda: clip([pose(value) for value in rep_values(rest, turn)])


def plank(hip_deg=180.0, neck_deg=0.0):
    return side_pose(trunk_deg=90, hip_deg=hip_deg, shoulder_deg=90, elbow_deg=90, neck_deg=neck_deg)


def push_up(hip_deg=180.0, neck_deg=0.0, elbow_deg=170.0):
    return side_pose(trunk_deg=90, hip_deg=hip_deg, shoulder_deg=90, elbow_deg=elbow_deg, neck_deg=neck_deg)


def squat(knee_deg=100.0, trunk_deg=30.0):
    return side_pose(trunk_deg=trunk_deg, hip_deg=knee_deg, knee_deg=knee_deg, shoulder_deg=80)


def hinge(hip_deg=135.0, knee_deg=165.0):
    return side_pose(trunk_deg=180 - hip_deg, hip_deg=hip_deg, knee_deg=knee_deg)


def curl(elbow_deg=170.0, shoulder_deg=5.0, trunk_deg=0.0):
    return side_pose(trunk_deg=trunk_deg, shoulder_deg=shoulder_deg, elbow_deg=elbow_deg)


def bridge(hip_deg):
    return side_pose(trunk_deg=100, hip_deg=hip_deg, knee_deg=90)


def press_front(elbow_deg):
    return front_pose(arm_raise_deg=90, elbow_deg=elbow_deg)


def raise_front(raise_deg):
    return front_pose(arm_raise_deg=raise_deg, elbow_deg=170)


CASES = [
    Case("plank", "hips_sagging", plank, lambda: plank(hip_deg=205)),
    Case("plank", "hips_too_high", plank, lambda: plank(hip_deg=140)),
    Case("plank", "head_dropping", plank, lambda: plank(neck_deg=45)),
    Case("push_up", "hips_sagging", push_up, lambda: push_up(hip_deg=205)),
    Case("push_up", "hips_too_high", push_up, lambda: push_up(hip_deg=140)),
    Case("push_up", "head_dropping", push_up, lambda: push_up(neck_deg=45)),
    Case(
        "push_up",
        "partial_range_of_motion",
        reps_of(lambda e: push_up(elbow_deg=e), 170, 80),
        reps_of(lambda e: push_up(elbow_deg=e), 170, 130),
    ),
    Case("push_up", "elbows_flared", lambda: push_up_front(15), lambda: push_up_front(60)),
    Case("side_plank", "hips_sagging", lambda: side_plank_front(0), lambda: side_plank_front(60)),
    Case("hip_thrust", "incomplete_hip_extension", reps_of(bridge, 110, 178), reps_of(bridge, 110, 145)),
    Case(
        "sit_up",
        "partial_range_of_motion",
        reps_of(lambda h: side_pose(trunk_deg=h - 180, hip_deg=h, knee_deg=90), 150, 60),
        reps_of(lambda h: side_pose(trunk_deg=h - 180, hip_deg=h, knee_deg=90), 150, 100),
    ),
    Case(
        "crunch",
        "pulling_on_neck",
        lambda: side_pose(trunk_deg=-70, hip_deg=110, knee_deg=90, neck_deg=15),
        lambda: side_pose(trunk_deg=-70, hip_deg=110, knee_deg=90, neck_deg=65),
    ),
    Case("squat", "insufficient_depth", reps_of(lambda k: squat(k), 175, 85), reps_of(lambda k: squat(k), 175, 130)),
    Case("squat", "knees_caving_in", lambda: front_pose(knee_gap_px=130), lambda: front_pose(knee_gap_px=70)),
    Case("squat", "excessive_forward_lean", lambda: squat(trunk_deg=30), lambda: squat(trunk_deg=70)),
    Case(
        "lunge", "insufficient_depth", reps_of(lambda k: squat(k, 5), 175, 85), reps_of(lambda k: squat(k, 5), 175, 130)
    ),
    Case("squat", "knee_past_toes", lambda: side_feet(squat()), lambda: side_feet(squat(), toe_ahead_px=-20)),
    Case("squat", "heels_lifting", lambda: side_feet(squat()), lambda: side_feet(squat(), heel_rise_deg=30)),
    Case(
        "squat",
        "stance_too_narrow",
        lambda: front_feet(front_pose()),
        lambda: front_feet(front_pose(knee_gap_px=60, ankle_gap_px=60)),
    ),
    Case(
        "squat",
        "stance_too_wide",
        lambda: front_feet(front_pose()),
        lambda: front_feet(front_pose(knee_gap_px=300, ankle_gap_px=300)),
    ),
    Case("lunge", "torso_leaning", lambda: squat(trunk_deg=10), lambda: squat(trunk_deg=45)),
    Case("lunge", "heels_lifting", split_stance, lambda: split_stance(front_heel_rise_deg=30)),
    Case("wall_sit", "thighs_not_parallel", lambda: squat(90, 0), lambda: squat(140, 0)),
    Case("wall_sit", "back_off_wall", lambda: squat(90, 5), lambda: squat(90, 35)),
    Case("deadlift", "incomplete_lockout", reps_of(hinge, 90, 178), reps_of(hinge, 90, 150)),
    Case(
        "deadlift",
        "bar_drifting_forward",
        lambda: side_pose(shoulder_deg=0),
        lambda: side_pose(shoulder_deg=60),
    ),
    Case("romanian_deadlift", "knees_too_bent", lambda: hinge(135, 165), lambda: hinge(135, 110)),
    Case("romanian_deadlift", "insufficient_hinge", reps_of(hinge, 175, 100), reps_of(hinge, 175, 140)),
    Case("biceps_curl", "partial_range_of_motion", reps_of(curl, 170, 45), reps_of(curl, 170, 100)),
    Case("biceps_curl", "incomplete_extension", reps_of(curl, 170, 45), reps_of(curl, 120, 45)),
    Case("biceps_curl", "elbows_drifting_forward", lambda: curl(60, 10), lambda: curl(60, 50)),
    Case("biceps_curl", "torso_swinging", lambda: curl(60, trunk_deg=3), lambda: curl(60, trunk_deg=25)),
    Case("shoulder_press", "incomplete_lockout", reps_of(press_front, 80, 175), reps_of(press_front, 80, 130)),
    Case(
        "shoulder_press",
        "excessive_back_arch",
        lambda: side_pose(trunk_deg=-5, shoulder_deg=175, elbow_deg=170),
        lambda: side_pose(trunk_deg=-30, shoulder_deg=175, elbow_deg=170),
    ),
    Case("lateral_raise", "arms_too_high", lambda: raise_front(90), lambda: raise_front(150)),
    Case("lateral_raise", "partial_range_of_motion", reps_of(raise_front, 10, 90), reps_of(raise_front, 10, 50)),
    Case(
        "row",
        "partial_range_of_motion",
        reps_of(lambda e: side_pose(trunk_deg=45, hip_deg=135, knee_deg=160, shoulder_deg=45, elbow_deg=e), 170, 70),
        reps_of(lambda e: side_pose(trunk_deg=45, hip_deg=135, knee_deg=160, shoulder_deg=45, elbow_deg=e), 170, 130),
    ),
    Case("pull_up", "chin_below_bar", reps_of(pull_up_front, 170, 45), reps_of(pull_up_front, 170, 90)),
    Case("pull_up", "incomplete_extension", reps_of(pull_up_front, 170, 45), reps_of(pull_up_front, 130, 45)),
]
IDS = [f"{case.exercise}-{case.code}" for case in CASES]


def issue_codes(assessment) -> set[str]:
    return {issue.code for issue in assessment.issues}


def skipped_reasons(assessment) -> dict[str, str]:
    return {item.code: item.reason for item in assessment.skipped}


def seen_from_the_other_view(keypoints: np.ndarray, rule_view: str) -> np.ndarray:
    """The same keypoints with the shoulders moved so the view detector sees the view the rule cannot use."""
    moved = np.array(keypoints, copy=True)
    left, right = KEYPOINT_INDEX["left_shoulder"], KEYPOINT_INDEX["right_shoulder"]
    if rule_view == "side":
        moved[..., right, 0] = moved[..., left, 0] + 400.0
    else:
        moved[..., right, :2] = moved[..., left, :2]
    return moved


def test_every_rule_has_a_case():
    tested = {id(case.rule) for case in CASES}
    untested = sorted(
        {f"{exercise}:{rule.code}" for exercise, rules in RULES.items() for rule in rules if id(rule) not in tested}
    )
    assert untested == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_good_form_passes_the_check(case: Case):
    result = case.assess(case.good())
    assert case.code not in issue_codes(result)
    assert case.code in result.checked


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fault_is_reported_with_measure_and_threshold(case: Case):
    result = case.assess(case.bad())
    issue = next(issue for issue in result.issues if issue.code == case.code)
    rule = case.rule
    if rule.fault_when == "above":
        assert issue.measured > issue.threshold
    else:
        assert issue.measured < issue.threshold
    assert issue.threshold == rule.threshold and issue.unit == rule.unit
    assert issue.message and issue.correction and issue.severity == rule.severity
    assert result.score < 100


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hidden_joints_skip_the_check_instead_of_guessing(case: Case):
    result = case.assess(hide(case.bad(), *case.rule.joints))
    assert case.code not in issue_codes(result)
    assert case.code in skipped_reasons(result)


VIEW_CASES = [case for case in CASES if case.rule.view]


@pytest.mark.parametrize("case", VIEW_CASES, ids=[f"{case.exercise}-{case.code}" for case in VIEW_CASES])
def test_a_view_that_cannot_show_the_fault_skips_the_check(case: Case):
    result = case.assess(seen_from_the_other_view(case.bad(), case.rule.view))
    assert case.code not in issue_codes(result)
    assert f"needs a {case.rule.view} view" in skipped_reasons(result)[case.code]
