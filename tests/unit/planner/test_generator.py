"""Plan generation: invariants over random requests (hypothesis) and worked examples."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.exceptions import InvalidInput
from api.ml.recognition import LABELS
from api.planner import prescription as rx
from api.planner.catalogue import CATALOGUE, MUSCLE_GROUPS, is_safe_for, usable_with
from api.planner.generator import PLAN_GOALS, build_request, generate_plan
from api.vocabulary import BODY_REGIONS, EQUIPMENT, FITNESS_LEVELS

TODAY = date(2026, 11, 24)

requests = st.fixed_dictionaries(
    {
        "goal": st.sampled_from(PLAN_GOALS),
        "fitness_level": st.sampled_from(FITNESS_LEVELS),
        "days_per_week": st.integers(1, 7),
        "session_minutes": st.integers(10, 180),
        "weeks": st.integers(1, 8),
        "age": st.integers(13, 100),
        "weight_kg": st.floats(25, 350),
        "equipment": st.lists(st.sampled_from(EQUIPMENT), unique=True, max_size=6),
        "limitations": st.lists(st.sampled_from(BODY_REGIONS), unique=True, max_size=3),
        "focus_muscles": st.lists(st.sampled_from(MUSCLE_GROUPS), unique=True, max_size=2),
    }
)


def all_days(plan):
    return [day for week in plan["schedule"] for day in week["days"]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_every_plan_keeps_its_invariants(body):
    request = build_request({}, body, TODAY)
    plan = generate_plan(request)
    assert plan == generate_plan(request), "same inputs must give the same plan"
    limitations, equipment = set(body["limitations"]), set(body["equipment"]) | {"body_only"}
    days = all_days(plan)
    assert len(days) == body["days_per_week"] * body["weeks"]
    heavy_days = {}
    for day in days:
        assert day["estimated_minutes"] <= body["session_minutes"] + 0.5, day
        for item in day["warm_up"] + day["exercises"] + day["extras"] + day["cool_down"]:
            exercise = CATALOGUE[item["exercise"]]
            assert is_safe_for(exercise, limitations), (item["exercise"], limitations)
            assert usable_with(exercise, equipment), (item["exercise"], equipment)
            assert item["why"]
        for item in day["exercises"]:
            low, high = item["rep_range"]
            assert item["sets"] >= 1 and low <= high and item["rest_s"] > 0 and 1 <= item["rpe"] <= 10
            if body["age"] < rx.MINOR_AGE:
                assert item["rpe"] <= rx.MINOR_MAX_RPE
        if day["exercises"]:
            heavy_days[date.fromisoformat(day["date"])] = {m for i in day["exercises"] for m in i["primary_muscles"]}
    for day, muscles in heavy_days.items():
        overlap = muscles & heavy_days.get(day + timedelta(days=1), set())
        assert not overlap, f"same muscles {overlap} on consecutive days {day}"
    for week in plan["schedule"]:
        assert all(sets <= rx.WEEKLY_SETS_PER_MUSCLE[1] for sets in week["summary"]["sets_per_muscle"].values())
        if body["days_per_week"] >= 2:
            assert week["summary"]["strength_days"] >= 2
    if body["goal"] in ("weight_loss", "general_fitness"):
        assert all(day["calories"] is not None and day["calories"] > 0 for day in days)


def test_catalogue_covers_every_recognition_label_and_its_references_resolve():
    assert len(CATALOGUE) >= 80
    assert set(LABELS) <= set(CATALOGUE)
    for exercise in CATALOGUE.values():
        assert exercise.easier is None or exercise.easier in CATALOGUE
        assert exercise.harder is None or exercise.harder in CATALOGUE
        assert exercise.met > 0 and exercise.cues


def test_seventy_year_old_beginner_with_a_knee_limitation():
    profile = {
        "age": 70,
        "fitness_level": "beginner",
        "goal": "general_fitness",
        "limitations": ["knee"],
        "days_per_week": 3,
        "session_minutes": 45,
        "weight_kg": 72,
    }
    plan = generate_plan(build_request(profile, {"weeks": 4}, TODAY))
    days = all_days(plan)
    labels = {item["exercise"] for day in days for item in day["exercises"] + day["extras"]}
    assert not labels & {"squat", "bodyweight_squat", "lunge", "jogging", "box_jump", "leg_press"}
    assert (
        sum(
            1
            for day in plan["schedule"][0]["days"]
            if any(CATALOGUE[i["exercise"]].pattern == "balance" for i in day["extras"])
        )
        >= 3
    )
    assert all(item["rpe"] <= 6.5 for day in days for item in day["exercises"])
    assert any("knee" in note for note in plan["notes"])
    assert plan["split"] == "full_body"


def test_twenty_five_year_old_advanced_lifter_for_strength_on_five_days():
    profile = {
        "age": 25,
        "fitness_level": "advanced",
        "goal": "strength",
        "days_per_week": 5,
        "session_minutes": 75,
        "equipment": ["barbell", "bench", "dumbbell", "pull_up_bar", "cable", "machine"],
        "weight_kg": 85,
    }
    plan = generate_plan(build_request(profile, {"weeks": 6}, TODAY))
    assert plan["strength_days_per_week"] == 5 and plan["split"] == "upper_lower_push_pull_legs"
    main = [item for day in plan["schedule"][1]["days"] for item in day["exercises"] if item["exercise"] != "plank"]
    compounds = [i for i in main if CATALOGUE[i["exercise"]].pattern != "isolation"]
    assert all(i["rep_range"] == [3, 6] and i["rest_s"] >= 180 for i in compounds)
    assert {"squat", "bench_press", "deadlift"} <= {i["exercise"] for i in main}
    assert plan["schedule"][4]["deload"] is True
    assert "3-6" in plan["prescription"]["why"] and "advanced" in plan["prescription"]["why"]


def test_forty_year_old_losing_weight_with_body_weight_only():
    profile = {
        "age": 40,
        "fitness_level": "beginner",
        "goal": "weight_loss",
        "days_per_week": 4,
        "session_minutes": 45,
        "equipment": ["body_only"],
        "weight_kg": 95,
    }
    plan = generate_plan(build_request(profile, {"weeks": 4}, TODAY))
    days = all_days(plan)
    assert all(CATALOGUE[i["exercise"]].is_bodyweight for day in days for i in day["exercises"] + day["extras"])
    summary = plan["schedule"][0]["summary"]
    assert summary["calories"] > 0 and summary["cardio_moderate_minutes"] > 0
    assert any(day["kind"] == "cardio" for day in days)


def test_form_faults_in_an_analysis_bring_the_easier_variant_and_correctives():
    profile = {
        "fitness_level": "intermediate",
        "goal": "hypertrophy",
        "days_per_week": 3,
        "session_minutes": 60,
        "equipment": ["barbell", "bench", "dumbbell"],
    }
    analysis = {"exercise": "squat", "form_ok": False, "issues": ["knees_caving_in"]}
    plan = generate_plan(build_request(profile, {"weeks": 2, "analysis": analysis}, TODAY))
    labels = [item["exercise"] for day in all_days(plan) for item in day["exercises"]]
    extras = [item["exercise"] for day in all_days(plan) for item in day["extras"]]
    assert "squat" not in labels and "goblet_squat" in labels
    assert "glute_bridge" in extras


@pytest.mark.parametrize(
    "override,field",
    [
        ({"days_per_week": 0}, "days_per_week"),
        ({"days_per_week": 8}, "days_per_week"),
        ({"session_minutes": 5}, "session_minutes"),
        ({"equipment": ["spaceship"]}, "equipment"),
        ({"goal": "bulk"}, "goal"),
        ({"weeks": 0}, "weeks"),
        ({"start_date": "tomorrow"}, "start_date"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(override, field):
    with pytest.raises(InvalidInput) as raised:
        build_request({}, override, TODAY)
    assert field in raised.value.details
