"""Personalised plans: generate, read, adapt, see every version, export as iCalendar or CSV."""

from datetime import date

from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields

from api.models import Plan
from api.planner.export import plan_to_csv, plan_to_ics
from api.planner.request import PLAN_RANGES
from api.resources.common import (
    UtcDateTime,
    attachment,
    bounds,
    error_model,
    json_body,
    own,
    owned_page,
    page_model,
    paginated,
    pagination_parser,
)
from api.services import plans
from api.vocabulary import FITNESS_LEVELS, PLAN_GOALS

ns = Namespace("plans", description="Evidence-based plans that adapt to what you log")
error = error_model(ns)

plan_request = ns.model(
    "PlanRequest",
    {
        "weeks": fields.Integer(**bounds(PLAN_RANGES, "weeks"), example=4),
        "name": fields.String(),
        "goal": fields.String(enum=list(PLAN_GOALS)),
        "fitness_level": fields.String(enum=list(FITNESS_LEVELS)),
        "days_per_week": fields.Integer(**bounds(PLAN_RANGES, "days_per_week")),
        "session_minutes": fields.Integer(**bounds(PLAN_RANGES, "session_minutes")),
        "equipment": fields.List(fields.String),
        "limitations": fields.List(fields.String),
        "focus_muscles": fields.List(fields.String),
        "start_date": fields.String(example="2026-12-01"),
        "analysis_id": fields.Integer(description="build around this analysis (its exercise and form faults)"),
        "age": fields.Integer(**bounds(PLAN_RANGES, "age")),
        "weight_kg": fields.Float(**bounds(PLAN_RANGES, "weight_kg")),
    },
)
plan_summary = ns.model(
    "PlanSummary",
    {
        "id": fields.Integer(),
        "name": fields.String(),
        "goal": fields.String(),
        "start_date": fields.String(),
        "weeks": fields.Integer(),
        "version": fields.Integer(),
        "created_at": UtcDateTime(),
    },
)
plan_model = ns.inherit(
    "Plan",
    plan_summary,
    {
        "changes": fields.List(fields.Raw()),
        "reason": fields.String(),
        "updated_at": UtcDateTime(),
        "content": fields.Raw(
            description="weeks -> days -> warm_up, exercises (sets, rep_range, rest_s, rpe, "
            "tempo, why), extras, cool_down"
        ),  # fmt: skip
    },
)
version_model = ns.model(
    "PlanVersion",
    {"version": fields.Integer(), "reason": fields.String(), "changes": fields.List(fields.Raw()),
     "created_at": UtcDateTime()},
)  # fmt: skip
plan_page = page_model(ns, "Plan", plan_summary)
version_page = page_model(ns, "PlanVersion", version_model)


@ns.route("")
class PlanList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(pagination_parser)
    @ns.marshal_with(plan_page)
    def get(self):
        """Your plans, newest first."""
        return owned_page(Plan, pagination_parser, plans.plan_summary)

    @ns.expect(plan_request)
    @ns.marshal_with(plan_model, code=201, description="Generated")
    @ns.response(422, "Out-of-range or contradictory request", error)
    def post(self):
        """Generate a plan from your profile, overridden by anything in the body."""
        plan = plans.create_plan(current_user, json_body(), date.today())
        return plans.plan_dict(plan), 201


@ns.route("/<int:plan_id>")
@ns.response(404, "Not yours or not there", error)
class PlanItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(plan_model)
    def get(self, plan_id: int):
        """The plan's current version."""
        return plans.plan_dict(own(Plan, plan_id))

    @ns.response(204, "Deleted")
    def delete(self, plan_id: int):
        """Delete a plan and its versions (logged workouts stay)."""
        plans.delete_plan(own(Plan, plan_id))
        return "", 204


@ns.route("/<int:plan_id>/adapt")
@ns.response(404, "Not yours or not there", error)
class PlanAdapt(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(plan_model)
    def post(self, plan_id: int):
        """Adapt the plan to your logs and analyses now; `changes` says what changed and why."""
        plan = own(Plan, plan_id)
        version, _ = plans.adapt(current_user, plan, date.today(), "adapted on request")
        return plans.plan_dict(plan, version)


@ns.route("/<int:plan_id>/versions")
@ns.response(404, "Not yours or not there", error)
class PlanVersions(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(pagination_parser)
    @ns.marshal_with(version_page)
    def get(self, plan_id: int):
        """Every version of the plan, newest first, with what changed and why."""
        plan = own(Plan, plan_id)
        return paginated(pagination_parser, lambda _args: plans.versions_query(plan), plans.version_dict)


@ns.route("/<int:plan_id>/export.ics")
@ns.response(404, "Not yours or not there", error)
class PlanCalendar(Resource):
    method_decorators = [jwt_required()]

    @ns.produces(["text/calendar"])
    def get(self, plan_id: int):
        """The plan as an iCalendar file, one event per training day."""
        plan = own(Plan, plan_id)
        body = plan_to_ics(plans.current_version(plan).content, plan.id, plans.utc_stamp())
        return attachment(body, "text/calendar", f"plan-{plan.id}.ics")


@ns.route("/<int:plan_id>/export.csv")
@ns.response(404, "Not yours or not there", error)
class PlanCsv(Resource):
    method_decorators = [jwt_required()]

    @ns.produces(["text/csv"])
    def get(self, plan_id: int):
        """The plan as CSV, one row per exercise."""
        plan = own(Plan, plan_id)
        body = plan_to_csv(plans.current_version(plan).content)
        return attachment(body, "text/csv", f"plan-{plan.id}.csv")
