"""Every error, whoever raises it, comes back in the one JSON shape, without HTML or a stack trace."""

import logging

import pytest

from tests.conftest import assert_error


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


def test_unexpected_errors_are_json_500_without_details(app, client, caplog):
    from api.resources.health import Health

    original = Health.get

    def explode(self):
        raise RuntimeError("secret internal detail")

    Health.get = explode
    try:
        with caplog.at_level(logging.ERROR, logger="fitcoach"):
            response = client.get("/api/v1/health")
    finally:
        Health.get = original
    error = assert_error(response, 500, "internal_error")
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert error["request_id"] == response.headers["X-Request-ID"]


def test_database_outage_is_503(app, client, auth_headers, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from api import accounts

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
