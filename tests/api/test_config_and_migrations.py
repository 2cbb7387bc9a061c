"""Start-up safety and the migrations, on an empty database of their own."""

import pytest
from sqlalchemy import create_engine, inspect, text

from api import create_app
from api.config import DEFAULT_JWT_SECRET, ProductionConfig


def production(tmp_path, monkeypatch, secret):
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path))
    if secret is None:
        monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("JWT_SECRET_KEY", secret)
    return ProductionConfig()


@pytest.mark.parametrize("secret", [None, DEFAULT_JWT_SECRET, "too-short"])
def test_production_refuses_a_default_or_weak_secret(tmp_path, monkeypatch, secret):
    with pytest.raises(RuntimeError, match="JWT_SECRET_KEY"):
        create_app(production(tmp_path, monkeypatch, secret))


def test_production_starts_with_a_real_secret(tmp_path, monkeypatch):
    app = create_app(production(tmp_path, monkeypatch, "x" * 48))
    assert not app.debug and not app.testing


def test_migrations_upgrade_and_downgrade_an_empty_database(tmp_path, monkeypatch):
    from flask_migrate import downgrade, upgrade

    database = tmp_path / "empty.db"
    config = production(tmp_path, monkeypatch, "y" * 48)
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
    app = create_app(config)
    with app.app_context():
        upgrade()
        tables = set(inspect(create_engine(f"sqlite:///{database}")).get_table_names())
        assert {
            "users",
            "profiles",
            "revoked_tokens",
            "uploads",
            "analyses",
            "datasets",
            "training_jobs",
            "epoch_metrics",
            "model_versions",
            "plans",
            "plan_versions",
            "workouts",
            "body_metrics",
            "alembic_version",
        } <= tables
        downgrade(revision="base")
        assert inspect(create_engine(f"sqlite:///{database}")).get_table_names() == ["alembic_version"]


def test_sqlite_runs_in_wal_mode(app):
    from api.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"


def test_live_rows_move_to_their_own_table_and_back(tmp_path, monkeypatch):
    """0005 moves a live session's rows blob into `live_session_rows`; its downgrade joins the chunks back."""
    from flask_migrate import downgrade, upgrade

    database = tmp_path / "live.db"
    config = production(tmp_path, monkeypatch, "z" * 48)
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
    app = create_app(config)
    engine = create_engine(f"sqlite:///{database}")
    with app.app_context():
        upgrade(revision="0004")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO users (id, email, name, password_hash, role, created_at) "
                                    "VALUES (1, 'a@example.com', 'A', 'x', 'user', '2026-12-02')"))  # fmt: skip
            connection.execute(
                text("INSERT INTO live_sessions (id, user_id, exercise, keypoint_format, status, expires_at, version, "
                     "state, rows, created_at) VALUES (7, 1, 'push_up', 'coco17', 'active', '2026-12-02', 3, '{}', "
                     ":rows, '2026-12-02')"), {"rows": b"abcdef"})  # fmt: skip
        upgrade()
        with engine.begin() as connection:
            chunks = connection.execute(text("SELECT session_id, first_frame, data FROM live_session_rows")).all()
            assert chunks == [(7, 0, b"abcdef")]
            connection.execute(text("INSERT INTO live_session_rows VALUES (7, 1, X'6768')"))
        downgrade(revision="0004")
        with engine.begin() as connection:
            assert connection.execute(text("SELECT rows FROM live_sessions WHERE id = 7")).scalar() == b"abcdefgh"
