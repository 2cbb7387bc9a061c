"""The app client's errors: one exception per kind of failure, with a message fit to show a person (the server's
own `message` when there is one), built from the API's one error shape."""

from __future__ import annotations

import requests


class ApiError(Exception):
    """Any failed call; `message` is meant for people, `code` and `details` come from the server."""

    status: int | None = None

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.code = code
        self.details = details


class NetworkError(ApiError):
    """The server could not be reached (no network, wrong address, timeout)."""


class AuthError(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class TooLarge(ApiError):
    status = 413


class UnsupportedMedia(ApiError):
    status = 415


class Invalid(ApiError):
    status = 422


class RateLimited(ApiError):
    status = 429


class ServerError(ApiError):
    status = 500


ERRORS_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthError,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: TooLarge,
    415: UnsupportedMedia,
    422: Invalid,
    429: RateLimited,
}


def error_from_response(response: requests.Response) -> ApiError:
    """The exception for an error response, carrying the server's message (our one JSON error shape)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    return error_from_body(response.status_code, body)


def error_from_body(status: int, body) -> ApiError:
    """The exception for an error `status` and its body in the API's error shape (or anything else)."""
    error = (body.get("error") if isinstance(body, dict) else None) or {}
    if not isinstance(error, dict):
        error = {}
    message, code, details = error.get("message") or "", error.get("code"), error.get("details")
    if not message:
        message = {413: "the file is too large for the server"}.get(status, f"the server answered {status}")
    fallback = ServerError if status >= 500 else ApiError
    cls = Invalid if status == 400 else ERRORS_BY_STATUS.get(status, fallback)
    return cls(message, status=status, code=code, details=details)
