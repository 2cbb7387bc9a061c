"""Tokens and roles over the whole API. tests/api/test_auth.py checks each bad token on one route; here every
operation that the spec marks as secured is swept with every kind of bad token (so that no route forgets
`jwt_required`), the role cannot be raised by its owner, and the login limits cannot be dodged by spelling the
email differently or by claiming another address in X-Forwarded-For.

There is no admin-only operation in the API today (admins only skip training quotas, tested in
tests/api/test_training_jobs.py); `test_admin_only_operations_refuse_users` picks up any that is added."""

from __future__ import annotations

import re
from datetime import timedelta

import jwt as pyjwt
import pytest
from flask_jwt_extended import create_access_token, decode_token

from api.resources.common import admin_required
from tests.conftest import PASSWORD, assert_error

API = "/api/v1"
PLACEHOLDERS = {"name": "volume", "label": "squat"}


def secured_operations(client) -> list[tuple[str, str]]:
    """(method, url) of every operation the spec says needs a bearer token, ids filled with 1."""
    spec = client.get(f"{API}/swagger.json").get_json()
    default = spec.get("security", [])
    operations = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or operation.get("security", default) == []:
                continue
            url = API + re.sub(r"{(\w+)}", lambda m: PLACEHOLDERS.get(m.group(1), "1"), path)
            operations.append((method.upper(), url))
    return operations


def _claims(app, token: str) -> dict:
    with app.app_context():
        return decode_token(token)


def bad_token(kind: str, app, client, user, other_user) -> str:
    if kind == "expired":
        with app.app_context():
            return create_access_token(identity=str(user["id"]), expires_delta=timedelta(seconds=-1))
    if kind == "revoked":
        assert client.post(f"{API}/auth/logout", headers=user["headers"]).status_code == 204
        return user["access_token"]
    if kind == "refresh_as_access":
        return user["refresh_token"]
    if kind == "alg_none":
        return pyjwt.encode(_claims(app, user["access_token"]), key=None, algorithm="none")
    if kind == "wrong_key":
        return pyjwt.encode(_claims(app, user["access_token"]), "another-servers-key-that-is-long-enough", "HS256")
    if kind == "tampered_claims":
        header, _, signature = user["access_token"].split(".")
        return ".".join([header, other_user["access_token"].split(".")[1], signature])
    if kind == "no_subject":
        claims = {k: v for k, v in _claims(app, user["access_token"]).items() if k != "sub"}
        return pyjwt.encode(claims, app.config["JWT_SECRET_KEY"], "HS256")
    if kind == "unknown_user":
        with app.app_context():
            return create_access_token(identity="987654")
    raise ValueError(kind)


KINDS = [
    "missing", "expired", "revoked", "refresh_as_access", "alg_none", "wrong_key", "tampered_claims", "no_subject",
    "unknown_user",
]  # fmt: skip


def test_the_spec_marks_every_operation_but_the_public_ones_as_secured(client):
    secured = {url for _, url in secured_operations(client)}
    assert len(secured) >= 30
    public = {f"{API}/{path}" for path in ("health", "auth/register", "auth/login", "exercises", "exercises/squat")}
    assert not secured & public


@pytest.mark.parametrize("kind", KINDS)
def test_every_secured_operation_refuses_a_bad_token(app, client, user, other_user, kind):
    headers = {} if kind == "missing" else {"Authorization": f"Bearer {bad_token(kind, app, client, user, other_user)}"}
    answered = {}
    for method, url in secured_operations(client):
        if kind == "refresh_as_access" and url in (f"{API}/auth/refresh", f"{API}/auth/logout"):
            continue  # where a refresh token belongs (logout revokes whichever token it is sent)
        response = client.open(url, method=method, headers=headers, json={})
        answered[f"{method} {url}"] = response.status_code
        if response.status_code == 401:
            assert_error(response, 401)
            assert response.headers["WWW-Authenticate"] == "Bearer"
    assert {call: status for call, status in answered.items() if status != 401} == {}


