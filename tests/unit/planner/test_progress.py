"""Progress series: volume, estimated 1RM, body-weight trend, form, adherence, calories; linear in the logs."""

import sys
from datetime import date, timedelta

import pytest

from api.planner.progress import BODYWEIGHT_SHARE, compute_progress, epley_one_rm
from tests.unit.planner.plans import START


def log(day, exercise="squat", reps=8, kg=100.0, count=3, **extra):
    sets = [{"reps": reps, "weight_kg": kg, "rpe": 7, **extra}] * count
    return {"date": day.isoformat(), "exercises": [{"exercise": exercise, "sets": sets}]}


def test_series_between_two_dates():
    workouts = [log(START + timedelta(days=2 * i), kg=100 + i) for i in range(10)]
    metrics = [{"date": (START + timedelta(days=i)).isoformat(), "weight_kg": 80 - i * 0.1} for i in range(20)]
    analyses = [
        {"created_at": f"{START.isoformat()}T09:30:00", "exercise": "squat", "score": 85},
        {"date": (START + timedelta(days=9)).isoformat(), "exercise": "squat", "score": 90},
    ]
    planned = [START + timedelta(days=2 * i) for i in range(12)]
    end = START + timedelta(days=30)
    result = compute_progress(workouts, metrics, analyses, planned, START, end, 80, end)
    assert result["sessions"] == 10
    assert result["one_rm"]["squat"][0] == {"date": START.isoformat(), "e1rm_kg": round(epley_one_rm(100, 8), 1)}
    assert [p["e1rm_kg"] for p in result["one_rm"]["squat"]] == sorted(p["e1rm_kg"] for p in result["one_rm"]["squat"])
    assert result["body_weight"][6]["moving_average_kg"] == round(sum(80 - i * 0.1 for i in range(7)) / 7, 2)
    assert result["body_weight"][10]["moving_average_kg"] == round(sum(80 - i * 0.1 for i in range(4, 11)) / 7, 2)
    assert result["adherence"] == {
        "planned": 12,
        "done": 10,
        "ratio": round(10 / 12, 3),
        "weekly": result["adherence"]["weekly"],
    }
    first = result["weekly_volume"][0]
    assert first["by_muscle"]["quadriceps"] == sum(3 * 8 * kg for kg in (100, 101, 102, 103)), "Mon, Wed, Fri, Sun"
    assert first["sets_by_muscle"]["quadriceps"] == 12
    assert result["form_score"]["squat"] == [
        {"date": START.isoformat(), "score": 85},
        {"date": "2026-01-14", "score": 90},
    ]
    assert result["calories"]["total"] > 0


def test_body_weight_moves_count_the_body_weight_of_the_day():
    metrics = [{"date": START.isoformat(), "weight_kg": 100}, {"date": "2026-01-08", "weight_kg": 90}]
    workouts = [log(START, "push_up", reps=10, kg=None, count=1), log(date(2026, 1, 9), "pull_up", 5, kg=10, count=1)]
    result = compute_progress(workouts, metrics, [], [], START, START + timedelta(days=6), 70)
    volume = result["weekly_volume"][0]["by_muscle"]
    assert volume["chest"] == pytest.approx(10 * BODYWEIGHT_SHARE["push_horizontal"] * 100)
    assert volume["back"] == pytest.approx(5 * (10 + 90))
    assert "push_up" not in result["one_rm"] and result["one_rm"]["pull_up"][0]["e1rm_kg"] == round(
        10 * (1 + 5 / 30), 1
    )


def test_calories_use_logged_durations_and_met():
    walk = {
        "date": START.isoformat(),
        "exercises": [
            {"exercise": "brisk_walking", "sets": [{"reps": 0, "weight_kg": None, "rpe": None, "duration_s": 1800}]}
        ],
    }
    result = compute_progress([walk], [], [], [], START, START, 80)
    assert result["calories"]["total"] == round(4.3 * 3.5 * 80 / 200 * 30)
    timed = {**walk, "duration_min": 60}
    assert compute_progress([timed], [], [], [], START, START, 80)["calories"]["total"] == round(
        4.3 * 3.5 * 80 / 200 * 60
    )


def test_adherence_counts_sessions_per_week_not_exact_dates():
    planned = [START, START + timedelta(days=2)]
    moved = [log(START + timedelta(days=1)), log(START + timedelta(days=3)), log(START + timedelta(days=4))]
    result = compute_progress(moved, [], [], planned, START, START + timedelta(days=6), 80)
    assert result["adherence"]["done"] == 2 and result["adherence"]["ratio"] == 1.0


def test_empty_logs_give_empty_series():
    result = compute_progress([], [], [], [], START, START + timedelta(days=7), 70, START)
    assert result["sessions"] == 0 and result["weekly_volume"] == [] and result["adherence"]["ratio"] is None


def daily_logs(days):
    workouts = [
        {
            "date": (START + timedelta(days=i)).isoformat(),
            "exercises": [
                {"exercise": name, "sets": [{"reps": 8, "weight_kg": 60 + i % 20, "rpe": 8}] * 4}
                for name in ("squat", "bench_press", "row", "deadlift", "push_up")
            ],
        }
        for i in range(days)
    ]
    metrics = [{"date": (START + timedelta(days=i)).isoformat(), "weight_kg": 80 - i / 365} for i in range(days)]
    analyses = [
        {"date": (START + timedelta(days=i)).isoformat(), "exercise": "squat", "score": 80} for i in range(0, days, 3)
    ]
    planned = [START + timedelta(days=i) for i in range(days)]
    return workouts, metrics, analyses, planned


def operations(days: int) -> int:
    """Python lines run by `compute_progress` (and whatever it calls) over `days` of daily logs: a count of the
    work done that, unlike a timing, does not depend on the machine or what else runs on it."""
    inputs = daily_logs(days)
    end = START + timedelta(days=days)
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        compute_progress(*inputs, START, end, 80, end)
    finally:
        sys.settrace(previous)
    return count


def test_two_years_of_daily_logs_take_linear_work():
    """Four times the logs, four times the work (not sixteen). How fast it is in milliseconds is measured by
    `bench/bench_planner.py` (`progress_two_years_ms`), not here."""
    quarter, two_years = operations(182), operations(730)
    assert quarter > 10_000, "the logs are really read"
    assert two_years < 4.2 * quarter
