"""Running one job and settling it, the same way in a spawned child and in a Celery worker.

A job moves queued -> running -> succeeded | failed | cancelled | interrupted. `settle` makes the last move once
(a conditional update, so a late writer cannot overwrite an earlier verdict) and tells the job's handler, in the
same transaction, so that the handler's own rows (a training job, an analysis) never disagree with the queue's.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from sqlalchemy import select, update

from api.extensions import db
from api.jobs.context import JobCancelled, JobContext, JobFailed
from api.jobs.kinds import handler_path_for, load_handler
from api.models.base import as_utc, utcnow
from api.models.jobs import Job
from api.processes import pid_alive
from api.vocabulary import ACTIVE_STATUSES, CANCELLED, FAILED, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED

log = logging.getLogger("fitcoach.jobs")


def settle(job_id: int, status: str, reason: str | None = None, result: dict | None = None) -> bool:
    """Finish a queued or running job with `status`; False (and nothing done) when it was already finished."""
    changed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE_STATUSES))
        .values(status=status, error=reason, result=result, finished_at=utcnow())
    ).rowcount
    if not changed:
        db.session.rollback()
        return False
    job = db.session.get(Job, job_id, populate_existing=True)
    handler = load_handler(handler_path_for(job.kind))
    on_end = getattr(handler, "on_end", None)
    try:
        if on_end:
            on_end(job.payload, status, reason, result)
        db.session.commit()
    except Exception:
        log.exception("job %s: the %s handler failed to record its end; the job is settled anyway", job_id, job.kind)
        db.session.rollback()
        db.session.execute(
            update(Job).where(Job.id == job_id).values(status=status, error=reason, finished_at=utcnow())
        )
        db.session.commit()
    return True


def seems_alive(job: Job, stale_s: float) -> bool:
    """A running job's worker still beats: a recent heartbeat, and on this host a live process."""
    heartbeat = as_utc(job.heartbeat_at)
    if heartbeat is None or utcnow() - heartbeat > timedelta(seconds=stale_s):
        return False
    if job.host == socket.gethostname() and job.worker_pid:
        return pid_alive(job.worker_pid)
    return True


def mark_started(job_id: int, *, from_status: str) -> bool:
    """Record this process as the job's worker; for `from_status` queued this is the claim (False if lost)."""
    now = utcnow()
    values = {"host": socket.gethostname(), "worker_pid": os.getpid(), "heartbeat_at": now}
    if from_status == QUEUED:
        values |= {"status": RUNNING, "started_at": now, "attempts": Job.attempts + 1}
    changed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == from_status).values(**values)
    ).rowcount
    db.session.commit()
    return bool(changed)


class Heartbeat:
    """Writes the job's heartbeat every few seconds from a thread of its own, until stopped."""

    def __init__(self, job_id: int, every_s: float):
        self.job_id = job_id
        self.every_s = every_s
        self.engine = db.engine
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self.stopped.wait(self.every_s):
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        update(Job).where(Job.id == self.job_id, Job.status == RUNNING).values(heartbeat_at=utcnow())
                    )
            except Exception:
                log.warning("job %s: heartbeat not written", self.job_id, exc_info=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join(timeout=5)


def execute(job_id: int, handler_path: str, settings: dict, *, claimed: bool) -> str | None:
    """Run the job's handler here and settle it; returns the final status, or None when it was not ours to run.

    `claimed`: the in-process runner already moved the job to running; a Celery worker claims it here. A job
    delivered again while it shows running is left alone if its worker still beats, and is marked interrupted if
    not (its worker died: acks_late brought the message back).
    """
    job = db.session.get(Job, job_id)
    if job is None:
        log.warning("job %s: not in the database; nothing to run", job_id)
        return None
    if claimed:
        mark_started(job_id, from_status=RUNNING)
    elif job.status == RUNNING:
        if seems_alive(job, settings.get("JOB_STALE_S", 120)):
            log.info("job %s: delivered again while its worker still runs it; left alone", job_id)
            return None
        settle(job_id, INTERRUPTED, "the worker running this job stopped (killed or lost) before it finished")
        return INTERRUPTED
    elif job.status != QUEUED or not mark_started(job_id, from_status=QUEUED):
        return None
    handler = load_handler(handler_path)
    context = JobContext(job_id=job_id, settings=settings)
    payload = dict(job.payload or {})
    with Heartbeat(job_id, settings.get("JOB_HEARTBEAT_S", 10)):
        try:
            result = handler.run(payload, context)
        except JobCancelled as exc:
            status, reason, result = CANCELLED, str(exc) or "cancelled", None
        except JobFailed as exc:
            status, reason, result = FAILED, str(exc), None
        except Exception as exc:
            log.exception("job %s (%s) failed", job_id, job.kind)
            status, reason, result = FAILED, f"unexpected error: {exc.__class__.__name__}: {exc}"[:1000], None
        else:
            status, reason = SUCCEEDED, None
    db.session.rollback()
    settle(job_id, status, reason, result)
    return status


def active_jobs(backend: str):
    """Running jobs of one backend."""
    return db.session.scalars(select(Job).where(Job.status == RUNNING, Job.backend == backend)).all()
