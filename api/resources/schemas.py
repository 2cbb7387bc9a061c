"""The restx models that more than one namespace documents and marshals: an analysis with its posture (analyses,
posture, live sessions' finish) and a live update (the frames route and the live socket). Registered on the Api
itself, so that no resource module imports another's."""

from flask_restx import fields

from api.ml.keypoints import BODY_KEYPOINT_NAMES
from api.ml.pose import KEYPOINT_ENGINES
from api.resources import rest_api
from api.resources.common import UtcDateTime, nullable
from api.vocabulary import ANALYSIS_STATUSES

label_confidence = rest_api.model("LabelConfidence", {"label": fields.String(), "confidence": fields.Float()})
exercise_model = rest_api.model(
    "Recognition",
    {
        "label": nullable(fields.String(description="null when no person is found or confidence is too low")),
        "confidence": nullable(fields.Float()),
        "top5": fields.List(fields.Nested(label_confidence)),
        "reason": nullable(fields.String(description="why label is null")),
    },
)
person_model = rest_api.model(
    "Person",
    {
        "box": fields.List(fields.Float, description="[x1, y1, x2, y2] in pixels"),
        "score": fields.Float(),
        "keypoints": fields.List(fields.List(fields.Float), description="17 COCO keypoints as [x, y, confidence]"),
        "track_id": nullable(fields.Integer()),
    },
)
issue_model = rest_api.model(
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
posture_model = rest_api.model(
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
reps_model = rest_api.model("Reps", {"count": fields.Integer(), "per_rep": fields.List(fields.Raw())})
body_point_model = rest_api.model(
    "BodyKeypoint",
    {
        "name": fields.String(enum=list(BODY_KEYPOINT_NAMES)),
        "x": nullable(fields.Float(description="pixels")),
        "y": nullable(fields.Float(description="pixels")),
        "confidence": fields.Float(description="0 where the engine has no such joint (YOLO's feet) or lost it"),
        "world": nullable(
            fields.List(fields.Float, description="BlazePose's world x, y (down), z in metres from between the hips")
        ),
    },
)
body_model = rest_api.model(
    "Body",
    {
        "engine": fields.String(enum=list(KEYPOINT_ENGINES), description="the pose engine that found these joints"),
        "keypoints": fields.List(fields.Nested(body_point_model), description="COCO-17, then heels and toe tips"),
    },
)
analysis_model = rest_api.model(
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
        "body": nullable(
            fields.Nested(
                body_model,
                allow_null=True,
                description="the main person's joints that judged posture, on the annotated frame (photos, clips)",
            )
        ),
        "timing": nullable(fields.Raw()),
        "error": nullable(fields.String()),
    },
)
PHASES = ["waiting", "rest", "in_rep", "holding", "fault"]
standing = {
    "rep_count": fields.Integer(),
    "phase": nullable(fields.String(enum=PHASES)),
    "hold_s": nullable(fields.Float(description="seconds held with good form (holds such as a plank)")),
    "active_faults": fields.List(fields.Nested(issue_model)),
}
live_update = rest_api.model(
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