def test_an_access_token_cannot_refresh_or_outlive_its_logout_on_refresh(app, client, user):
    assert_error(client.post(f"{API}/auth/refresh", headers=user["headers"]), 401, "wrong_token_type")
    refresh_headers = {"Authorization": f"Bearer {user['refresh_token']}"}
    new_access = client.post(f"{API}/auth/refresh", headers=refresh_headers).get_json()["access_token"]
    assert client.post(f"{API}/auth/logout", headers=refresh_headers).status_code == 204
    # revoking the refresh token stops new access tokens; the one already issued lives to its expiry
    assert_error(client.post(f"{API}/auth/refresh", headers=refresh_headers), 401, "token_revoked")
    assert client.get(f"{API}/users/me", headers={"Authorization": f"Bearer {new_access}"}).status_code == 200


def test_a_user_cannot_make_themselves_admin(client, auth):
    response = auth.client.post(
        f"{API}/auth/register",
        json={"email": "mallory@example.com", "password": PASSWORD, "name": "Mallory", "role": "admin"},
    )
    assert response.status_code in (201, 422)
    if response.status_code == 201:
        assert response.get_json()["role"] == "user"
    mallory = auth.new_user()
    patched = client.patch(f"{API}/users/me", headers=mallory["headers"], json={"role": "admin"})
    assert patched.status_code in (200, 422)
    assert client.get(f"{API}/users/me", headers=mallory["headers"]).get_json()["role"] == "user"


def _is_admin_only(resource, handler) -> bool:
    """Wrapped in `admin_required`, as a method decorator or directly (under any other decorators)."""
    if admin_required in getattr(resource, "method_decorators", []):
        return True
    admin_code = admin_required(lambda: None).__code__
    while handler is not None:
        if getattr(handler, "__code__", None) is admin_code:
            return True
        handler = getattr(handler, "__wrapped__", None)
    return False


def test_admin_only_operations_refuse_users(app, client, user, admin):
    """Any operation wrapped in `admin_required` answers a user 403 and an admin something else."""
    admin_only = []
    for rule in app.url_map.iter_rules():
        resource = getattr(app.view_functions[rule.endpoint], "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if resource is not None and _is_admin_only(resource, getattr(resource, method.lower(), None)):
                admin_only.append((method, re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)))
    for method, url in admin_only:
        assert_error(client.open(url, method=method, headers=user["headers"], json={}), 403, "forbidden")
        assert client.open(url, method=method, headers=admin["headers"], json={}).status_code != 403


def _limit(app) -> int:
    return int(app.config["LOGIN_RATE_LIMIT"].split()[0])


def test_the_per_account_limit_ignores_case_and_spaces_in_the_email(app, client, auth):
    auth.register("grace@example.com")
    spellings = ["grace@example.com", "Grace@Example.com", " GRACE@EXAMPLE.COM ", "grace@EXAMPLE.com"]
    for i in range(_limit(app)):
        body = {"email": spellings[i % len(spellings)], "password": "wrong-password-1"}
        response = client.post(f"{API}/auth/login", json=body, environ_base={"REMOTE_ADDR": f"10.1.0.{i}"})
        assert response.status_code == 401
    body = {"email": "grace@example.com", "password": PASSWORD}  # even the right password, from a new address
    locked = client.post(f"{API}/auth/login", json=body, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert_error(locked, 429, "rate_limited")
    assert int(locked.headers["Retry-After"]) > 0


def test_the_per_address_limit_ignores_a_claimed_forwarded_address(app, client, auth):
    for i in range(_limit(app)):
        body = {"email": f"nobody{i}@example.com", "password": "wrong-password-1"}
        response = client.post(f"{API}/auth/login", json=body, headers={"X-Forwarded-For": f"203.0.113.{i}"})
        assert response.status_code == 401
    body = {"email": "someone-else@example.com", "password": "wrong-password-1"}
    assert_error(client.post(f"{API}/auth/login", json=body, headers={"X-Forwarded-For": "198.51.100.7"}), 429)


def test_a_rate_limited_address_does_not_lock_out_other_addresses(app, client, auth):
    owner = auth.new_user()
    for i in range(_limit(app) + 1):
        body = {"email": f"nobody{i}@example.com", "password": "wrong-password-1"}
        client.post(f"{API}/auth/login", json=body, environ_base={"REMOTE_ADDR": "10.2.0.1"})
    body = {"email": owner["email"], "password": PASSWORD}
    assert client.post(f"{API}/auth/login", json=body, environ_base={"REMOTE_ADDR": "10.2.0.2"}).status_code == 200
