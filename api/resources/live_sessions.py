"""Live sessions: a set coached while it happens, frame batches in, reps and cues out."""

from flask import current_app, request
from flask_jwt_extended import current_user, get_jwt_identity, jwt_required
from flask_restx import Namespace, Resource, fields

from api.ml.keypoints import KEYPOINT_FORMATS
from api.ml.posture import SUPPORTED_EXERCISES
from api.ml.runtime import live_pose_config
from api.resources.analyses import analysis_model, issue_model
from api.resources.common import (
    UtcDateTime,
    error_model,
    json_body,
    nullable,
    page_model,
    paginate,
    pagination_parser,
)
from api.services.live_sessions import ACTIVE, EXPIRED, FINISHED, LiveService, LiveSettings, store_for

ns = Namespace("live-sessions", description="Coaching while you train: reps counted and faults cued as they happen")
error = error_model(ns)

PHASES = ["waiting", "rest", "in_rep", "holding", "fault"]
live_input = ns.model(
    "LiveSessionInput",
    {
        "exercise": fields.String(required=True, example="push_up", enum=sorted(SUPPORTED_EXERCISES)),
        "keypoint_format": fields.String(enum=list(KEYPOINT_FORMATS), default=KEYPOINT_FORMATS[0]),
        "target_reps": nullable(fields.Integer(min=1, max=1000)),
        "target_seconds": nullable(fields.Integer(min=1, max=3600)),
    },
)
standing = {
    "rep_count": fields.Integer(),
    "phase": nullable(fields.String(enum=PHASES)),
    "hold_s": nullable(fields.Float(description="seconds held with good form (holds such as a plank)")),
    "active_faults": fields.List(fields.Nested(issue_model)),
}
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
live_update = ns.model(
    "LiveUpdate",
    {
        **standing,
        "reps": fields.List(fields.Raw(), description="reps completed by these frames, each judged"),
        "faults_appeared": fields.List(fields.Nested(issue_model)),
        "faults_cleared": fields.List(fields.String(description="codes of faults no longer seen")),
        "cue": nullable(fields.Nested(issue_model, allow_null=True, description="the fault to say now")),
        "hold_ok": nullable(fields.Boolean()),
        "target_reached": fields.Boolean(),
        "duplicate": fields.Boolean(description="this batch was already received; nothing changed"),
        "pose": nullable(fields.List(fields.Raw(), description="JPEG frames: the main person per frame, or null")),
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


def caller_id() -> int:
    """The signed-in caller's id, from the verified token alone: the frames route never needs the user's row."""
    return int(get_jwt_identity())


def service() -> LiveService:
    config = current_app.config
    return LiveService(store_for(config["LIVE_STORE_URL"]), LiveSettings.from_config(config), live_pose_config())


@ns.route("")
class LiveSessionList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(pagination_parser)
    @ns.marshal_with(live_page)
    def get(self):
        """Your live sessions, newest first."""
        args = pagination_parser.parse_args()
        live = service()
        return paginate(live.own_query(current_user), args["page"], args["per_page"], live.describe)

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
        live = service()
        return live.describe(live.get_own(caller_id(), session_id))

    @ns.response(204, "Deleted")
    def delete(self, session_id: int):
        """Drop a live session (a finished one's analysis stays)."""
        live = service()
        live.delete(live.get_own(caller_id(), session_id))
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
        session = live.get_own(caller_id(), session_id)
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
        from api.services import analyses

        live = service()
        body = json_body() if request.get_data() else {}
        finished = live.finish(current_user, live.get_own(caller_id(), session_id), body)
        return {**finished, "analysis": analyses.serialise(finished["analysis"])}
