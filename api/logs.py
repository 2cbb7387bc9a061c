"""Structured logging: one JSON line per record, with the request id of the request being served."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID_LENGTH = 64


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """Render records as single-line JSON objects; exceptions stay in the log, never in a response."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(app: Flask) -> None:
    """Send the app's logs to stderr, as JSON lines unless configured otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_JSON"]:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger("fitcoach")
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    root.propagate = False
    app.logger.handlers[:] = [handler]


def register_request_logging(app: Flask) -> None:
    """Give each request an id (the client's if sane), echo it back and log one line per request."""
    access_log = logging.getLogger("fitcoach.access")

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        valid = incoming and len(incoming) <= MAX_REQUEST_ID_LENGTH and incoming.replace("-", "").isalnum()
        g.request_id = incoming if valid else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={"fields": {"status": response.status_code, "duration_ms": round(elapsed_ms, 1)}},
        )
        return response
