"""Workouts and body metrics: validated, owned by their user, feeding plans' adaptation and progress."""

from __future__ import annotations

from datetime import date, timedelta

from api.exceptions import InvalidInput
from api.extensions import db
from api.models import Analysis, BodyMetric, Plan, User, Workout
from api.ownership import get_owned, get_owned_from_body, owned_query
from api.planner.catalogue import CATALOGUE
from api.validation import iso_date, number_in, text
from api.vocabulary import BODY_METRIC_RANGES

MAX_EXERCISES = 50
MAX_SETS = 50
FUTURE_DAYS_ALLOWED = 1


def _clean_sets(errors: dict, where: str, sets) -> list[dict]:
    if not isinstance(sets, list) or not 1 <= len(sets) <= MAX_SETS:
        errors[f"{where}.sets"] = f"must be a list of 1-{MAX_SETS} sets"
        return []
    clean = []
    for j, item in enumerate(sets):
        name = f"{where}.sets[{j}]"
        if not isinstance(item, dict):
            errors[name] = "must be an object {reps, weight_kg, rpe}"
            continue
        unknown = set(item) - {"reps", "weight_kg", "rpe", "duration_s"}
        if unknown:
            errors[name] = f"unknown fields {sorted(unknown)}"
        clean.append(
            {
                "reps": number_in(errors, f"{name}.reps", item.get("reps"), 0, 1000, whole=True, required=True),
                "weight_kg": number_in(errors, f"{name}.weight_kg", item.get("weight_kg"), 0, 1000),
                "rpe": number_in(errors, f"{name}.rpe", item.get("rpe"), 1, 10),
                "duration_s": number_in(errors, f"{name}.duration_s", item.get("duration_s"), 0, 36000),
            }
        )
    return clean


def _clean_exercises(errors: dict, exercises) -> list[dict]:
    if not isinstance(exercises, list) or not 1 <= len(exercises) <= MAX_EXERCISES:
        errors["exercises"] = f"must be a list of 1-{MAX_EXERCISES} exercises"
        return []
    clean = []
    for i, entry in enumerate(exercises):
        where = f"exercises[{i}]"
        if not isinstance(entry, dict):
            errors[where] = "must be an object {exercise, sets}"
            continue
        label = entry.get("exercise")
        if not isinstance(label, str) or label not in CATALOGUE:  # a list or an object is unhashable
            errors[f"{where}.exercise"] = f"unknown exercise {label!r}; see GET /api/v1/exercises"
        clean.append({"exercise": label, "sets": _clean_sets(errors, where, entry.get("sets"))})
    return clean


def _from_analysis(user: User, analysis_id) -> tuple[Analysis, list[dict]]:
    analysis = get_owned_from_body(Analysis, user, analysis_id, "analysis_id")
    if analysis.exercise_label not in CATALOGUE:
        raise InvalidInput("that analysis did not name an exercise", details={"analysis_id": "no exercise"})
    reps = analysis.rep_count or 1
    return analysis, [{"exercise": analysis.exercise_label, "sets": [{"reps": reps, "weight_kg": None, "rpe": None,
                                                                      "duration_s": None}]}]  # fmt: skip


def _logged_on(errors: dict, value, today: date, default: date | None) -> date | None:
    """The `date` a workout or a measure was logged on: a day, not in the future."""
    day = iso_date(errors, "date", value, default=default)
    if day and day > today + timedelta(days=FUTURE_DAYS_ALLOWED):
        errors["date"] = "cannot be in the future"
    return day


