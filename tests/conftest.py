"""Fixtures: one app and one real database per test session (SQLite in a temporary folder, or
PostgreSQL when TEST_DATABASE_URL is set), emptied after every test; clients and signed-in users."""

from __future__ import annotations

import functools
import importlib
import itertools
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("YOLO_OFFLINE", "True")
os.environ.setdefault("YOLO_AUTOINSTALL", "False")

PASSWORD = "correct-horse-42"
_emails = itertools.count()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("fitcoach-data")
    os.environ["FITCOACH_DATA_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def pose_estimator(tmp_path_factory):
    """The default pose model (ONNX Runtime), exported into a temporary model cache, not next to the weights."""
    from api.ml.pose import PoseConfig, get_pose_estimator

    return get_pose_estimator(PoseConfig(cache_dir=str(tmp_path_factory.mktemp("model-cache"))))


@pytest.fixture(scope="session")
def app(data_dir):
    from flask_migrate import upgrade

    from api import create_app
    from api.config import TestingConfig
    from api.extensions import db

    app = create_app(TestingConfig())
    with app.app_context():
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Empty every table and reset rate limits after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from api.extensions import db, limiter

    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        limiter.reset()
    for key in ("UPLOAD_DIR", "ARTIFACT_DIR", "DATASET_DIR"):
        shutil.rmtree(app.config[key], ignore_errors=True)
        app.config[key].mkdir(parents=True)


@functools.cache
def clock_readers() -> tuple[str, ...]:
    """The app's modules that ask for today's date (`date.today()`), found in their source."""
    root = Path(__file__).resolve().parents[1]
    names = []
    for path in sorted((root / "api").rglob("*.py")):
        if "date.today()" in path.read_text():
            parts = path.relative_to(root).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return tuple(names)


def freeze_today(monkeypatch, day: date) -> date:
    """Make every `date.today()` of the app answer `day` until the test ends."""

    class FrozenDate(date):
        @classmethod
        def today(cls):
            return day

    for name in clock_readers():
        module = importlib.import_module(name)
        assert getattr(module, "date", None) is date, f"{name} must read today as `date.today()` (from datetime)"
        monkeypatch.setattr(module, "date", FrozenDate)
    return day


@pytest.fixture
def today(monkeypatch) -> date:
    """Today's date, held still for the test and for the app alike, so that midnight passing mid-test changes
    nothing (a plan day missed, a range moved)."""
    return freeze_today(monkeypatch, date.today())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Register and sign in users through the real API."""

    def __init__(self, client):
        self.client = client

    def register(self, email: str | None = None, password: str = PASSWORD, name: str = "Test User"):
        email = f"user{next(_emails)}@example.com" if email is None else email
        return self.client.post("/api/v1/auth/register", json={"email": email, "password": password, "name": name})

    def login(self, email: str, password: str = PASSWORD):
        return self.client.post("/api/v1/auth/login", json={"email": email, "password": password})

    def new_user(self, role: str = "user") -> dict:
        """A fresh user; returns its email, id, tokens and ready-made headers."""
        email = f"user{next(_emails)}@example.com"
        assert self.register(email).status_code == 201
        if role == "admin":
            from api.services import accounts

            with self.client.application.app_context():
                accounts.set_role(email, "admin")
        tokens = self.login(email).get_json()
        return {
            "email": email,
            "id": tokens["user"]["id"],
            "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
            "headers": {"Authorization": f"Bearer {tokens['access_token']}"},
        }


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user(auth):
    return auth.new_user()


@pytest.fixture
def auth_headers(user):
    return user["headers"]


@pytest.fixture
def other_user(auth):
    return auth.new_user()


@pytest.fixture
def admin(auth):
    return auth.new_user(role="admin")


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is our JSON error shape with this status (and code)."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.is_json, response.content_type
    error = response.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code, error
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "<html" not in body.lower()
    return error
