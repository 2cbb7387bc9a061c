"""Plans service: generate from the profile, keep every version, adapt from logs and analyses, report progress."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from api.exceptions import InvalidInput
from api.extensions import db
from api.models import Analysis, BodyMetric, Plan, PlanVersion, User, Workout
from api.ownership import get_owned_from_body, owned_query
from api.planner.generator import generate_plan
from api.planner.progress import compute_progress
from api.planner.progression import adapt_plan
from api.planner.request import build_request
from api.services.workouts import own_workouts_query
from api.vocabulary import PROFILE_FIELDS, SUCCEEDED

DEFAULT_BODY_WEIGHT_KG = 70.0
MAX_PROGRESS_DAYS = 3 * 366


def profile_dict(user: User) -> dict:
    profile = user.profile
    return {field: getattr(profile, field) for field in PROFILE_FIELDS} if profile else {}


def analysis_for_plan(user: User, analysis_id) -> dict:
    analysis = get_owned_from_body(Analysis, user, analysis_id, "analysis_id")
    issues = ((analysis.result or {}).get("posture") or {}).get("issues") or []
    return {"exercise": analysis.exercise_label, "form_ok": analysis.form_ok, "issues": [i["code"] for i in issues]}


def create_plan(user: User, body: dict, today: date) -> Plan:
    """Generate and store version 1 of a plan."""
    overrides = dict(body)
    if overrides.get("analysis_id") is not None:
        overrides["analysis"] = analysis_for_plan(user, overrides["analysis_id"])
    request = build_request(profile_dict(user), overrides, today)
    content = generate_plan(request)
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or not 1 <= len(name.strip()) <= 120):
        raise InvalidInput("name must be 1-120 characters", details={"name": "1-120 characters"})
    plan = Plan(
        user_id=user.id,
        name=(name or content["name"]).strip(),
        goal=request.goal,
        start_date=request.start_date,
        weeks=request.weeks,
        current_version=1,
        request={k: v for k, v in overrides.items() if k != "analysis"},
    )
    db.session.add(plan)
    db.session.flush()
    db.session.add(PlanVersion(plan_id=plan.id, version=1, content=content, changes=[], reason="generated"))
    db.session.commit()
    return plan


def delete_plan(plan: Plan) -> None:
    """Delete a plan and its versions; the workouts logged against it stay."""
    db.session.delete(plan)
    db.session.commit()


def current_version(plan: Plan) -> PlanVersion:
    return db.session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.version == plan.current_version)
    )


def versions_query(plan: Plan):
    return select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.version.desc())


def _workout_dicts(user: User, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    # in the order they were logged: the planner's stable sorts by date keep it for workouts of one day
    statement = own_workouts_query(user, date_from, date_to, Workout.id)
    return [
        {"date": w.date.isoformat(), "exercises": w.exercises or [], "duration_min": w.duration_min}
        for w in db.session.scalars(statement)
    ]


def _analysis_dicts(user: User, date_from: date | None = None, date_to: date | None = None) -> list[dict]:
    rows = []
    for analysis in db.session.scalars(owned_query(Analysis, user, Analysis.id, status=SUCCEEDED)):
        day = analysis.created_at.date()
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        issues = ((analysis.result or {}).get("posture") or {}).get("issues") or []
        rows.append(
            {
                "date": day.isoformat(),
                "exercise": analysis.exercise_label,
                "score": analysis.form_score,
                "form_ok": analysis.form_ok,
                "issues": issues,
            }
        )
    return rows


def adapt(user: User, plan: Plan, today: date, reason: str) -> tuple[PlanVersion, list[dict]]:
    """Adapt the plan; a new version is stored only when something changed."""
    version = current_version(plan)
    since = version.created_at.date() if version.version > 1 else None
    result = adapt_plan(version.content, _workout_dicts(user), _analysis_dicts(user), today, since)
    if not result.changed:
        return version, []
    new_version = PlanVersion(
        plan_id=plan.id, version=version.version + 1, content=result.plan, changes=result.changes, reason=reason
    )
    plan.current_version = new_version.version
    db.session.add(new_version)
    db.session.commit()
    return new_version, result.changes


def plan_dict(plan: Plan, version: PlanVersion | None = None) -> dict:
    version = version or current_version(plan)
    return {
        **plan_summary(plan),
        "version": version.version,
        "changes": version.changes,
        "reason": version.reason,
        "updated_at": version.created_at,
        "content": version.content,
    }


def plan_summary(plan: Plan) -> dict:
    return {
        "id": plan.id,
        "name": plan.name,
        "goal": plan.goal,
        "start_date": plan.start_date.isoformat(),
        "weeks": plan.weeks,
        "version": plan.current_version,
        "created_at": plan.created_at,
    }


def version_dict(version: PlanVersion) -> dict:
    return {
        "version": version.version,
        "reason": version.reason,
        "changes": version.changes,
        "created_at": version.created_at,
    }


def _planned_dates(user: User) -> list[date]:
    dates = []
    for plan in db.session.scalars(owned_query(Plan, user)):
        for week in current_version(plan).content["schedule"]:
            dates += [date.fromisoformat(day["date"]) for day in week["days"]]
    return dates


def progress(user: User, date_from: date | None, date_to: date | None, today: date) -> dict:
    """Progress between two dates (the last 12 weeks by default)."""
    date_to = date_to or today
    date_from = date_from or date.fromordinal(date_to.toordinal() - 83)
    if date_from > date_to:
        raise InvalidInput("from must not be after to", details={"from": "after to"})
    if (date_to - date_from).days > MAX_PROGRESS_DAYS:
        raise InvalidInput("the range is at most 3 years", details={"from": "range over 3 years"})
    metrics = [
        {"date": m.date.isoformat(), "weight_kg": m.weight_kg}
        for m in db.session.scalars(owned_query(BodyMetric, user, BodyMetric.id))
    ]
    weight = (user.profile.weight_kg if user.profile else None) or DEFAULT_BODY_WEIGHT_KG
    return compute_progress(
        _workout_dicts(user, date_from, date_to),
        metrics,
        _analysis_dicts(user, date_from, date_to),
        _planned_dates(user),
        date_from,
        date_to,
        weight,
        today,
    )


def utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