def clean_workout(user: User, body: dict, today: date, partial: bool = False) -> dict:
    """A workout body checked field by field; `InvalidInput` lists every problem at once."""
    allowed = {"date", "exercises", "plan_id", "plan_day", "analysis_id", "duration_min", "notes"}
    errors: dict[str, str] = {name: "unknown field" for name in body if name not in allowed}
    clean: dict = {}
    if "date" in body or not partial:
        clean["date"] = _logged_on(errors, body.get("date"), today, default=None if partial else today)
    if "analysis_id" in body and body["analysis_id"] is not None:
        analysis, from_analysis = _from_analysis(user, body["analysis_id"])
        clean["analysis_id"] = analysis.id
        if "exercises" not in body:
            clean["exercises"] = from_analysis
    if "exercises" in body or ("exercises" not in clean and not partial):
        clean["exercises"] = _clean_exercises(errors, body.get("exercises"))
    if body.get("plan_id") is not None:
        if isinstance(body["plan_id"], bool) or not isinstance(body["plan_id"], int):
            errors["plan_id"] = "must be an integer"
        else:
            clean["plan_id"] = get_owned(Plan, user, body["plan_id"]).id
    if "plan_day" in body:
        clean["plan_day"] = text(errors, "plan_day", body["plan_day"], 20)
    if "duration_min" in body:
        clean["duration_min"] = number_in(errors, "duration_min", body["duration_min"], 0, 600)
    if "notes" in body:
        clean["notes"] = text(errors, "notes", body["notes"], 2000)
    if errors:
        raise InvalidInput("the workout has invalid values", details=errors)
    return clean


def create_workout(user: User, body: dict, today: date) -> Workout:
    workout = Workout(user_id=user.id, **clean_workout(user, body, today))
    db.session.add(workout)
    db.session.commit()
    return workout


def log_workout(user: User, body: dict, today: date) -> tuple[Workout, list | None]:
    """Log a session; tied to a plan, the plan adapts at once: the workout and what changed in the plan."""
    from api.services import plans

    workout = create_workout(user, body, today)
    if not workout.plan_id:
        return workout, None
    plan = get_owned(Plan, user, workout.plan_id)
    _, changes = plans.adapt(user, plan, today, "adapted after a logged session")
    return workout, changes


def update_workout(user: User, workout: Workout, body: dict, today: date) -> Workout:
    for name, value in clean_workout(user, body, today, partial=True).items():
        setattr(workout, name, value)
    db.session.commit()
    return workout


def delete_row(row) -> None:
    db.session.delete(row)
    db.session.commit()


def own_workouts_query(user: User, date_from: date | None = None, date_to: date | None = None, *order_by):
    """The user's workouts between two dates when given, the latest first unless `order_by` is given."""
    statement = owned_query(Workout, user, *(order_by or (Workout.date.desc(), Workout.id.desc())))
    if date_from:
        statement = statement.where(Workout.date >= date_from)
    if date_to:
        statement = statement.where(Workout.date <= date_to)
    return statement


def workout_dict(workout: Workout) -> dict:
    return {
        "id": workout.id,
        "date": workout.date.isoformat(),
        "plan_id": workout.plan_id,
        "plan_day": workout.plan_day,
        "analysis_id": workout.analysis_id,
        "duration_min": workout.duration_min,
        "notes": workout.notes,
        "exercises": workout.exercises,
        "created_at": workout.created_at,
    }


def create_body_metric(user: User, body: dict, today: date) -> BodyMetric:
    allowed = {"date", *BODY_METRIC_RANGES}
    errors: dict[str, str] = {name: "unknown field" for name in body if name not in allowed}
    day = _logged_on(errors, body.get("date"), today, default=today)
    values = {
        name: number_in(errors, name, body.get(name), low, high) for name, (low, high, _) in BODY_METRIC_RANGES.items()
    }
    if not errors and all(v is None for v in values.values()):
        errors["weight_kg"] = f"give at least one of {', '.join(BODY_METRIC_RANGES)}"
    if errors:
        raise InvalidInput("the body metric has invalid values", details=errors)
    metric = BodyMetric(user_id=user.id, date=day, **values)
    db.session.add(metric)
    db.session.commit()
    return metric


def body_metric_dict(metric: BodyMetric) -> dict:
    return {
        "id": metric.id,
        "date": metric.date.isoformat(),
        "weight_kg": metric.weight_kg,
        "body_fat_pct": metric.body_fat_pct,
        "waist_cm": metric.waist_cm,
        "created_at": metric.created_at,
    }
