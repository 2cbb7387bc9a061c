"""FitCoach API: the application factory."""

from __future__ import annotations

import sqlite3

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.config import DEFAULT_JWT_SECRET, Config, config_from_env
from api.extensions import db, jwt, limiter, migrate
from api.storage import Storage

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def create_app(config: Config | None = None, **overrides) -> Flask:
    """Build the app from a config object (the environment's by default) and optional overrides."""
    config = config or config_from_env()
    app = Flask(__name__)
    app.config.from_object(config)
    app.config.update(overrides)
    app.config.setdefault("RESTX_ERROR_404_HELP", False)
    app.config["RESTX_MASK_SWAGGER"] = False
    check_secrets(app)
    prepare_folders(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_middleware(app)
    register_commands(app)
    configure_vision(app)
    start_jobs(app)
    return app


def check_secrets(app: Flask) -> None:
    """Refuse to start in production with the default or a short JWT secret."""
    if app.debug or app.testing:
        return
    secret = app.config.get("JWT_SECRET_KEY") or ""
    if secret == DEFAULT_JWT_SECRET or len(secret) < 32:
        raise RuntimeError("set JWT_SECRET_KEY to a random secret of at least 32 characters (see README)")


def prepare_folders(app: Flask) -> None:
    for key in ("DATA_DIR", "UPLOAD_DIR", "ARTIFACT_DIR"):
        app.config[key].mkdir(parents=True, exist_ok=True)
    storage = Storage(app.config["UPLOAD_DIR"])
    storage.sweep_orphans()  # what a killed worker had staged
    app.extensions["fitcoach_storage"] = storage


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL mode, foreign keys and a busy timeout for SQLite connections."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: no corruption on a crash, one fsync per checkpoint
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def register_extensions(app: Flask) -> None:
    import api.models  # noqa: F401  (every table known before Migrate)
    from api.auth_hooks import register_jwt_callbacks

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(), render_as_batch=True)
    jwt.init_app(app)
    register_jwt_callbacks(jwt)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)


def _migrations_dir() -> str:
    from api.config import REPO_ROOT

    return str(REPO_ROOT / "migrations")


def register_blueprints(app: Flask) -> None:
    from api.resources import blueprint, live_socket, register_namespaces

    register_namespaces()
    app.register_blueprint(blueprint)
    live_socket.register(app)


def register_errorhandlers(app: Flask) -> None:
    from api.errors import register_error_handlers

    register_error_handlers(app)


def register_middleware(app: Flask) -> None:
    from api.logs import configure_logging, register_request_logging

    configure_logging(app)
    register_request_logging(app)

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        is_page = response.mimetype == "text/html"
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP if is_page else API_CSP)
        if "Authorization" in request.headers:  # a user's own data (their photos too) never goes into a cache
            response.headers["Cache-Control"] = "no-store"
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_commands(app: Flask) -> None:
    from api.cli import register_cli

    register_cli(app)


def start_jobs(app: Flask) -> None:
    """The background job engine: in-process runner (default) or Celery."""
    from api import jobs

    jobs.init_app(app)


def configure_vision(app: Flask) -> None:
    from api.ml import runtime

    runtime.configure_from_settings(app.config)
