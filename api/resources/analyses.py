"""Analyses of photos and clips: exercise, people, posture, reps, and the annotated image."""

from flask import current_app, request, send_file
from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields, reqparse
from werkzeug.datastructures import FileStorage

from api.resources import rest_api
from api.resources.common import UtcDateTime, error_model, iso_date, nullable, page_model, paginate, pagination_parser
from api.resources.uploads import limits, storage
from api.services import analyses
from api.services.uploads import require_file
from api.vocabulary import ANALYSIS_STATUSES

ns = Namespace("analyses", description="Recognise the exercise, judge the form and count reps on a photo or clip")
error = error_model(ns)

label_confidence = ns.model("LabelConfidence", {"label": fields.String(), "confidence": fields.Float()})
exercise_model = ns.model(
    "Recognition",
    {
        "label": nullable(fields.String(description="null when no person is found or confidence is too low")),
        "confidence": nullable(fields.Float()),
        "top5": fields.List(fields.Nested(label_confidence)),
        "reason": nullable(fields.String(description="why label is null")),
    },
)
person_model = ns.model(
    "Person",
    {
        "box": fields.List(fields.Float, description="[x1, y1, x2, y2] in pixels"),
        "score": fields.Float(),
        "keypoints": fields.List(fields.List(fields.Float), description="17 COCO keypoints as [x, y, confidence]"),
        "track_id": nullable(fields.Integer()),
    },
)
issue_model = ns.model(
    "PostureIssue",
    {
        "code": fields.String(example="hips_sagging"),
        "message": fields.String(),
        "correction": fields.String(),
        "severity": fields.String(enum=["low", "medium", "high"]),
        "measured": fields.Float(description="the value measured on you, in `unit`"),
        "threshold": fields.Float(description="the cited limit it is compared with, in `unit`"),
        "unit": fields.String(),
    },
)
posture_model = ns.model(
    "Posture",
    {
        "exercise": nullable(fields.String()),
        "assessed": fields.Boolean(),
        "reason": nullable(fields.String()),
        "score": nullable(fields.Float(description="0-100")),
        "form_ok": nullable(fields.Boolean()),
        "view": nullable(fields.String(enum=["side", "front", "unclear"])),
        "issues": fields.List(fields.Nested(issue_model)),
        "skipped": fields.List(fields.Raw(), description="checks not made, each with why (joint hidden, wrong view)"),
        "checked": nullable(fields.List(fields.String, description="codes of the checks that were made")),
        "measured": nullable(fields.Raw(description="the measured value of every check made, by code")),
        "angles": nullable(fields.Raw(description="null when no person was assessed")),
        "hold_s": nullable(fields.Float(description="a hold's seconds with good form (clips and live sessions)")),
    },
)
reps_model = ns.model("Reps", {"count": fields.Integer(), "per_rep": fields.List(fields.Raw())})
analysis_model = ns.model(
    "Analysis",
    {
        "id": fields.Integer(),
        "status": fields.String(enum=list(ANALYSIS_STATUSES)),
        "media_type": fields.String(enum=["image", "video", "keypoints", "live"]),
        "upload_id": nullable(fields.Integer()),
        "created_at": UtcDateTime(),
        "exercise": nullable(fields.Nested(exercise_model, allow_null=True)),
        "persons": fields.List(fields.Nested(person_model)),
        "posture": nullable(fields.Nested(posture_model, allow_null=True)),
        "reps": nullable(fields.Nested(reps_model, allow_null=True)),
        "image_size": fields.List(fields.Integer),
        "timing": nullable(fields.Raw()),
        "error": nullable(fields.String()),
    },
)
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
        args = list_parser.parse_args()
        statement = analyses.own_analyses_query(current_user, args["exercise"], args["date_from"], args["date_to"])
        return paginate(statement, args["page"], args["per_page"], analyses.serialise)

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
            storage(), current_user, stream, name, limits(), hint, current_app.config["SYNC_CLIP_SECONDS"]
        )
        if analysis.status == analyses.QUEUED:
            return (
                analyses.serialise(analysis),
                202,
                {"Location": rest_api.url_for(AnalysisItem, analysis_id=analysis.id)},
            )
        return analyses.serialise(analysis), 201


@ns.route("/<int:analysis_id>")
@ns.response(404, "Not yours or not there", error)
class AnalysisItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(analysis_model)
    def get(self, analysis_id: int):
        """One analysis."""
        return analyses.serialise(analyses.get_own_analysis(current_user, analysis_id))

    @ns.response(204, "Deleted")
    def delete(self, analysis_id: int):
        """Delete an analysis with its upload and annotated image."""
        analyses.delete_analysis(storage(), analyses.get_own_analysis(current_user, analysis_id))
        return "", 204


@ns.route("/<int:analysis_id>/annotated")
@ns.response(404, "Not yours, not there, or nothing to draw on", error)
class AnalysisAnnotated(Resource):
    method_decorators = [jwt_required()]

    @ns.produces(["image/jpeg"])
    def get(self, analysis_id: int):
        """The photo, or a clip's key frame, with skeleton, box, exercise, angles and faults drawn."""
        path = analyses.annotated_path(storage(), analyses.get_own_analysis(current_user, analysis_id))
        return send_file(path, mimetype="image/jpeg", max_age=0)
