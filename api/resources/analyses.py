"""Analyses of photos and clips: exercise, people, posture, reps, and the annotated image."""

from flask import current_app, request, send_file
from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, reqparse
from werkzeug.datastructures import FileStorage

from api.models import Analysis
from api.resources import rest_api
from api.resources.common import (
    error_model,
    iso_date,
    own,
    page_model,
    paginated,
    pagination_parser,
    storage,
    upload_limits,
)
from api.resources.schemas import analysis_model
from api.services import analyses
from api.services.uploads import require_file

ns = Namespace("analyses", description="Recognise the exercise, judge the form and count reps on a photo or clip")
error = error_model(ns)

analysis_page = page_model(ns, "Analysis", analysis_model)

upload_parser = reqparse.RequestParser()
upload_parser.add_argument("file", type=FileStorage, location="files", required=True, help="JPEG/PNG or MP4/MOV/WebM")
upload_parser.add_argument(
    "exercise", location="form", help="the exercise, if you know it: posture is judged for it whatever is recognised"
)

list_parser = pagination_parser.copy()
list_parser.add_argument("exercise", location="args")
list_parser.add_argument("from", type=iso_date, location="args", dest="date_from", help="YYYY-MM-DD")
list_parser.add_argument("to", type=iso_date, location="args", dest="date_to", help="YYYY-MM-DD")


@ns.route("")
class AnalysisList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(list_parser)
    @ns.marshal_with(analysis_page)
    def get(self):
        """Your analyses, newest first, filterable by exercise and date."""

        def statement(args):
            return analyses.own_analyses_query(current_user, args["exercise"], args["date_from"], args["date_to"])

        return paginated(list_parser, statement, analyses.analysis_dict)

    @ns.expect(upload_parser)
    @ns.marshal_with(analysis_model, code=201, description="Analysed")
    @ns.response(202, "A clip longer than SYNC_CLIP_SECONDS: queued; poll the Location", analysis_model)
    @ns.response(413, "Too large (bytes, pixels or clip seconds)", error)
    @ns.response(415, "Not a JPEG, PNG, MP4, MOV or WebM by content", error)
    @ns.response(422, "Does not decode, or an unknown exercise", error)
    def post(self):
        """Analyse a photo or a clip: exercise, people, posture and (clips) reps."""
        stream, name = require_file(request.files)
        hint = analyses.exercise_hint(request.form.get("exercise"))
        analysis = analyses.analyse_upload(
            storage(), current_user, stream, name, upload_limits(), hint, current_app.config["SYNC_CLIP_SECONDS"]
        )
        if analysis.status == analyses.QUEUED:
            return (
                analyses.analysis_dict(analysis),
                202,
                {"Location": rest_api.url_for(AnalysisItem, analysis_id=analysis.id)},
            )
        return analyses.analysis_dict(analysis), 201


@ns.route("/<int:analysis_id>")
@ns.response(404, "Not yours or not there", error)
class AnalysisItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(analysis_model)
    def get(self, analysis_id: int):
        """One analysis."""
        return analyses.analysis_dict(own(Analysis, analysis_id))

    @ns.response(204, "Deleted")
    def delete(self, analysis_id: int):
        """Delete an analysis with its upload and annotated image."""
        analyses.delete_analysis(storage(), own(Analysis, analysis_id))
        return "", 204


@ns.route("/<int:analysis_id>/annotated")
@ns.response(404, "Not yours, not there, or nothing to draw on", error)
class AnalysisAnnotated(Resource):
    method_decorators = [jwt_required()]

    @ns.produces(["image/jpeg"])
    def get(self, analysis_id: int):
        """The photo, or a clip's key frame, with skeleton, box, exercise, angles and faults drawn."""
        path = analyses.annotated_path(storage(), own(Analysis, analysis_id))
        return send_file(path, mimetype="image/jpeg", max_age=0)
