"""Logged workouts and body metrics; logging a plan's session adapts the plan."""

from datetime import date

from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields

from api.models import BodyMetric, Workout
from api.resources.common import (
    UtcDateTime,
    bounds,
    error_model,
    iso_date,
    json_body,
    nullable,
    own,
    owned_page,
    page_model,
    paginated,
    pagination_parser,
)
from api.services import workouts
from api.vocabulary import BODY_METRIC_RANGES

ns = Namespace("workouts", description="Your logged training sessions")
metrics_ns = Namespace("body-metrics", description="Body weight, body fat and waist")
error = error_model(ns)
metrics_error = error_model(metrics_ns)

set_model = ns.model(
    "Set",
    {"reps": fields.Integer(min=0, max=1000, required=True), "weight_kg": nullable(fields.Float(min=0, max=1000)),
     "rpe": nullable(fields.Float(min=1, max=10)), "duration_s": nullable(fields.Float(min=0))},
)  # fmt: skip
entry_model = ns.model(
    "WorkoutExercise",
    {"exercise": fields.String(required=True, example="squat"), "sets": fields.List(fields.Nested(set_model))},
)
workout_input = ns.model(
    "WorkoutInput",
    {
        "date": fields.String(example="2026-11-24"),
        "exercises": fields.List(fields.Nested(entry_model)),
        "plan_id": nullable(fields.Integer()),
        "plan_day": nullable(fields.String(example="w1d1")),
        "analysis_id": nullable(fields.Integer(description="log an analysis: its exercise and reps")),
        "duration_min": nullable(fields.Float(min=0, max=600)),
        "notes": nullable(fields.String()),
    },
)
workout_model = ns.inherit(
    "Workout", workout_input, {"id": fields.Integer(), "created_at": UtcDateTime(),
                               "plan_changes": nullable(fields.List(fields.Raw()))}
)  # fmt: skip
workout_page = page_model(ns, "Workout", workout_model)

list_parser = pagination_parser.copy()
list_parser.add_argument("from", type=iso_date, location="args", dest="date_from")
list_parser.add_argument("to", type=iso_date, location="args", dest="date_to")

metric_input = metrics_ns.model(
    "BodyMetricInput",
    {"date": fields.String(example="2026-11-24"),
     **{name: nullable(fields.Float(**bounds(BODY_METRIC_RANGES, name))) for name in BODY_METRIC_RANGES}},
)  # fmt: skip
metric_model = metrics_ns.inherit("BodyMetric", metric_input, {"id": fields.Integer(), "created_at": UtcDateTime()})
metric_page = page_model(metrics_ns, "BodyMetric", metric_model)


@ns.route("")
class WorkoutList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(list_parser)
    @ns.marshal_with(workout_page)
    def get(self):
        """Your workouts, newest first."""

        def statement(args):
            return workouts.own_workouts_query(current_user, args["date_from"], args["date_to"])

        return paginated(list_parser, statement, workouts.workout_dict)

    @ns.expect(workout_input)
    @ns.marshal_with(workout_model, code=201, description="Logged")
    @ns.response(422, "Unknown exercise, negative reps, a future date...", error)
    def post(self):
        """Log a session; tied to a plan, it adapts the plan at once."""
        workout, plan_changes = workouts.log_workout(current_user, json_body(), date.today())
        return {**workouts.workout_dict(workout), "plan_changes": plan_changes}, 201


@ns.route("/<int:workout_id>")
@ns.response(404, "Not yours or not there", error)
class WorkoutItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(workout_model)
    def get(self, workout_id: int):
        """One workout."""
        return workouts.workout_dict(own(Workout, workout_id))

    @ns.expect(workout_input)
    @ns.marshal_with(workout_model)
    @ns.response(422, "Invalid values", error)
    def patch(self, workout_id: int):
        """Edit a workout."""
        workout = own(Workout, workout_id)
        return workouts.workout_dict(workouts.update_workout(current_user, workout, json_body(), date.today()))

    @ns.response(204, "Deleted")
    def delete(self, workout_id: int):
        """Delete a workout."""
        workouts.delete_row(own(Workout, workout_id))
        return "", 204


@metrics_ns.route("")
class BodyMetricList(Resource):
    method_decorators = [jwt_required()]

    @metrics_ns.expect(pagination_parser)
    @metrics_ns.marshal_with(metric_page)
    def get(self):
        """Your body metrics, newest first."""
        return owned_page(
            BodyMetric, pagination_parser, workouts.body_metric_dict, BodyMetric.date.desc(), BodyMetric.id.desc()
        )

    @metrics_ns.expect(metric_input)
    @metrics_ns.marshal_with(metric_model, code=201, description="Recorded")
    @metrics_ns.response(422, "Out of range", metrics_error)
    def post(self):
        """Record body weight, body fat or waist."""
        metric = workouts.create_body_metric(current_user, json_body(), date.today())
        return workouts.body_metric_dict(metric), 201


@metrics_ns.route("/<int:metric_id>")
@metrics_ns.response(404, "Not yours or not there", metrics_error)
class BodyMetricItem(Resource):
    method_decorators = [jwt_required()]

    @metrics_ns.response(204, "Deleted")
    def delete(self, metric_id: int):
        """Delete a body metric."""
        workouts.delete_row(own(BodyMetric, metric_id))
        return "", 204
