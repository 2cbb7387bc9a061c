"""Domain exceptions raised by services; `api/errors.py` maps each kind to an HTTP status once.

Services (`api/ml`, `api/planner`, `api/jobs`, storage) raise these and never know about HTTP.
Each carries a stable machine-readable `code`, a human `message` and optional `details`.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class InvalidInput(DomainError):
    """The input is well-formed but its values are wrong (422)."""

    code = "validation_error"


class NotFound(DomainError):
    """The thing asked for does not exist, or belongs to someone else (404)."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (409)."""

    code = "conflict"


class Unauthenticated(DomainError):
    """Credentials that do not identify anyone (401)."""

    code = "invalid_credentials"


class Forbidden(DomainError):
    """The caller is known but may not do this (403)."""

    code = "forbidden"


class UnsupportedMedia(DomainError):
    """An upload whose content is not a type we accept (415)."""

    code = "unsupported_media_type"


class PayloadTooLarge(DomainError):
    """An upload over a size, pixel or duration limit (413)."""

    code = "payload_too_large"


class QuotaExceeded(DomainError):
    """A per-user quota would be exceeded (429)."""

    code = "quota_exceeded"


class StorageFull(DomainError):
    """The disk refused a write (507)."""

    code = "insufficient_storage"


class ServiceUnavailable(DomainError):
    """A dependency (database, model, queue) is unavailable for now (503)."""

    code = "service_unavailable"


class UnknownExercise(InvalidInput):
    """An exercise label that the catalogue or a rule set does not know."""

    code = "unknown_exercise"


class InvalidKeypoints(InvalidInput):
    """Keypoint arrays of the wrong shape or with non-finite values."""

    code = "invalid_keypoints"


class InvalidMedia(InvalidInput):
    """A photo or clip that does not decode, or has no usable frames."""

    code = "invalid_media"


class InvalidDataset(InvalidInput):
    """A dataset archive that fails validation; `details` lists the problems."""

    code = "invalid_dataset"
