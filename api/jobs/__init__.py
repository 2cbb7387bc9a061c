"""Background jobs: `submit(kind, payload)` from a request, run by the in-process runner or by Celery workers.

    job = jobs.submit("training", {"training_job_id": 7}, user_id=user.id)   # a queued Job row; str(job.id) to keep
    jobs.cancel(job.id)                                                       # queued: cancelled now; running: asked
    jobs.get_job(job.id)                                                      # fresh status (stale ones settled)

A kind is a handler registered in `api.jobs.kinds` (`register_kind("clip_analysis", "api.x:ClipJob")`): its
`run(payload, context)` runs in the worker process, its `on_end(payload, status, reason, result)` where the job is
settled. `FITCOACH_QUEUE` picks the engine: `inprocess` (default) or `celery`.
"""

from __future__ import annotations

import atexit

from flask import Flask, current_app

from api.exceptions import Conflict, NotFound
from api.extensions import db
from api.jobs.context import JobCancelled, JobContext, JobFailed
from api.jobs.execute import settle
from api.jobs.kinds import handler_path_for, register_kind
from api.jobs.runner import BACKENDS, CELERY, CeleryEngine, InProcessRunner
from api.models.jobs import Job
from api.vocabulary import CANCELLED, FINISHED_STATUSES, QUEUED, RUNNING

EXTENSION = "fitcoach_jobs"

__all__ = [
    "Job",
    "JobCancelled",
    "JobContext",
    "JobFailed",
    "cancel",
    "engine",
    "get_job",
    "init_app",
    "register_kind",
    "submit",
]


def _make_engine(app: Flask):
    backend = app.config.get("FITCOACH_QUEUE", "inprocess")
    if backend not in BACKENDS:
        raise RuntimeError(f"FITCOACH_QUEUE must be one of {BACKENDS}, not {backend!r}")
    return CeleryEngine(app) if backend == CELERY else InProcessRunner(app)


def engine(app: Flask | None = None):
    """This app's job engine, made on first use."""
    app = app or current_app._get_current_object()
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = _make_engine(app)
        atexit.register(app.extensions[EXTENSION].shutdown)
    return app.extensions[EXTENSION]


def init_app(app: Flask) -> None:
    """Make the engine now and start the in-process dispatcher with the first request this process serves."""
    runner = engine(app)
    app.before_request(runner.ensure_started)


def submit(kind: str, payload: dict, *, user_id: int | None = None) -> Job:
    """Queue a job of a registered kind; returns its row (committed)."""
    handler_path_for(kind)
    job_engine = engine()
    job = Job(kind=kind, payload=payload, user_id=user_id, status=QUEUED, backend=job_engine.backend)
    db.session.add(job)
    db.session.commit()
    job_engine.submit(job)
    return job


def get_job(job_id: int) -> Job:
    """The job with its status brought up to date (a lost worker's job becomes interrupted)."""
    job = db.session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    engine().refresh(job)
    return job


def cancel(job_id: int) -> Job:
    """Cancel a queued job at once, or ask a running one to stop (it stops at its next check)."""
    job = get_job(job_id)
    if job.status in FINISHED_STATUSES:
        raise Conflict(f"the job is already {job.status}", details={"status": job.status})
    engine().cancel(job)
    if job.status == QUEUED and settle(job.id, CANCELLED, "cancelled before it started"):
        db.session.refresh(job)
        return job
    db.session.refresh(job)
    if job.status == RUNNING:
        job.cancel_requested = True
        db.session.commit()
    return job
