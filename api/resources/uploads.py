"""Uploaded files: each belongs to its user; another user gets 404."""

from flask import request, send_file
from flask_jwt_extended import current_user, jwt_required
from flask_restx import Namespace, Resource, fields, reqparse
from werkzeug.datastructures import FileStorage

from api.models import Upload
from api.resources.common import (
    UtcDateTime,
    error_model,
    nullable,
    own,
    owned_page,
    page_model,
    pagination_parser,
    storage,
    upload_limits,
)
from api.services import uploads

ns = Namespace("uploads", description="Your uploaded photos, clips and archives")
error = error_model(ns)

upload_model = ns.model(
    "Upload",
    {
        "id": fields.Integer(),
        "kind": fields.String(enum=["image", "video", "archive"]),
        "mime_type": fields.String(),
        "size_bytes": fields.Integer(),
        "sha256": fields.String(),
        "original_name": nullable(fields.String()),
        "width": nullable(fields.Integer()),
        "height": nullable(fields.Integer()),
        "duration_s": nullable(fields.Float()),
        "created_at": UtcDateTime(),
    },
)
upload_page = page_model(ns, "Upload", upload_model)

upload_parser = reqparse.RequestParser()
upload_parser.add_argument("file", type=FileStorage, location="files", required=True, help="JPEG/PNG/MP4/MOV/WebM")

list_parser = pagination_parser.copy()
list_parser.add_argument("kind", choices=("image", "video", "archive"), location="args")


@ns.route("")
class UploadList(Resource):
    method_decorators = [jwt_required()]

    @ns.expect(list_parser)
    @ns.marshal_with(upload_page)
    def get(self):
        """Your uploads, newest first."""
        return owned_page(Upload, list_parser, kind="kind")

    @ns.expect(upload_parser)
    @ns.marshal_with(upload_model, code=201, description="Stored")
    @ns.response(413, "Too large (bytes, pixels or seconds)", error)
    @ns.response(415, "Not a JPEG, PNG, MP4, MOV or WebM by content", error)
    @ns.response(422, "Does not decode", error)
    def post(self):
        """Upload a photo or clip; its type is checked by content, not by name."""
        stream, name = uploads.require_file(request.files)
        upload = uploads.store_upload(storage(), current_user, stream, name, {"image", "video"}, upload_limits())
        return upload, 201


@ns.route("/<int:upload_id>")
@ns.response(404, "Not yours or not there", error)
class UploadItem(Resource):
    method_decorators = [jwt_required()]

    @ns.marshal_with(upload_model)
    def get(self, upload_id: int):
        """One upload's facts."""
        return own(Upload, upload_id)

    @ns.response(204, "Deleted")
    def delete(self, upload_id: int):
        """Delete an upload and its file."""
        uploads.delete_upload(storage(), own(Upload, upload_id))
        return "", 204


@ns.route("/<int:upload_id>/content")
@ns.response(404, "Not yours or not there", error)
class UploadContent(Resource):
    method_decorators = [jwt_required()]

    @ns.produces(["image/jpeg", "image/png", "video/mp4", "video/quicktime", "video/webm"])
    def get(self, upload_id: int):
        """Download the file itself."""
        upload = own(Upload, upload_id)
        path = storage().path_of(upload.user_id, upload.stored_name)
        return send_file(path, mimetype=upload.mime_type)
