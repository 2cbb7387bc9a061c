"""Plan generation: invariants over random requests (hypothesis), worked examples and refused requests."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.exceptions import InvalidInput
from api.ml.posture.rules import RULES
from api.planner import prescription as rx
from api.planner.catalogue import CATALOGUE, MUSCLE_GROUPS, easier_chain, is_safe_for, usable_with
from api.planner.generator import generate_plan
from api.planner.request import build_request
from api.planner.templates import NON_HEAVY_PATTERNS
from api.vocabulary import BODY_REGIONS, EQUIPMENT, FITNESS_LEVELS, PLAN_GOALS
from tests.unit.planner.plans import TODAY, all_days, all_items, plan_for

STRENGTH_LABELS = sorted(label for label, e in CATALOGUE.items() if e.pattern not in ("cardio", "mobility", "balance"))
POSTURE_CODES = sorted({rule.code for rules in RULES.values() for rule in rules}) + ["a_code_we_do_not_know"]

analyses = st.none() | st.fixed_dictionaries(
    {
        "exercise": st.sampled_from(STRENGTH_LABELS),
        "form_ok": st.booleans(),
        "issues": st.lists(st.sampled_from(POSTURE_CODES), unique=True, max_size=3),
    }
)
requests = st.fixed_dictionaries(
    {
        "goal": st.sampled_from(PLAN_GOALS),
        "fitness_level": st.sampled_from(FITNESS_LEVELS),
        "days_per_week": st.integers(1, 7),
        "session_minutes": st.integers(10, 180),
        "weeks": st.integers(1, 9),
        "age": st.integers(13, 100),
        "weight_kg": st.floats(25, 350),
        "equipment": st.lists(st.sampled_from(EQUIPMENT), unique=True, max_size=8),
        "limitations": st.lists(st.sampled_from(BODY_REGIONS), unique=True, max_size=3),
        "focus_muscles": st.lists(st.sampled_from(MUSCLE_GROUPS), unique=True, max_size=2),
        "analysis": analyses,
    }
)


def item_minutes(item):
    if "sets" in item:
        return item["sets"] * (item["work_s"] + item["rest_s"]) / 60
    return item["minutes"]


def hard_sets(days):
    counts = {}
    for day in days:
        for item in day["exercises"]:
            if CATALOGUE[item["exercise"]].pattern not in ("mobility", "balance", "cardio"):
                for muscle in CATALOGUE[item["exercise"]].primary_muscles:
                    counts[muscle] = counts.get(muscle, 0) + item["sets"]
    return counts


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests)
def test_every_plan_keeps_its_invariants(body):
    request = build_request({}, body, TODAY)
    plan = generate_plan(request)
    assert plan == generate_plan(build_request({}, body, TODAY)), "the same request must give the same plan"
    limitations, equipment = set(body["limitations"]), set(body["equipment"]) | {"body_only"}
    days = all_days(plan)
    assert len(days) == body["days_per_week"] * body["weeks"]
    dates = [date.fromisoformat(day["date"]) for day in days]
    assert dates == sorted(set(dates)) and dates[0] >= request.start_date

    for day in days:
        total = sum(item_minutes(item) for item in all_items(day))
        assert day["estimated_minutes"] <= body["session_minutes"], day
        assert day["estimated_minutes"] == pytest.approx(total, abs=0.06)
        for item in all_items(day):
            exercise = CATALOGUE[item["exercise"]]
            assert is_safe_for(exercise, limitations), (item["exercise"], limitations)
            assert usable_with(exercise, equipment), (item["exercise"], equipment)
            assert item["why"].strip()
        for item in day["exercises"] + [i for i in day["extras"] if "sets" in i]:
            low, high = item["rep_range"] or item["hold_s"]
            assert item["sets"] >= 1 and 0 < low <= high and item["rest_s"] > 0 and 1 <= item["rpe"] <= 10
            assert item["rir"] == max(0, round(10 - item["rpe"]))
            assert f"{item['sets']} x {low}-{high}" in item["why"] or item["role"] != "main"
            if request.minor and item["rep_range"]:
                assert item["rpe"] <= rx.MINOR_MAX_RPE and low >= rx.MINOR_REP_RANGE[0]

    assert all(day["exercises"] for day in days if day["kind"] == "strength"), "a strength day always has work"
    heavy = {}
    for day in days:
        heavy[date.fromisoformat(day["date"])] = {
            m
            for item in day["exercises"]
            if CATALOGUE[item["exercise"]].pattern not in NON_HEAVY_PATTERNS
            for m in item["primary_muscles"]
        }
    for day, muscles in heavy.items():
        overlap = muscles & heavy.get(day + timedelta(days=1), set())
        assert not overlap, f"heavy work on {overlap} on consecutive days from {day}"

    target = plan["aerobic_target_minutes"]
    for week in plan["schedule"]:
        summary = week["summary"]
        counts = hard_sets(week["days"])
        assert counts == summary["sets_per_muscle"]
        assert all(sets <= rx.WEEKLY_SETS_PER_MUSCLE[1] for sets in counts.values())
        if body["days_per_week"] >= 2:
            assert summary["strength_days"] >= rx.WHO_MIN_STRENGTH_DAYS
        assert summary["cardio_moderate_equivalent_minutes"] <= target + 10
        if request.older:
            assert summary["balance_days"] >= min(rx.OLDER_ADULT_BALANCE_DAYS, body["days_per_week"])
    typical = [w for w in plan["schedule"] if not w["deload"]][-1]["summary"]
    if typical["cardio_moderate_equivalent_minutes"] < target:
        assert any(note.startswith("Aerobic work here is") for note in plan["notes"])
    if any(sets < rx.WEEKLY_SETS_PER_MUSCLE[0] for sets in typical["sets_per_muscle"].values()):
        assert any(note.startswith("Under 4 weekly sets") for note in plan["notes"])

    every = plan["deload_every_weeks"]
    assert [w["week"] for w in plan["schedule"] if w["deload"]] == (
        list(range(every, body["weeks"] + 1, every)) if body["weeks"] >= every else []
    )
    if body["goal"] in ("weight_loss", "general_fitness"):
        assert all(day["calories"] > 0 for day in days)
    else:
        assert all(day["calories"] is None for day in days)
    for swap in plan["substitutions"]:
        assert not is_safe_for(CATALOGUE[swap["replaced"]], limitations)
        assert is_safe_for(CATALOGUE[swap["by"]], limitations)

    analysis = body["analysis"]
    if analysis and analysis["form_ok"] is False and request.session_minutes >= 20:
        main = {item["exercise"] for day in days for item in day["exercises"]}
        correctives = [i for day in days for i in day["extras"] if i["role"] == "corrective"]
        faulty = CATALOGUE[analysis["exercise"]]
        if faulty.easier and any(e.label in main for e in easier_chain(faulty)):
            assert faulty.label not in main
        assert not correctives or all("analysis" in i["why"] for i in correctives)


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
    plan = plan_for(profile, weeks=4)
    days = all_days(plan)
    labels = {item["exercise"] for day in days for item in all_items(day)}
    assert not labels & {"squat", "bodyweight_squat", "lunge", "jogging", "box_jump", "leg_press", "split_squat"}
    assert "chair_squat" in labels, "sit-to-stand stands in for the squat"
    assert {"replaced": "bodyweight_squat", "by": "chair_squat"}.items() <= plan["substitutions"][0].items()
    assert any("knee" in note for note in plan["notes"])
    for week in plan["schedule"]:
        assert week["summary"]["balance_days"] >= 3 and week["summary"]["strength_days"] >= 2
    assert all(item["rpe"] <= 6.5 for day in days for item in day["exercises"])
    first, third = plan["schedule"][0]["days"][0], plan["schedule"][2]["days"][0]
    assert sum(i["sets"] for i in first["exercises"]) < sum(i["sets"] for i in third["exercises"]), "gentle start"
    assert "push_up" not in labels and "incline_push_up" in labels, "65+ beginners start with an easier push-up"
    assert plan["split"] == "full_body" and plan["strength_days_per_week"] == 3
    assert all(day["calories"] > 0 for day in days)


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
    plan = plan_for(profile, weeks=8)
    assert plan["strength_days_per_week"] == 5 and plan["split"] == "upper_lower_push_pull_legs"
    week = plan["schedule"][1]
    main = [item for day in week["days"] for item in day["exercises"]]
    assert {"squat", "bench_press", "deadlift", "row", "shoulder_press"} <= {i["exercise"] for i in main}
    first_lifts = [day["exercises"][0] for day in week["days"]]
    assert all(i["rep_range"] == [3, 6] and i["rest_s"] >= 180 and i["rpe"] >= 8 for i in first_lifts)
    assistance = [i for i in main if CATALOGUE[i["exercise"]].pattern == "isolation"]
    assert assistance and all(i["rest_s"] <= 90 and i["rep_range"][0] > 3 for i in assistance)
    assert [w["week"] for w in plan["schedule"] if w["deload"]] == [4, 8]
    deload, normal = plan["schedule"][3]["days"][0]["exercises"], plan["schedule"][2]["days"][0]["exercises"]
    assert [i["sets"] for i in deload] == [(i["sets"] + 1) // 2 for i in normal]
    assert all(d["rpe"] < n["rpe"] for d, n in zip(deload, normal, strict=True))
    assert "3-6" in plan["prescription"]["why"] and "advanced" in plan["prescription"]["why"]
    assert all(day["estimated_minutes"] <= 75 for day in all_days(plan))


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
    plan = plan_for(profile, weeks=4)
    days = all_days(plan)
    assert all(CATALOGUE[i["exercise"]].is_bodyweight for day in days for i in all_items(day))
    assert [day["kind"] for day in plan["schedule"][0]["days"]].count("cardio") == 1
    summary = plan["schedule"][1]["summary"]
    assert summary["strength_days"] == 3 and summary["cardio_moderate_minutes"] >= 60
    assert summary["calories"] == sum(day["calories"] for day in plan["schedule"][1]["days"])
    walk = next(i for i in days[0]["extras"] if i["role"] == "cardio")
    kcal = sum(i["met"] * 3.5 * 95 / 200 * i["minutes"] for i in all_items(days[0]))
    assert days[0]["calories"] == round(kcal) and walk["intensity"] == "moderate"
    assert any("250" in note for note in plan["notes"]), "the weight-loss aerobic target is explained"


def test_form_faults_in_an_analysis_bring_the_easier_variant_and_correctives():
    profile = {
        "fitness_level": "intermediate",
        "goal": "hypertrophy",
        "days_per_week": 3,
        "session_minutes": 60,
        "equipment": ["barbell", "bench", "dumbbell"],
    }
    analysis = {"exercise": "squat", "form_ok": False, "issues": ["knees_caving_in", "insufficient_depth"]}
    plan = plan_for(profile, weeks=2, analysis=analysis)
    main = [item for day in all_days(plan) for item in day["exercises"]]
    extras = [item["exercise"] for day in all_days(plan) for item in day["extras"]]
    assert "squat" not in {i["exercise"] for i in main}
    goblet = next(i for i in main if i["exercise"] == "goblet_squat")
    assert "knees_caving_in" in goblet["why"]
    assert {"glute_bridge", "ankle_mobility"} <= set(extras), "one corrective for each fault"


def test_a_good_analysis_puts_its_exercise_in_the_plan():
    profile = {
        "fitness_level": "beginner",
        "goal": "general_fitness",
        "days_per_week": 2,
        "session_minutes": 45,
        "equipment": ["dumbbell", "bench"],
    }
    analysis = {"exercise": "hip_thrust", "form_ok": True, "issues": []}
    plan = plan_for(profile, weeks=1, analysis=analysis)
    thrusts = [i for day in all_days(plan) for i in day["exercises"] if i["exercise"] == "hip_thrust"]
    assert not thrusts, "a barbell hip thrust needs a barbell this person does not have"
    assert any("Barbell hip thrust" in note for note in plan["notes"])
    analysis["exercise"] = "dumbbell_row"
    plan = plan_for(profile, weeks=1, analysis=analysis)
    rows = [i for day in all_days(plan) for i in day["exercises"] if i["exercise"] == "dumbbell_row"]
    assert rows and all("good form" in i["why"] for i in rows)


def test_focus_muscles_get_their_own_work():
    profile = {
        "fitness_level": "intermediate",
        "goal": "hypertrophy",
        "days_per_week": 4,
        "session_minutes": 90,
        "equipment": ["dumbbell", "bench", "cable"],
    }
    plain = plan_for(profile, weeks=1)["schedule"][0]["summary"]
    focused = plan_for(profile, weeks=1, focus_muscles=["shoulders"])
    assert focused["schedule"][0]["summary"]["sets_per_muscle"]["shoulders"] > plain["sets_per_muscle"]["shoulders"]


def test_a_teenager_gets_no_near_maximal_loading_and_the_youth_target():
    profile = {
        "age": 15,
        "fitness_level": "advanced",
        "goal": "strength",
        "days_per_week": 4,
        "session_minutes": 60,
        "equipment": ["barbell", "bench"],
    }
    plan = plan_for(profile, weeks=1)
    reps = [i for day in all_days(plan) for i in day["exercises"] if i["rep_range"]]
    assert reps and all(i["rep_range"][0] >= 8 and i["rpe"] <= 7 for i in reps)
    assert plan["aerobic_target_minutes"] == 420 and any("60 min" in note for note in plan["notes"])


def test_one_day_a_week_says_it_cannot_meet_the_strength_guideline():
    plan = plan_for({}, days_per_week=1, weeks=1)
    assert plan["strength_days_per_week"] == 1
    assert any("at least 2 days" in note for note in plan["notes"])


def test_a_year_long_plan_is_quick_and_deloads_on_schedule():
    profile = {
        "fitness_level": "intermediate",
        "goal": "hypertrophy",
        "days_per_week": 6,
        "session_minutes": 90,
        "equipment": list(EQUIPMENT),
    }
    plan = plan_for(profile, weeks=52)
    assert len(plan["schedule"]) == 52 and len(all_days(plan)) == 6 * 52
    assert [w["week"] for w in plan["schedule"] if w["deload"]] == list(range(5, 53, 5))


@pytest.mark.parametrize(
    "override,field",
    [
        ({"days_per_week": 0}, "days_per_week"),
        ({"days_per_week": 8}, "days_per_week"),
        ({"session_minutes": 5}, "session_minutes"),
        ({"session_minutes": 181}, "session_minutes"),
        ({"equipment": ["spaceship"]}, "equipment"),
        ({"limitations": ["soul"]}, "limitations"),
        ({"focus_muscles": ["wings"]}, "focus_muscles"),
        ({"goal": "bulk"}, "goal"),
        ({"fitness_level": "elite"}, "fitness_level"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 53}, "weeks"),
        ({"age": 12}, "age"),
        ({"weight_kg": -3}, "weight_kg"),
        ({"start_date": "tomorrow"}, "start_date"),
        ({"start_date": "2031-01-01"}, "start_date"),
        ({"analysis": {"exercise": "juggling", "form_ok": False}}, "analysis"),
        ({"analysis": {"exercise": "squat", "form_ok": "no"}}, "analysis"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(override, field):
    with pytest.raises(InvalidInput) as raised:
        build_request({}, override, TODAY)
    assert field in raised.value.details


def test_unknown_equipment_is_refused_with_the_allowed_list():
    with pytest.raises(InvalidInput) as raised:
        build_request({}, {"equipment": ["dumbbell", "hoverboard"]}, TODAY)
    message = raised.value.details["equipment"]
    assert "hoverboard" in message and all(item in message for item in EQUIPMENT)
