"""Start-up safety and the migrations, on an empty database of their own."""

import pytest
from sqlalchemy import create_engine, inspect

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
