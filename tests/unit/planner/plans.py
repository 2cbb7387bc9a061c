"""Plans and logs for the planner tests: the days they are made on, a plan from a profile, its days, logged sets."""

from __future__ import annotations

from datetime import date, timedelta

from api.planner.generator import generate_plan
from api.planner.request import build_request

START = date(2026, 1, 5)  # a Monday: plans made on it start on it, and the simulated logs begin on it
TODAY = date(2026, 11, 24)  # the day the generator's plans are made on (they start on the next Monday)


def plan_for(profile: dict, today: date = TODAY, **request) -> dict:
    """The plan the generator makes for `profile` on `today`, the request (`weeks`, `start_date`...) overriding it."""
    return generate_plan(build_request(profile, request, today))


def all_days(plan: dict) -> list[dict]:
    """Every day of the plan, week after week."""
    return [day for week in plan["schedule"] for day in week["days"]]


def all_items(day: dict) -> list[dict]:
    """Every item of a day: warm-up, exercises, extras, cool-down."""
    return day["warm_up"] + day["exercises"] + day["extras"] + day["cool_down"]


def assert_no_muscle_worked_heavy_two_days_running(plan_days: list[dict]) -> None:
    """No muscle gets heavy work (items marked `heavy`) on two days in a row."""
    heavy = {d["date"]: {m for i in d["exercises"] if i["heavy"] for m in i["primary_muscles"]} for d in plan_days}
    for day, muscles in heavy.items():
        following = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
        assert not muscles & heavy.get(following, set()), f"heavy work on {muscles} on {day} and the day after"


def sets(reps: int, kg: float | None = None, rpe: float | None = 7.5, count: int = 3, duration_s=None) -> list[dict]:
    """`count` logged sets alike."""
    return [{"reps": reps, "weight_kg": kg, "rpe": rpe, "duration_s": duration_s}] * count
