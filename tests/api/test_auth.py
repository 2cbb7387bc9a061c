"""Accounts end to end: register, login, refresh, logout, and every way a token can be bad."""

from datetime import timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token, decode_token

from tests.conftest import PASSWORD, assert_error


def test_register_returns_the_account_without_secrets(auth):
    response = auth.register("  Ada@Example.COM ", name="Ada")
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "ada@example.com"
    assert body["role"] == "user"
    assert "password" not in str(body).lower()


def test_taken_email_is_refused_whatever_its_case(auth):
    assert auth.register("bob@example.com").status_code == 201
    assert_error(auth.register("BOB@example.com "), 409, "email_taken")


@pytest.mark.parametrize(
    "password",
    ["short1!", "onlyletterslong", "1234567890", "aaaaaaaaaaaaaaaaaaaa", "password123"],
)
def test_weak_passwords_are_refused_with_reasons(auth, password):
    error = assert_error(auth.register(password=password), 422, "validation_error")
    assert error["details"]["password"]


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.com", "sp ace@example.com"])
def test_invalid_emails_are_refused(auth, email):
    assert_error(auth.register(email), 422)


def test_passwords_are_stored_with_argon2(app, auth):
    from api.extensions import db
    from api.models import User

    auth.register("hash@example.com")
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "hash@example.com"))
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_login_gives_access_and_refresh_tokens(auth, client):
    auth.register("carol@example.com")
    response = auth.login("CAROL@example.com")
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.get_json()["email"] == "carol@example.com"


@pytest.mark.parametrize("email,password", [("dave@example.com", "wrong-password-1"), ("nobody@example.com", PASSWORD)])
def test_bad_credentials_get_401(auth, email, password):
    auth.register("dave@example.com")
    assert_error(auth.login(email, password), 401, "invalid_credentials")


def test_refresh_gives_a_working_access_token(client, user):
    response = client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {user['refresh_token']}"})
    assert response.status_code == 200
    token = response.get_json()["access_token"]
    assert client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_access_token_cannot_refresh_and_refresh_token_cannot_access(client, user):
    assert_error(client.post("/api/v1/auth/refresh", headers=user["headers"]), 401, "wrong_token_type")
    refresh_headers = {"Authorization": f"Bearer {user['refresh_token']}"}
    assert_error(client.get("/api/v1/users/me", headers=refresh_headers), 401, "wrong_token_type")


def test_logout_revokes_the_token_everywhere(client, user):
    assert client.post("/api/v1/auth/logout", headers=user["headers"]).status_code == 204
    assert_error(client.get("/api/v1/users/me", headers=user["headers"]), 401, "token_revoked")
    assert_error(client.post("/api/v1/auth/logout", headers=user["headers"]), 401, "token_revoked")


def test_logout_of_the_refresh_token_stops_refreshing(client, user):
    refresh_headers = {"Authorization": f"Bearer {user['refresh_token']}"}
    assert client.post("/api/v1/auth/logout", headers=refresh_headers).status_code == 204
    assert_error(client.post("/api/v1/auth/refresh", headers=refresh_headers), 401, "token_revoked")


def test_expired_token_gets_401(app, client, user):
    with app.app_context():
        token = create_access_token(identity=str(user["id"]), expires_delta=timedelta(seconds=-5))
    assert_error(client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}), 401, "token_expired")


def _claims(app, token):
    with app.app_context():
        return decode_token(token)


def test_forged_signature_gets_401(app, client, user):
    forged = pyjwt.encode(_claims(app, user["access_token"]), "not-the-server-key-but-long-enough-123", "HS256")
    assert_error(client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"}), 401, "invalid_token")


def test_tampered_claims_get_401(app, client, user, other_user):
    header, payload, signature = user["access_token"].split(".")
    _, other_payload, _ = other_user["access_token"].split(".")
    tampered = ".".join([header, other_payload, signature])
    assert_error(client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {tampered}"}), 401)


def test_alg_none_gets_401(app, client, user):
    unsigned = pyjwt.encode(_claims(app, user["access_token"]), key=None, algorithm="none")
    assert_error(client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {unsigned}"}), 401)


def test_wrong_algorithm_gets_401(app, client, user):
    other_alg = pyjwt.encode(_claims(app, user["access_token"]), app.config["JWT_SECRET_KEY"], "HS512")
    assert_error(client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {other_alg}"}), 401)


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not.a.jwt", "Basic abc", "Bearer a b c"])
def test_missing_or_malformed_authorization_gets_401(client, header):
    headers = {"Authorization": header} if header else {}
    assert_error(client.get("/api/v1/users/me", headers=headers), 401)


def test_token_of_a_deleted_user_gets_401(app, client, user):
    from api.extensions import db
    from api.models import User

    with app.app_context():
        db.session.delete(db.session.get(User, user["id"]))
        db.session.commit()
    assert_error(client.get("/api/v1/users/me", headers=user["headers"]), 401)


def test_login_is_rate_limited_per_address(app, auth):
    auth.register("eve@example.com")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = [auth.login(f"guess{i}@example.com", "wrong-password-1").status_code for i in range(limit + 1)]
    assert statuses[:limit] == [401] * limit
    assert_error(auth.login("eve@example.com"), 429, "rate_limited")


def test_login_is_rate_limited_per_account_across_addresses(app, client, auth):
    auth.register("frank@example.com")
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    body = {"email": "frank@example.com", "password": "wrong-password-1"}
    statuses = [
        client.post("/api/v1/auth/login", json=body, environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code
        for i in range(limit + 1)
    ]
    assert statuses[:limit] == [401] * limit
    assert statuses[limit] == 429


def test_cli_makes_the_first_admin(app, runner, client):
    result = runner.invoke(args=["create-admin", "boss@example.com", "--password", PASSWORD, "--name", "Boss"])
    assert result.exit_code == 0, result.output
    body = client.post("/api/v1/auth/login", json={"email": "boss@example.com", "password": PASSWORD}).get_json()
    assert body["user"]["role"] == "admin"
