"""Plan requests: the profile merged with the request's overrides, every value checked, as a `PlanRequest`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.exceptions import InvalidInput
from api.planner import prescription as rx
from api.planner.catalogue import CATALOGUE, MUSCLE_GROUPS
from api.validation import all_of, in_range, one_of
from api.vocabulary import BODY_REGIONS, EQUIPMENT, FITNESS_LEVELS, PLAN_GOALS, PROFILE_RANGES, SEXES

MAX_WEEKS = 52
PLAN_RANGES = {**PROFILE_RANGES, "weeks": (1, MAX_WEEKS, int)}


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
    one_of(errors, "goal", merged["goal"], PLAN_GOALS)
    one_of(errors, "fitness_level", merged["fitness_level"], FITNESS_LEVELS)
    for name in ("days_per_week", "session_minutes", "age", "weeks", "weight_kg", "height_cm"):
        if name in merged:
            low, high, kind = PLAN_RANGES[name]
            in_range(errors, name, merged[name], low, high, whole=kind is int)
    if merged.get("sex") is not None:
        one_of(errors, "sex", merged["sex"], SEXES)
    all_of(errors, "equipment", merged["equipment"], EQUIPMENT)
    all_of(errors, "limitations", merged["limitations"], BODY_REGIONS)
    all_of(errors, "focus_muscles", merged["focus_muscles"], MUSCLE_GROUPS)
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
