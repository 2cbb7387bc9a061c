"""Live sessions: a set coached while it happens, frame batches in, reps and cues out."""

from flask import current_app, request
from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields

from api.ml.keypoints import KEYPOINT_FORMATS
from api.ml.posture import SUPPORTED_EXERCISES
from api.models import LiveSession
from api.ownership import get_owned
from api.resources.common import (
    UtcDateTime,
    caller_id,
    error_model,
    json_body,
    nullable,
    owned_page,
    page_model,
    pagination_parser,
)
from api.resources.schemas import analysis_model, live_update, standing
from api.services.live_sessions import ACTIVE, EXPIRED, FINISHED, LiveService

ns = Namespace("live-sessions", description="Coaching while you train: reps counted and faults cued as they happen")
error = error_model(ns)

live_input = ns.model(
    "LiveSessionInput",
    {
        "exercise": fields.String(required=True, example="push_up", enum=sorted(SUPPORTED_EXERCISES)),
        "keypoint_format": fields.String(enum=list(KEYPOINT_FORMATS), default=KEYPOINT_FORMATS[0]),
        "target_reps": nullable(fields.Integer(min=1, max=1000)),
        "target_seconds": nullable(fields.Integer(min=1, max=3600)),
    },
)
live_model = ns.inherit(
    "LiveSession",
    live_input,
    {
        "id": fields.Integer(),
        "status": fields.String(enum=[ACTIVE, FINISHED, EXPIRED]),
        "created_at": UtcDateTime(),
        "expires_at": nullable(UtcDateTime(description="when an unfed session is dropped")),
        "analysis_id": nullable(fields.Integer(description="the stored analysis, once finished")),
        **standing,
    },
)
frames_input = ns.model(
    "LiveFrames",
    {
        "frames": fields.List(
            fields.List(fields.List(fields.Float)),
            required=True,
            description="frames of 17 COCO keypoints [x, y, confidence], or with mediapipe33 the 33 landmarks "
            "[x, y, z?, visibility?] (pixels, or normalised 0-1)",
        ),
        "t_ms": fields.List(fields.Integer(min=0), required=True, description="each frame's time since the start"),
        "image_size": fields.List(fields.Integer, required=True, example=[480, 640]),
        "keypoint_format": fields.String(enum=list(KEYPOINT_FORMATS), description="the session's, if sent"),
        "world_frames": nullable(
            fields.List(fields.List(fields.List(fields.Float)), description="mediapipe33: world landmarks in m")
        ),
    },
)
finish_input = ns.model(
    "LiveFinish",
    {
        "log_workout": fields.Boolean(default=False),
        "weight_kg": nullable(fields.Float(min=0, max=1000)),
        "plan_id": nullable(fields.Integer()),
        "plan_day": nullable(fields.String(example="w1d1")),
    },
)
finish_model = ns.model(
    "LiveFinished",
    {
        "session": fields.Nested(live_model),
        "analysis": fields.Nested(analysis_model),
        "workout_id": nullable(fields.Integer()),
        "plan_changes": nullable(fields.List(fields.Raw(), description="how the plan adapted to the logged set")),
    },
)


live_page = page_model(ns, "LiveSession", live_model)


def service() -> LiveService:
    return LiveService.from_config(current_app.config)


def own_session(session_id: int) -> LiveSession:
    """The caller's session, found by the token's identity alone: the frames route never loads the user's row."""
    return get_owned(LiveSession, caller_id(), session_id)


@ns.route("")
class LiveSessionList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(pagination_parser)
    @ns.marshal_with(live_page)
    def get(self):
        """Your live sessions, newest first."""
        return owned_page(LiveSession, pagination_parser, service().describe)

    @ns.expect(live_input)
    @ns.marshal_with(live_model, code=201, description="Started")
    @ns.response(422, "An exercise without posture rules, a bad target", error)
    def post(self):
        """Start a live session for one exercise."""
        live = service()
        return live.describe(live.create(current_user, json_body())), 201


@ns.route("/<int:session_id>")
@ns.response(404, "Not yours or not there", error)
class LiveSessionItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(live_model)
    def get(self, session_id: int):
        """Where a live session stands."""
        return service().describe(own_session(session_id))

    @ns.response(204, "Deleted")
    def delete(self, session_id: int):
        """Drop a live session (a finished one's analysis stays)."""
        service().delete(own_session(session_id))
        return "", 204


@ns.route("/<int:session_id>/frames")
@ns.response(404, "Not yours or not there", error)
class LiveSessionFrames(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(frames_input)
    @ns.marshal_with(live_update, description="What these frames changed")
    @ns.response(409, "The session is finished or expired, or another batch was written at the same time", error)
    @ns.response(413, "Too many frames in one batch, or a frame too large", error)
    @ns.response(422, "Bad keypoints, frames out of order or too far in the future", error)
    def post(self, session_id: int):
        """Send frames: JSON keypoints, or multipart JPEG files `frames` with one `t_ms` field each."""
        live = service()
        session = own_session(session_id)
        if request.mimetype == "multipart/form-data":
            images = [file.read() for file in request.files.getlist("frames")]
            return live.add_jpegs(session, images, request.form.getlist("t_ms"))
        return live.add_keypoints(session, json_body())


@ns.route("/<int:session_id>/finish")
@ns.response(404, "Not yours or not there", error)
class LiveSessionFinish(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(finish_input)
    @ns.marshal_with(finish_model, description="Judged and stored as an analysis")
    @ns.response(409, "Finished already, expired, or no frame was sent", error)
    @ns.response(422, "Bad values, or a workout that cannot be logged", error)
    def post(self, session_id: int):
        """End the set: judge it rep by rep, store it as an analysis, optionally log it as a workout."""
        body = json_body() if request.get_data() else {}
        return service().finish(current_user, own_session(session_id), body)
