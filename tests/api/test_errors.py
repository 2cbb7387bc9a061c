"""Every error, whoever raises it, comes back in the one JSON shape, without HTML or a stack trace."""

import logging

import pytest

from tests.conftest import assert_error
from tests.log_capture import every_log_record, record_text


def test_unknown_url_is_json_404(client):
    assert_error(client.get("/nowhere"), 404, "not_found")
    assert_error(client.get("/api/v1/nowhere"), 404, "not_found")


def test_wrong_method_is_json_405_with_allow(client):
    response = client.delete("/api/v1/health")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_body_over_the_size_limit_is_json_413(app, client, auth_headers):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post(
            "/api/v1/uploads", headers=auth_headers, data={"file": (__import__("io").BytesIO(b"x" * 4096), "a.jpg")}
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024
    assert_error(response, 413, "payload_too_large")


def test_invalid_pagination_is_json_422(client, auth_headers):
    error = assert_error(client.get("/api/v1/uploads?per_page=1000", headers=auth_headers), 422, "validation_error")
    assert "per_page" in error["details"]


def test_unexpected_errors_are_json_500_without_details(app, client, monkeypatch):
    from api.resources.health import Health

    def explode(self):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(Health, "get", explode)
    with every_log_record() as records:
        response = client.get("/api/v1/health")
    error = assert_error(response, 500, "internal_error")
    body = response.get_data(as_text=True)
    assert "details" not in error and set(error) == {"code", "message", "request_id"}
    assert "secret internal detail" not in body and "RuntimeError" not in body and "explode" not in body
    assert error["request_id"] == response.headers["X-Request-ID"]
    logged = [r for r in records if r.levelno >= logging.ERROR and r.exc_info and r.exc_info[1] is not None]
    assert [str(r.exc_info[1]) for r in logged] == ["secret internal detail"], "the detail goes to the log instead"
    assert "in explode" in record_text(logged[0]) and logged[0].request_id == error["request_id"]


def test_database_outage_is_503(app, client, auth_headers, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from api.services import accounts

    def unavailable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(accounts, "update_profile", unavailable)
    assert_error(client.patch("/api/v1/users/me", headers=auth_headers, json={"age": 30}), 503, "database_unavailable")


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/swagger.json", "/api/v1/nowhere"])
def test_security_headers_are_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response.headers
    assert "Access-Control-Allow-Origin" not in response.headers


def test_request_id_is_echoed_or_made(client):
    assert client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    made = client.get("/api/v1/health", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"]
    assert made != "bad id <script>" and len(made) == 32


def test_a_row_deleted_by_another_request_meanwhile_is_json_404(app, client, auth_headers):
    """A request that reads a row again after another request deleted it answers 404, not 500."""
    from sqlalchemy import delete
    from sqlalchemy.orm.exc import ObjectDeletedError

    from api.errors import error_status_and_body
    from api.extensions import db
    from api.models import LiveSession

    session_id = client.post("/api/v1/live-sessions", headers=auth_headers, json={"exercise": "plank"}).get_json()["id"]
    with app.app_context():
        row = db.session.get(LiveSession, session_id)
        db.session.rollback()  # this request's transaction ends; the row is read again on its next use
        with db.engine.begin() as other_request:
            other_request.execute(delete(LiveSession).where(LiveSession.id == session_id))
        with pytest.raises(ObjectDeletedError) as caught:
            _ = row.status
        status, body = error_status_and_body(caught.value)
    assert status == 404 and body["error"]["code"] == "not_found"
