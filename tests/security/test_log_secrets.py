"""No secret in any log line: passwords, access and refresh tokens and the JWT key never reach the logs, from any
logger, at any level, whatever the request (sign-up, sign-in, a wrong password, a refresh, authorised calls,
logout)."""

from tests.log_capture import every_log_record, record_text

API = "/api/v1"
PASSWORD = "correct-horse-battery-42"
WRONG_PASSWORD = "wrong-horse-battery-42"


def test_no_password_token_or_key_is_ever_logged(app, client):
    with every_log_record() as records:
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
    assert sum(r.name == "fitcoach.access" for r in records) == 8, "one access line per request"
    assert any(r.name.startswith("sqlalchemy.engine") for r in records), "other loggers, at debug level, are heard"
    logged = "\n".join(record_text(r) for r in records)
    secrets = [PASSWORD, WRONG_PASSWORD, tokens["access_token"], tokens["refresh_token"],
               refreshed.get_json()["access_token"], app.config["JWT_SECRET_KEY"]]  # fmt: skip
    for secret in secrets:
        assert secret not in logged
    for token in secrets[2:5]:
        assert token.split(".")[2] not in logged  # not even the signature part
