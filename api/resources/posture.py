"""Posture and reps from keypoints alone, for clients that run pose on the device."""

from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields

from api.resources.common import error_model, json_body
from api.resources.schemas import analysis_model
from api.services import analyses

ns = Namespace(
    "posture", description="Judge form and count reps from COCO-17 or MediaPipe-33 keypoints you computed yourself"
)
error = error_model(ns)

posture_request = ns.model(
    "PostureRequest",
    {
        "exercise": fields.String(required=True, example="push_up"),
        "keypoint_format": fields.String(
            enum=["coco17", "mediapipe33"],
            default="coco17",
            description="coco17: 17 COCO keypoints per frame; mediapipe33: the 33 MediaPipe / ML Kit pose landmarks",
        ),
        "frames": fields.List(
            fields.List(fields.List(fields.Float)),
            required=True,
            description="T frames. coco17: 17 keypoints, each [x, y, confidence] (a missing joint has confidence 0). "
            "mediapipe33: 33 landmarks in MediaPipe's order, each [x, y], [x, y, visibility], [x, y, z, visibility] "
            "or [x, y, z, visibility, presence]. Coordinates in pixels, or normalised to [0, 1] of image_size",
        ),
        "world_frames": fields.List(
            fields.List(fields.List(fields.Float)),
            description="mediapipe33 only, optional: T frames of 33 world landmarks [x, y, z] in metres from the hips",
        ),
        "fps": fields.Float(example=30, min=1, max=240),
        "image_size": fields.List(fields.Integer, required=True, example=[640, 480]),
    },
)


@ns.route("")
class Posture(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(posture_request)
    @ns.marshal_with(analysis_model, code=201, description="Assessed and stored")
    @ns.response(422, "Wrong shape, NaN or out-of-range values (the frame and joint named), or no rules", error)
    def post(self):
        """Assess posture (and reps, for several frames) from keypoints."""
        return analyses.analysis_dict(analyses.analyse_keypoints(current_user, json_body())), 201
