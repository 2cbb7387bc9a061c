"""The model registry: the models your training produced, which one recognition uses, and downloads."""

from flask import send_file
from flask_jwt_extended import jwt_required
from flask_restx import Namespace, Resource, fields, reqparse

from api.models import ModelVersion
from api.resources.common import UtcDateTime, error_model, nullable, own, owned_page, page_model, pagination_parser
from api.services.model_training import registry

ns = Namespace("models", description="Your trained models: activate one for recognition, download for the device")
error = error_model(ns)

model_model = ns.model(
    "ModelVersion",
    {
        "id": fields.Integer(),
        "name": fields.String(),
        "task": fields.String(enum=["detect", "classify"]),
        "class_names": fields.List(fields.String),
        "metrics": fields.Raw(description="the best weights' validation metrics, epochs_done, imgsz"),
        "confusion_matrix": nullable(
            fields.Raw(description="rows true, columns predicted (+ background for detection)")
        ),
        "size_bytes": fields.Integer(),
        "inference_ms": nullable(fields.Float(description="median CPU milliseconds per image at the training imgsz")),
        "is_active": fields.Boolean(description="recognition uses it for your analyses"),
        "activated_at": nullable(UtcDateTime(description="null while it is not active")),
        "job_id": nullable(fields.Integer()),
        "dataset_id": nullable(fields.Integer()),
        "created_at": UtcDateTime(),
        "formats": fields.List(fields.String, description="download formats this server can export"),
    },
)
model_page = page_model(ns, "ModelVersion", model_model)

list_parser = pagination_parser.copy()
list_parser.add_argument("task", choices=("detect", "classify"), location="args")
download_parser = reqparse.RequestParser()
download_parser.add_argument("format", choices=registry.EXPORT_FORMATS, default="pt", location="args")


@ns.route("")
class ModelList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(list_parser)
    @ns.marshal_with(model_page)
    def get(self):
        """Your models, newest first."""
        return owned_page(ModelVersion, list_parser, registry.model_dict, task="task")


@ns.route("/<int:model_id>")
@ns.response(404, "Not yours or not there", error)
class ModelItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(model_model)
    def get(self, model_id: int):
        """One model: task, classes, metrics, size, inference time, and the job and dataset it came from."""
        return registry.model_dict(own(ModelVersion, model_id))


@ns.route("/<int:model_id>/activate")
@ns.response(404, "Not yours or not there", error)
class ModelActivate(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(model_model)
    def post(self, model_id: int):
        """Use this model for your exercise recognition from your next request on (no restart anywhere)."""
        return registry.model_dict(registry.activate(own(ModelVersion, model_id)))


@ns.route("/<int:model_id>/deactivate")
@ns.response(404, "Not yours or not there", error)
class ModelDeactivate(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(model_model)
    def post(self, model_id: int):
        """Go back to the shipped recognizer."""
        return registry.model_dict(registry.deactivate(own(ModelVersion, model_id)))


@ns.route("/<int:model_id>/download")
@ns.response(404, "Not yours or not there", error)
@ns.response(422, "format_unavailable (no exporter here) or export_failed (weights not convertible)", error)
class ModelDownload(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(download_parser)
    @ns.produces(["application/octet-stream"])
    def get(self, model_id: int):
        """The weights as PyTorch (pt), ONNX or TFLite; exported on first request, then kept."""
        fmt = download_parser.parse_args()["format"]
        version = own(ModelVersion, model_id)
        path = registry.export_path(version, fmt)
        return send_file(path, mimetype="application/octet-stream", as_attachment=True,
                         download_name=f"fitcoach-model-{version.id}.{fmt}")  # fmt: skip
