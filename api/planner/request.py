"""Plan requests: the profile merged with the request's overrides, every value checked, as a `PlanRequest`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.exceptions import InvalidInput
from api.planner import prescription as rx
from api.planner.catalogue import CATALOGUE, MUSCLE_GROUPS
from api.vocabulary import BODY_REGIONS, EQUIPMENT, FITNESS_LEVELS, PROFILE_RANGES, SEXES

PLAN_GOALS = rx.GOALS
MAX_WEEKS = 52


@dataclass(frozen=True)
class PlanRequest:
    goal: str
    fitness_level: str
    days_per_week: int
    session_minutes: int
    weeks: int
    start_date: date
    weight_kg: float = 70.0
    age: int | None = None
    sex: str | None = None
    height_cm: float | None = None
    equipment: tuple[str, ...] = ("body_only",)
    limitations: tuple[str, ...] = ()
    focus_muscles: tuple[str, ...] = ()
    analysis: dict | None = None

    @property
    def older(self) -> bool:
        return self.age is not None and self.age >= rx.OLDER_ADULT_AGE

    @property
    def minor(self) -> bool:
        return self.age is not None and self.age < rx.MINOR_AGE


REQUEST_FIELDS = {
    "goal", "fitness_level", "days_per_week", "session_minutes", "weeks", "start_date", "weight_kg", "age", "sex",
    "height_cm", "equipment", "limitations", "focus_muscles", "analysis", "analysis_id", "name",
}  # fmt: skip


def _check_choice(errors, field_name, value, allowed):
    if value not in allowed:
        errors[field_name] = f"must be one of: {', '.join(allowed)}"


def _check_range(errors, field_name, value, low, high, whole=True):
    number_type = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, number_type) or not low <= value <= high:
        errors[field_name] = f"must be {'a whole number' if whole else 'a number'} between {low} and {high}"


def _check_list(errors, field_name, value, allowed):
    if not isinstance(value, list | tuple):
        errors[field_name] = "must be a list"
    elif unknown := [v for v in value if v not in allowed]:
        errors[field_name] = f"unknown {unknown}; allowed: {', '.join(allowed)}"


def _check_analysis(errors, analysis):
    if analysis is None:
        return
    if not isinstance(analysis, dict) or analysis.get("exercise") not in CATALOGUE:
        errors["analysis"] = "must be an analysis of a known exercise"
    elif analysis.get("form_ok") not in (True, False, None):
        errors["analysis"] = "form_ok must be true, false or null"
    elif not isinstance(analysis.get("issues") or [], list) or not all(
        isinstance(code, str) for code in analysis.get("issues") or []
    ):
        errors["analysis"] = "issues must be a list of posture codes"


def _check_start_date(errors, value, today: date) -> date | None:
    start = today if value is None else value
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            start = None
    if not isinstance(start, date):
        errors["start_date"] = "must be a date as YYYY-MM-DD"
    elif abs((start - today).days) > 366:
        errors["start_date"] = "must be within a year of today"
    return start


def build_request(profile: dict, overrides: dict, today: date) -> PlanRequest:
    """Merge the profile with the request's overrides and validate everything; `InvalidInput` lists each problem."""
    errors: dict[str, str] = {f: "unknown field" for f in overrides if f not in REQUEST_FIELDS}
    merged = {k: v for k, v in profile.items() if v is not None}
    merged.update({k: v for k, v in overrides.items() if k in REQUEST_FIELDS})
    merged.setdefault("goal", "general_fitness")
    merged.setdefault("fitness_level", "beginner")
    merged.setdefault("days_per_week", 3)
    merged.setdefault("session_minutes", 45)
    merged.setdefault("weeks", 4)
    merged.setdefault("weight_kg", 70.0)
    for name in ("equipment", "limitations", "focus_muscles"):
        merged[name] = merged.get(name) or []
    _check_choice(errors, "goal", merged["goal"], PLAN_GOALS)
    _check_choice(errors, "fitness_level", merged["fitness_level"], FITNESS_LEVELS)
    for name in ("days_per_week", "session_minutes", "age"):
        if name in merged:
            low, high, _ = PROFILE_RANGES[name]
            _check_range(errors, name, merged[name], low, high)
    _check_range(errors, "weeks", merged["weeks"], 1, MAX_WEEKS)
    for name in ("weight_kg", "height_cm"):
        if name in merged:
            low, high, _ = PROFILE_RANGES[name]
            _check_range(errors, name, merged[name], low, high, whole=False)
    if merged.get("sex") is not None:
        _check_choice(errors, "sex", merged["sex"], SEXES)
    _check_list(errors, "equipment", merged["equipment"], EQUIPMENT)
    _check_list(errors, "limitations", merged["limitations"], BODY_REGIONS)
    _check_list(errors, "focus_muscles", merged["focus_muscles"], MUSCLE_GROUPS)
    start = _check_start_date(errors, merged.get("start_date"), today)
    _check_analysis(errors, merged.get("analysis"))
    if errors:
        raise InvalidInput("the plan request has invalid values", details=errors)
    return PlanRequest(
        goal=merged["goal"],
        fitness_level=merged["fitness_level"],
        days_per_week=merged["days_per_week"],
        session_minutes=merged["session_minutes"],
        weeks=merged["weeks"],
        start_date=start,
        weight_kg=float(merged["weight_kg"]),
        age=merged.get("age"),
        sex=merged.get("sex"),
        height_cm=merged.get("height_cm"),
        equipment=tuple(dict.fromkeys(["body_only", *merged["equipment"]])),
        limitations=tuple(dict.fromkeys(merged["limitations"])),
        focus_muscles=tuple(dict.fromkeys(merged["focus_muscles"])),
        analysis=merged.get("analysis"),
    )
