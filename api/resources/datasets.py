"""Labelled image datasets (zip uploads) for training your own models; each belongs to its user."""

from flask import current_app, request
from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields, reqparse
from werkzeug.datastructures import FileStorage

from api.models import Dataset
from api.resources import rest_api
from api.resources.common import UtcDateTime, error_model, own, owned_page, page_model, pagination_parser
from api.services.model_training import datasets
from api.services.uploads import require_file

ns = Namespace("datasets", description="Labelled datasets: YOLO detection or folder-per-class classification zips")
error = error_model(ns)

dataset_summary = ns.model(
    "DatasetSummary",
    {
        "id": fields.Integer(),
        "name": fields.String(),
        "task": fields.String(enum=["detect", "classify"]),
        "layout": fields.String(enum=["yolo", "class-folders", "split-folders"]),
        "class_names": fields.List(fields.String),
        "image_count": fields.Integer(),
        "size_bytes": fields.Integer(),
        "created_at": UtcDateTime(),
    },
)
dataset_model = ns.inherit(
    "Dataset",
    dataset_summary,
    {
        "report": fields.Raw(
            description="images and instances per class and split, class balance, how the validation split was made"
        )
    },
)
dataset_page = page_model(ns, "Dataset", dataset_summary)

upload_parser = reqparse.RequestParser()
upload_parser.add_argument(
    "file", type=FileStorage, location="files", required=True,
    help="zip: data.yaml + images/ + labels/ (detection) or one folder per class, optionally under train/ and val/",
)  # fmt: skip
upload_parser.add_argument("name", location="form", help="a name for the dataset (the file's name by default)")

list_parser = pagination_parser.copy()
list_parser.add_argument("task", choices=("detect", "classify"), location="args")


@ns.route("")
class DatasetList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(list_parser)
    @ns.marshal_with(dataset_page)
    def get(self):
        """Your datasets, newest first."""
        return owned_page(Dataset, list_parser, task="task")

    @ns.expect(upload_parser)
    @ns.marshal_with(dataset_model, code=201, description="Checked and stored; the report says what is inside")
    @ns.response(413, "The zip is over DATASET_MAX_UPLOAD_MB", error)
    @ns.response(415, "Not a zip by content", error)
    @ns.response(422, "invalid_dataset: details.problems lists the first problems of each kind", error)
    def post(self):
        """Upload a dataset zip; everything in it is checked before it is accepted."""
        config = current_app.config
        request.max_content_length = config["DATASET_MAX_UPLOAD_MB"] * 2**20
        stream, filename = require_file(request.files)
        dataset = datasets.create_dataset(config, current_user, stream, filename, request.form.get("name"))
        return dataset, 201, {"Location": rest_api.url_for(DatasetItem, dataset_id=dataset.id)}


@ns.route("/<int:dataset_id>")
@ns.response(404, "Not yours or not there", error)
class DatasetItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(dataset_model)
    def get(self, dataset_id: int):
        """One dataset with its report: classes, images and instances per split, class balance."""
        return own(Dataset, dataset_id)

    @ns.response(204, "Deleted")
    @ns.response(409, "A queued or running training job still uses it", error)
    def delete(self, dataset_id: int):
        """Delete a dataset and its files."""
        datasets.delete_dataset(current_app.config, own(Dataset, dataset_id))
        return "", 204
