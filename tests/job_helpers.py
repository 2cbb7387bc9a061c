"""Waiting on background jobs in tests, holding the runner off, and leaving no job running into the next test."""

from __future__ import annotations

import time
from contextlib import contextmanager

from sqlalchemy import select

from api import jobs
from api.extensions import db
from api.jobs.runner import machine_lock
from api.models.jobs import Job

WAIT_S = 120


def wait_for(predicate, timeout_s: float = WAIT_S, poll_s: float = 0.1):
    """The first truthy value of `predicate()`, polled until `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s} s")


@contextmanager
def runner_held_off(app):
    """Hold the runner lock (the dispatcher takes it briefly on each poll), so that queued jobs stay queued."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with machine_lock(jobs.engine(app).lock_path) as held:
            if held:
                yield
                return
        time.sleep(0.05)
    raise AssertionError("the runner lock stayed taken")


def finish_in_process_jobs(app) -> None:
    """Cancel whatever the in-process runner still has, and wait until it has stopped."""
    with app.test_request_context():
        active = select(Job.id).where(Job.status.in_(("queued", "running")), Job.backend == "inprocess")
        for job_id in db.session.scalars(active).all():
            jobs.cancel(job_id)
        wait_for(lambda: db.session.scalar(active) is None)
