"""One JSON error shape for the whole API: `{"error": {"code", "message", "details"}}`.

Every error, raised by Flask, flask-restx, flask-jwt-extended, SQLAlchemy or a service, goes through
`error_response`; no HTML page and no stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, g, jsonify
from flask_jwt_extended.exceptions import (
    JWTExtendedException,
    NoAuthorizationError,
    RevokedTokenError,
    UserLookupError,
    WrongTokenError,
)
from jwt.exceptions import ExpiredSignatureError, PyJWTError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import ObjectDeletedError
from werkzeug.exceptions import BadRequest, HTTPException

from api import exceptions as domain

log = logging.getLogger("fitcoach.errors")

DOMAIN_STATUS: list[tuple[type[domain.DomainError], int]] = [
    (domain.InvalidInput, 422),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.Unauthenticated, 401),
    (domain.Forbidden, 403),
    (domain.UnsupportedMedia, 415),
    (domain.PayloadTooLarge, 413),
    (domain.QuotaExceeded, 429),
    (domain.StorageFull, 507),
    (domain.ServiceUnavailable, 503),
]

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


def error_body(status: int, code: str, message: str, details=None) -> dict:
    error = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    request_id = g.get("request_id")
    if request_id:
        error["request_id"] = request_id
    return {"error": error}


def _jwt_error(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, ExpiredSignatureError):
        return 401, "token_expired", "the token has expired; log in or refresh"
    if isinstance(exc, RevokedTokenError):
        return 401, "token_revoked", "the token has been revoked; log in again"
    if isinstance(exc, NoAuthorizationError):
        return 401, "authorization_required", "send 'Authorization: Bearer <access token>'"
    if isinstance(exc, WrongTokenError):
        return 401, "wrong_token_type", str(exc)
    if isinstance(exc, UserLookupError):
        return 401, "invalid_token", "the token's user no longer exists"
    return 401, "invalid_token", "the token is invalid"


def _describe(exc: BaseException) -> tuple[int, str, str, object]:
    """Status, code, message and details for any exception."""
    if isinstance(exc, domain.DomainError):
        status = next(s for cls, s in DOMAIN_STATUS if isinstance(exc, cls))
        return status, exc.code, exc.message, exc.details
    if isinstance(exc, JWTExtendedException | PyJWTError):
        return (*_jwt_error(exc), None)
    if isinstance(exc, BadRequest) and isinstance(getattr(exc, "data", None), dict) and "errors" in exc.data:
        return 422, "validation_error", "the request does not match its schema", exc.data["errors"]
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        message = exc.description or HTTPStatus(status).phrase
        if status == 429:
            message = f"too many requests: the limit is {exc.description}; try again later"
        return status, HTTP_CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_")), message, None
    if isinstance(exc, ObjectDeletedError):  # another request deleted the row while this one used it
        return 404, "not_found", "it was deleted meanwhile", None
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        log.warning("database unavailable: %s", exc.__class__.__name__)
        return 503, "database_unavailable", "the database is unavailable for a moment; try again", None
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return 500, "internal_error", "an unexpected error happened; it has been logged", None


def error_status_and_body(exc: BaseException) -> tuple[int, dict]:
    """The status and the one error body for an exception; rolls back the session on server errors."""
    status, code, message, details = _describe(exc)
    if status >= 500:
        from api.extensions import db

        db.session.rollback()
    return status, error_body(status, code, message, details)


def error_response(exc: BaseException):
    """The JSON response for an exception."""
    status, body = error_status_and_body(exc)
    response = jsonify(body)
    response.status_code = status
    if isinstance(exc, HTTPException) and exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    if status == 429 and isinstance(exc, HTTPException):
        retry_after = exc.get_response().headers.get("Retry-After")
        if retry_after:
            response.headers["Retry-After"] = retry_after
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def register_error_handlers(app: Flask) -> None:
    """Route every exception that Flask itself sees (outside the API's resources) to `error_response`."""
    app.register_error_handler(Exception, error_response)
    app.register_error_handler(HTTPException, error_response)
