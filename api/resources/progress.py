"""Progress numbers and charts."""

from datetime import date

from flask import Response
from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields, reqparse

from api.charts.progress import PROGRESS_CHARTS, render_progress_chart
from api.resources.common import error_model, iso_date
from api.services import plans

ns = Namespace("progress", description="Volume, estimated 1RM, body weight, form, adherence and calories")
error = error_model(ns)

range_parser = reqparse.RequestParser()
range_parser.add_argument("from", type=iso_date, location="args", dest="date_from", help="YYYY-MM-DD")
range_parser.add_argument("to", type=iso_date, location="args", dest="date_to", help="YYYY-MM-DD")

progress_model = ns.model(
    "Progress",
    {
        "from": fields.String(),
        "to": fields.String(),
        "sessions": fields.Integer(),
        "weekly_volume": fields.List(fields.Raw()),
        "one_rm": fields.Raw(),
        "body_weight": fields.List(fields.Raw()),
        "form_score": fields.Raw(),
        "adherence": fields.Raw(),
        "calories": fields.Raw(),
    },
)


def _progress() -> dict:
    args = range_parser.parse_args()
    return plans.progress(current_user, args["date_from"], args["date_to"], date.today())


@ns.route("")
class Progress(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(range_parser)
    @ns.marshal_with(progress_model)
    @ns.response(422, "Bad range", error)
    def get(self):
        """Your progress between two dates (the last 12 weeks by default)."""
        return _progress()


@ns.route("/charts/<string:name>.png")
@ns.param("name", f"one of {', '.join(PROGRESS_CHARTS)}")
class ProgressChart(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(range_parser)
    @ns.produces(["image/png"])
    @ns.response(422, "Unknown chart", error)
    def get(self, name: str):
        """One progress chart as a PNG, readable on a phone."""
        return Response(render_progress_chart(name, _progress()), mimetype="image/png")
