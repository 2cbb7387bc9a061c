"""ACSM 2009 / WHO 2020 prescription tables and their age adjustments."""

import pytest

from api.planner import prescription as rx
from api.vocabulary import FITNESS_LEVELS, PLAN_GOALS


@pytest.mark.parametrize(
    "goal,level,sets,reps,rest_s",
    [
        ("strength", "beginner", 2, (8, 12), 120),
        ("strength", "advanced", 4, (3, 6), 240),
        ("hypertrophy", "intermediate", 3, (8, 12), 90),
        ("endurance", "advanced", 3, (15, 25), 30),
        ("power", "intermediate", 2, (3, 6), 180),
    ],
)
def test_the_table_follows_the_acsm_progression_models(goal, level, sets, reps, rest_s):
    p = rx.prescribe(goal, level, 30)
    assert (p.sets, p.rep_range, p.rest_s) == (sets, reps, rest_s)
    assert p.why(goal, level).startswith(f"{sets} x {reps[0]}-{reps[1]} at RPE {p.rpe:g}")
    assert f"{goal}, {level}" in p.why(goal, level)


def test_the_table_has_exactly_the_plan_goals_and_levels():
    assert set(rx._TABLE) == {(goal, level) for goal in PLAN_GOALS for level in FITNESS_LEVELS}


def test_every_goal_and_level_has_a_prescription_with_effort_and_tempo():
    for goal in PLAN_GOALS:
        for level in FITNESS_LEVELS:
            p = rx.prescribe(goal, level, 40)
            assert 1 <= p.sets <= 6 and 1 <= p.rep_range[0] <= p.rep_range[1] <= 25
            assert 4 <= p.rpe <= 9 and p.reps_in_reserve == max(0, round(10 - p.rpe)) and p.seconds_per_rep >= 2


def test_under_eighteens_never_get_near_maximal_loads():
    p = rx.prescribe("strength", "advanced", 15)
    assert p.rep_range[0] >= 8 and p.rpe <= rx.MINOR_MAX_RPE and "no near-maximal" in p.intensity


def test_older_adults_get_a_moderate_ceiling():
    p = rx.prescribe("strength", "advanced", 70)
    assert p.rpe <= rx.OLDER_ADULT_MAX_RPE and p.rep_range[0] >= 6 and p.sets <= 3


def test_assistance_holds_and_warm_up_follow_their_rules():
    base = rx.prescribe("strength", "advanced", 30)
    assistance = rx.for_isolation(base)
    hold = rx.for_hold(base, "beginner")
    assert assistance.rep_range == (5, 8) and assistance.rest_s <= 90
    assert hold.rep_range == rx.HOLD_SECONDS["beginner"] and hold.tempo == "hold"
    assert rx.warm_up_and_cool_down_minutes(10) == (3, 2) and rx.warm_up_and_cool_down_minutes(180) == (10, 8)


def test_aerobic_targets_by_goal_and_age():
    assert rx.aerobic_target_minutes("strength", 30) == 150
    assert rx.aerobic_target_minutes("weight_loss", 30) == 250
    assert rx.aerobic_target_minutes("endurance", 30) == 300
    assert rx.aerobic_target_minutes("strength", 14) == 420


def test_strength_days_follow_the_level_frequency():
    assert [rx.strength_days_for("beginner", d) for d in range(1, 8)] == [1, 2, 3, 3, 3, 3, 3]
    assert [rx.strength_days_for("advanced", d) for d in range(1, 8)] == [1, 2, 3, 4, 5, 6, 6]
