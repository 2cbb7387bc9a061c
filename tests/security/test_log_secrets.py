"""No secret in any log line: passwords, access and refresh tokens and the JWT key never reach the logs, at any
level, whatever the request (sign-up, sign-in, a wrong password, a refresh, authorised calls, logout)."""

import io
import logging

from api.logs import JsonFormatter, RequestIdFilter

API = "/api/v1"
PASSWORD = "correct-horse-battery-42"
WRONG_PASSWORD = "wrong-horse-battery-42"


def test_no_password_token_or_key_is_ever_logged(app, client):
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("fitcoach")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        account = {"email": "quiet@example.com", "password": PASSWORD}
        client.post(f"{API}/auth/register", json={**account, "name": "Quiet"})
        client.post(f"{API}/auth/login", json={**account, "password": WRONG_PASSWORD})
        tokens = client.post(f"{API}/auth/login", json=account).get_json()
        access = {"Authorization": f"Bearer {tokens['access_token']}"}
        refreshed = client.post(f"{API}/auth/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
        client.get(f"{API}/users/me", headers=access)
        client.patch(f"{API}/users/me", headers=access, json={"age": 7})
        client.get(f"{API}/users/me", headers={"Authorization": "Bearer not-a-token"})
        client.post(f"{API}/auth/logout", headers=access)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    logged = lines.getvalue()
    assert logged.count("\n") >= 8  # one access line per request at least
    secrets = [PASSWORD, WRONG_PASSWORD, tokens["access_token"], tokens["refresh_token"],
               refreshed.get_json()["access_token"], app.config["JWT_SECRET_KEY"]]  # fmt: skip
    for secret in secrets:
        assert secret not in logged
    for token in secrets[2:5]:
        assert token.split(".")[2] not in logged  # not even the signature part
