"""Helpers shared by the resources: the caller and their rows, roles, pagination, JSON bodies, the app's storage
and upload limits, and the documented error shape."""

from __future__ import annotations

import copy
import math
from datetime import date
from functools import wraps

from flask import Response, current_app, request
from flask_jwt_extended import current_user, get_jwt_identity, verify_jwt_in_request
from flask_restx import Namespace, fields, inputs, reqparse
from sqlalchemy import func, select

from api.exceptions import Forbidden, InvalidInput
from api.extensions import db
from api.models.base import as_utc
from api.ownership import get_owned, owned_query
from api.services.uploads import UploadLimits
from api.storage import Storage

MAX_PER_PAGE = 100


class UtcDateTime(fields.DateTime):
    """An ISO 8601 date-time with its UTC offset. Columns are written in UTC, but SQLite hands them back naive,
    and a date-time without an offset is not an RFC 3339 `date-time` as the spec documents it."""

    def format_iso8601(self, dt):
        return as_utc(dt).isoformat()


def iso_date(value: str) -> date:
    """A `YYYY-MM-DD` query argument as a `date` (flask-restx's `inputs.date` gives a `datetime`, which cannot be
    compared with the `date`s the services work with)."""
    return inputs.date(value).date()


iso_date.__schema__ = {"type": "string", "format": "date"}


def bounds(ranges: dict, name: str) -> dict:
    """The `min` and `max` of a field for its restx model, from a `(low, high, type)` range of the vocabulary."""
    low, high, _ = ranges[name]
    return {"min": low, "max": high}


def nullable(field):
    """A copy of an output field documented as possibly null (Swagger 2.0 `x-nullable`): a profile value not set
    yet, an exercise without an easier variant."""
    field = copy.copy(field)
    schema = field.schema
    field.schema = lambda: {**schema(), "x-nullable": True}
    return field


pagination_parser = reqparse.RequestParser()
pagination_parser.add_argument("page", type=inputs.int_range(1, 1_000_000), default=1, location="args")
pagination_parser.add_argument("per_page", type=inputs.int_range(1, MAX_PER_PAGE), default=20, location="args")


def page_model(ns: Namespace, name: str, item_model) -> object:
    """The documented shape of a page of `item_model`."""
    return ns.model(
        f"{name}Page",
        {
            "items": fields.List(fields.Nested(item_model)),
            "page": fields.Integer(example=1),
            "per_page": fields.Integer(example=20),
            "total": fields.Integer(example=42),
            "pages": fields.Integer(example=3),
        },
    )


def _page(items: list, page: int, per_page: int, total: int) -> dict:
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": math.ceil(total / per_page) if total else 0}  # fmt: skip


def paginate(statement, page: int, per_page: int, serialise=None) -> dict:
    """Run a select for one page and count the total without loading every row; each row through `serialise`
    (rows as they are, for their restx model to marshal, without it)."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return _page([serialise(row) for row in rows] if serialise else list(rows), page, per_page, total)


def paginate_list(rows: list, page: int, per_page: int, serialise) -> dict:
    """A page of an in-memory list, in the same shape as `paginate`."""
    chunk = rows[(page - 1) * per_page : page * per_page]
    return _page([serialise(row) for row in chunk], page, per_page, len(rows))


def paginated(parser, statement_of, serialise=None) -> dict:
    """The page the query arguments ask for of the select `statement_of(args)` builds from them."""
    args = parser.parse_args()
    return paginate(statement_of(args), args["page"], args["per_page"], serialise)


def owned_page(model, parser, serialise=None, *order_by, **filter_args) -> dict:
    """A page of the caller's rows of `model`; `filter_args` maps a column to the query argument filtering it
    (`kind="kind"`)."""

    def statement(args):
        return owned_query(model, current_user, *order_by, **{column: args[arg] for column, arg in filter_args.items()})

    return paginated(parser, statement, serialise)


def attachment(body, mimetype: str, filename: str) -> Response:
    """A file to download (an export), named."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})


def own(model, object_id: int):
    """The signed-in caller's row of `model` with this id; 404 when it is not theirs or not there."""
    return get_owned(model, current_user, object_id)


def caller_id() -> int:
    """The signed-in caller's id from the verified token alone, for hot paths that never need the user's row."""
    return int(get_jwt_identity())


def storage() -> Storage:
    """The app's storage of uploads and artefacts."""
    return current_app.extensions["fitcoach_storage"]


def upload_limits() -> UploadLimits:
    config = current_app.config
    return UploadLimits(config["MAX_IMAGE_PIXELS"], config["MAX_CLIP_SECONDS"])


def json_body() -> dict:
    """The request's JSON object; a clear error when it is missing or not an object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object", code="invalid_json")
    return body


def admin_required(fn):
    """Only admins pass; others get 403."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        if not current_user.is_admin:
            raise Forbidden("this operation is for admins only")
        return fn(*args, **kwargs)

    return wrapper


ERROR_MODEL_FIELDS = {
    "code": fields.String(example="validation_error"),
    "message": fields.String(example="the profile has invalid values"),
    "details": fields.Raw(),
    "request_id": fields.String(),
}


def error_model(ns: Namespace):
    """The one error shape, documented on every namespace."""
    inner = ns.model("ErrorDetail", ERROR_MODEL_FIELDS)
    return ns.model("Error", {"error": fields.Nested(inner)})
