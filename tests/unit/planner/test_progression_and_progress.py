"""Adaptation over simulated weeks of logs, progress series, exports and charts."""

import csv
import io
from datetime import date, timedelta

from PIL import Image

from api.planner.charts import PROGRESS_CHARTS, render_progress_chart
from api.planner.export import plan_to_csv, plan_to_ics
from api.planner.generator import build_request, generate_plan
from api.planner.progress import compute_progress, epley_one_rm
from api.planner.progression import adapt_plan, decide

START = date(2026, 1, 5)
PROFILE = {
    "fitness_level": "intermediate",
    "goal": "hypertrophy",
    "days_per_week": 3,
    "session_minutes": 60,
    "equipment": ["barbell", "bench", "dumbbell"],
    "weight_kg": 80,
}


def plan():
    return generate_plan(build_request(PROFILE, {"weeks": 8, "start_date": START.isoformat()}, START))


def squat_item(p, after: date):
    """The next planned squat on or after a date."""
    return next(
        i
        for w in p["schedule"]
        for d in w["days"]
        for i in d["exercises"]
        if i["exercise"] == "squat" and d["date"] >= after.isoformat()
    )


def log(day, reps, kg, rpe=7.5, exercise="squat", sets=3):
    return {
        "date": day.isoformat(),
        "exercises": [{"exercise": exercise, "sets": [{"reps": reps, "weight_kg": kg, "rpe": rpe}] * sets}],
    }


def test_top_of_range_at_easy_effort_adds_load():
    change = decide(
        {"exercise": "squat", "rep_range": [8, 12]},
        [{"date": "d", "sets": [{"reps": 12, "weight_kg": 100, "rpe": 8}] * 3}],
    )
    assert change["change"] == "increase_load" and change["load_kg"] == 105.0


def test_bodyweight_exercise_progresses_by_a_rep():
    change = decide(
        {"exercise": "push_up", "rep_range": [8, 12]}, [{"date": "d", "sets": [{"reps": 12, "rpe": 7}] * 3}]
    )
    assert change["change"] == "add_rep" and change["rep_range"] == [9, 13]


def test_eight_weeks_of_logs_progress_stall_and_deload():
    current = plan()
    since = None
    loads = []
    week_logs = [(12, 100), (10, 105), (10, 105), (6, 105), (6, 105), (12, 94.5)]
    history = []
    for week, (reps, kg) in enumerate(week_logs):
        day = START + timedelta(days=7 * week)
        history.append(log(day, reps, kg))
        result = adapt_plan(current, history, [], day + timedelta(days=1), since)
        current, since = result.plan, day
        loads.append(
            (
                squat_item(current, day + timedelta(days=1))["load_kg"],
                [c["change"] for c in result.changes if c.get("exercise") == "squat"],
            )
        )
    assert loads[0] == (105.0, ["increase_load"])
    assert loads[1][1] == [] and loads[2][1] == []
    assert loads[4] == (94.5, ["deload"])
    assert loads[5][1] == ["increase_load"]


def test_adapting_twice_on_the_same_logs_changes_nothing_more():
    history = [log(START, 12, 100)]
    first = adapt_plan(plan(), history, [], START + timedelta(days=1), None)
    second = adapt_plan(first.plan, history, [], START + timedelta(days=2), START + timedelta(days=2))
    assert not [c for c in second.changes if c.get("exercise") == "squat"]


def test_form_faults_regress_to_the_easier_variant():
    faulty = [
        {"date": START.isoformat(), "exercise": "squat", "form_ok": False, "issues": [{"code": "knees_caving_in"}]}
    ]
    result = adapt_plan(plan(), [], faulty, START, None)
    regressions = [c for c in result.changes if c["change"] == "regression"]
    assert regressions and "knees_caving_in" in regressions[0]["why"]
    future = [i["exercise"] for w in result.plan["schedule"] for d in w["days"] for i in d["exercises"]]
    assert "squat" not in future and "goblet_squat" in future


def test_missed_sessions_are_reflowed():
    p = plan()
    today = START + timedelta(days=3)
    result = adapt_plan(p, [], [], today, None)
    moved = [c for c in result.changes if c["change"] == "reflowed"]
    assert moved and all(c["why"].startswith("missed on") for c in moved)


def test_progress_series_and_adherence():
    workouts = [log(START + timedelta(days=2 * i), 8, 100 + i) for i in range(10)]
    metrics = [{"date": (START + timedelta(days=i)).isoformat(), "weight_kg": 80 - i * 0.1} for i in range(20)]
    analyses = [{"date": START.isoformat(), "exercise": "squat", "score": 85}]
    planned = [START + timedelta(days=2 * i) for i in range(12)]
    result = compute_progress(
        workouts, metrics, analyses, planned, START, START + timedelta(days=30), 80, START + timedelta(days=30)
    )
    assert result["sessions"] == 10
    assert result["one_rm"]["squat"][0]["e1rm_kg"] == round(epley_one_rm(100, 8), 1)
    assert result["body_weight"][6]["moving_average_kg"] == round(sum(80 - i * 0.1 for i in range(7)) / 7, 2)
    assert result["adherence"]["planned"] == 12 and result["adherence"]["done"] == 10
    assert result["weekly_volume"][0]["by_muscle"]["quadriceps"] > 0
    assert result["form_score"]["squat"] == [{"date": START.isoformat(), "score": 85}]
    assert result["calories"]["total"] > 0


def test_every_chart_decodes_as_png_even_without_data():
    empty = compute_progress([], [], [], [], START, START + timedelta(days=7), 70, START)
    for name in PROGRESS_CHARTS:
        image = Image.open(io.BytesIO(render_progress_chart(name, empty)))
        assert image.format == "PNG" and image.size[0] >= 800


def test_exports_parse_back():
    p = plan()
    ics = plan_to_ics(p, 7, "20260101T000000Z")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert ics.count("BEGIN:VEVENT") == 3 * 8
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    rows = list(csv.DictReader(io.StringIO(plan_to_csv(p))))
    assert rows and {"week", "date", "exercise", "sets", "reps", "why"} <= set(rows[0])
