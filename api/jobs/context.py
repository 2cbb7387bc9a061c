"""What a job sees while it runs, how it says it was cancelled or failed, and the small Flask app a worker process
uses for the database (no blueprints, no models loaded, no secrets needed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from api.extensions import db
from api.models.jobs import Job
from api.vocabulary import RUNNING

SECRET_MARKERS = ("SECRET", "PASSWORD")


class JobCancelled(Exception):
    """A handler stops because the job was cancelled; the message says what was kept."""


class JobFailed(Exception):
    """A handler gives up; the message is the reason shown to people."""


@dataclass
class JobContext:
    """Handed to a handler's `run`: the job's id and the app's settings, and a way to notice cancellation."""

    job_id: int
    settings: dict

    def cancel_requested(self) -> bool:
        """True once someone asked to cancel, or when the job was settled elsewhere (it must stop then too)."""
        row = db.session.execute(select(Job.cancel_requested, Job.status).where(Job.id == self.job_id)).one_or_none()
        db.session.commit()
        return row is None or row.cancel_requested or row.status != RUNNING


def worker_settings(config) -> dict:
    """The app's settings as JSON for a worker process: paths as text, secrets and non-JSON values left out."""
    settings = {}
    for key, value in config.items():
        if not key.isupper() or any(marker in key for marker in SECRET_MARKERS):
            continue
        value = str(value) if isinstance(value, Path) else value
        try:
            json.dumps(value)
        except TypeError:
            continue
        settings[key] = value
    return settings


def worker_app(settings: dict) -> Flask:
    """A bare Flask app bound to the database, for code that runs outside the web app (job children, Celery)."""
    import api.models  # noqa: F401  (every table mapped)

    app = Flask("fitcoach.worker")
    app.config.update({key: Path(value) if key.endswith("_DIR") else value for key, value in settings.items()})
    db.init_app(app)
    return app
