"""Accounts: register, log in, refresh and log out (token revocation)."""

from flask import current_app, request
from flask_jwt_extended import (
    create_access_token,
    create_refresh_token,
    current_user,
    get_jwt,
    jwt_required,
)
from flask_restx import Namespace, Resource, fields

from api.exceptions import Unauthenticated
from api.extensions import limiter
from api.resources.common import error_model, json_body
from api.services import accounts

ns = Namespace("auth", description="Register, log in, refresh and log out")
error = error_model(ns)

register_model = ns.model(
    "Register",
    {
        "email": fields.String(required=True, example="ada@example.com"),
        "password": fields.String(required=True, example="correct-horse-42", min_length=10),
        "name": fields.String(required=True, example="Ada"),
    },
)
login_model = ns.model(
    "Login",
    {
        "email": fields.String(required=True, example="ada@example.com"),
        "password": fields.String(required=True, example="correct-horse-42"),
    },
)
user_model = ns.model(
    "Account",
    {
        "id": fields.Integer(),
        "email": fields.String(),
        "name": fields.String(),
        "role": fields.String(enum=["user", "admin"]),
    },
)
tokens_model = ns.model(
    "Tokens",
    {
        "access_token": fields.String(),
        "refresh_token": fields.String(),
        "token_type": fields.String(example="Bearer"),
        "expires_in": fields.Integer(description="seconds until the access token expires"),
        "user": fields.Nested(user_model),
    },
)
access_model = ns.model(
    "AccessToken",
    {"access_token": fields.String(), "token_type": fields.String(), "expires_in": fields.Integer()},
)


def _expires_in() -> int:
    return int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds())


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def login_email_key() -> str:
    """Rate-limit key per account, so that spreading guesses over addresses does not help."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"login-email:{str(email or '').strip().lower()}"


@ns.route("/register")
class Register(Resource):
    @ns.doc(security=[])
    @ns.expect(register_model)
    @ns.response(201, "Created", user_model)
    @ns.response(409, "Email taken", error)
    @ns.response(422, "Invalid email, name or weak password", error)
    def post(self):
        """Create an account."""
        body = json_body()
        user = accounts.register_user(body.get("email", ""), body.get("password", ""), body.get("name", ""))
        return accounts.account_dict(user), 201


@ns.route("/login")
class Login(Resource):
    decorators = [
        limiter.limit(login_rate_limit, key_func=login_email_key, scope="login-email"),
        limiter.limit(login_rate_limit, scope="login-address"),
    ]

    @ns.doc(security=[])
    @ns.expect(login_model)
    @ns.response(200, "Logged in", tokens_model)
    @ns.response(401, "Bad credentials", error)
    @ns.response(429, "Too many attempts", error)
    def post(self):
        """Exchange email and password for an access and a refresh token."""
        body = json_body()
        user = accounts.authenticate(body.get("email", ""), body.get("password", ""))
        if user is None:
            raise Unauthenticated("wrong email or password")
        identity = str(user.id)
        return {
            "access_token": create_access_token(identity=identity),
            "refresh_token": create_refresh_token(identity=identity),
            "token_type": "Bearer",
            "expires_in": _expires_in(),
            "user": accounts.account_dict(user),
        }


@ns.route("/refresh")
class Refresh(Resource):
    @ns.doc(description="Send the refresh token as 'Bearer <refresh_token>'.")
    @ns.response(200, "A new access token", access_model)
    @ns.response(401, "Missing, expired or revoked refresh token", error)
    @jwt_required(refresh=True)
    def post(self):
        """Get a new access token with a refresh token."""
        return {
            "access_token": create_access_token(identity=str(current_user.id)),
            "token_type": "Bearer",
            "expires_in": _expires_in(),
        }


@ns.route("/logout")
class Logout(Resource):
    @ns.doc(description="Revokes the token sent (access or refresh); send both to end the session everywhere.")
    @ns.response(204, "Revoked")
    @ns.response(401, "Missing or invalid token", error)
    @jwt_required(verify_type=False)
    def post(self):
        """Revoke the token used for this call."""
        accounts.revoke_token(get_jwt())
        return "", 204
