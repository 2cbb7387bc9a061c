"""The two job engines: in-process (the default, one machine) and Celery on Redis.

In-process: every web worker has a dispatcher thread, but only the one holding the machine-wide lock file runs
jobs, one at a time, each in a child process of its own (`python -m api.jobs.child`), so that a crash or an
out-of-memory kill never takes a web worker down. Whoever holds the lock and runs nothing knows that any job
still marked running lost its process: it is marked interrupted (after a restart, say).

Celery: jobs go to Redis and run in `celery -A api.jobs.celery_app worker`; acks_late and
reject-on-worker-lost bring back a killed worker's message, and a job whose heartbeat stops is marked interrupted.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from api.config import REPO_ROOT, job_settings_environment
from api.exceptions import ServiceUnavailable
from api.extensions import db
from api.jobs.context import worker_settings
from api.jobs.execute import active_jobs, seems_alive, settle
from api.jobs.kinds import handler_path_for
from api.models.base import utcnow
from api.models.jobs import Job
from api.processes import pid_alive
from api.vocabulary import FAILED, INTERRUPTED, QUEUED, RUNNING

log = logging.getLogger("fitcoach.jobs")

INPROCESS, CELERY = "inprocess", "celery"
BACKENDS = (INPROCESS, CELERY)
ORPHAN_REASON = "the server stopped while this job ran (a restart or a crash); what it had finished is kept"
SHUTDOWN_GRACE_S = 10
ORPHAN_CHECK_S = 2.0
MAX_BACKOFF_S = 60
ORPHAN_CHECK_STEP_S = 0.05


@contextmanager
def machine_lock(path: Path):
    """Try to take the machine-wide runner lock without waiting; yields whether it is held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def exit_reason(returncode: int) -> tuple[str, str]:
    """Status and reason for a child that ended without settling its job."""
    if returncode < 0:
        name = signal.Signals(-returncode).name
        hint = ", most likely for running out of memory" if -returncode == signal.SIGKILL else ""
        return INTERRUPTED, f"the job's process was killed ({name}{hint}); what it had finished is kept"
    return FAILED, f"the job's process exited with code {returncode} before finishing"


class InProcessRunner:
    """Queued jobs from the database, run one at a time on this machine, each in a child process."""

    backend = INPROCESS

    def __init__(self, app: Flask):
        self.app = app
        self.jobs_dir = Path(app.config["DATA_DIR"]) / "jobs"
        self.lock_path = self.jobs_dir / "runner.lock"
        self.poll_s = app.config.get("JOB_POLL_S", 2)
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.child: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def ensure_started(self) -> None:
        """Start this process's dispatcher thread once (lazily, so CLI commands never start one)."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self.stopping.clear()
                self._thread = threading.Thread(target=self._loop, name="fitcoach-job-dispatcher", daemon=True)
                self._thread.start()

    def submit(self, job: Job) -> None:
        self.ensure_started()
        self.wake.set()

    def cancel(self, job: Job) -> None:
        """Nothing to do beyond the flag in the database: the job checks it as each epoch ends."""

    def refresh(self, job: Job) -> None:
        """A job shown running whose process is gone, while no runner on this machine runs anything, lost its
        server: interrupted. (A dispatcher takes the lock briefly on each poll, hence a few tries.)"""
        if job.status != RUNNING or job.backend != INPROCESS or (job.worker_pid and pid_alive(job.worker_pid)):
            return
        deadline = time.monotonic() + ORPHAN_CHECK_S
        while job.status == RUNNING and time.monotonic() < deadline:
            with machine_lock(self.lock_path) as held:
                if held:
                    settle(job.id, INTERRUPTED, ORPHAN_REASON)
            db.session.refresh(job)
            time.sleep(0 if job.status != RUNNING else ORPHAN_CHECK_STEP_S)

    def _loop(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                ran = self.run_next()
                failures = 0
            except SQLAlchemyError as exc:  # the database is down or not migrated yet: wait longer, say it once
                failures += 1
                if failures == 1:
                    log.warning("job dispatcher: the database is not ready (%s); retrying", exc.__class__.__name__)
                ran = False
            except Exception:
                failures += 1
                log.exception("job dispatcher: an iteration failed; trying again shortly")
                ran = False
            if not ran:
                self.wake.wait(min(MAX_BACKOFF_S, self.poll_s * 2 ** min(failures, 5)))
                self.wake.clear()

    def run_next(self) -> bool:
        """Run the oldest queued job if this process can take the lock; True when one ran."""
        with machine_lock(self.lock_path) as held:
            if not held:
                return False
            with self.app.app_context():
                for orphan in active_jobs(INPROCESS):
                    settle(orphan.id, INTERRUPTED, ORPHAN_REASON)
                job_id = self._claim_next()
                if job_id is None:
                    return False
                handler_path = handler_path_for(db.session.get(Job, job_id).kind)
                settings = worker_settings(self.app.config)
            returncode = self._run_child(job_id, handler_path, settings)
            with self.app.app_context():
                job = db.session.get(Job, job_id)
                if job is not None and job.status == RUNNING:
                    settle(job_id, *exit_reason(returncode))
            return True

    def _claim_next(self) -> int | None:
        statement = select(Job.id).where(Job.status == QUEUED, Job.backend == INPROCESS).order_by(Job.id).limit(1)
        job_id = db.session.scalar(statement)
        if job_id is None:
            db.session.commit()
            return None
        now = utcnow()
        changed = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == QUEUED)
            .values(status=RUNNING, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1)
        ).rowcount
        db.session.commit()
        return job_id if changed else None

    def _run_child(self, job_id: int, handler_path: str, settings: dict) -> int:
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            **job_settings_environment(settings),
            "OMP_NUM_THREADS": str(settings.get("TRAINING_THREADS", 1)),
        }
        command = [sys.executable, "-m", "api.jobs.child", str(job_id), handler_path]
        with open(self.jobs_dir / f"{job_id}.log", "ab") as log_file:
            self.child = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        with self.app.app_context():
            db.session.execute(update(Job).where(Job.id == job_id).values(worker_pid=self.child.pid))
            db.session.commit()
        returncode = self.child.wait()
        self.child = None
        return returncode

    def shutdown(self) -> None:
        """Stop dispatching and stop a running child; its job is marked interrupted by the next runner."""
        self.stopping.set()
        self.wake.set()
        child = self.child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(SHUTDOWN_GRACE_S)
            except subprocess.TimeoutExpired:
                child.kill()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(SHUTDOWN_GRACE_S)


class CeleryEngine:
    """Jobs sent to Celery workers through Redis."""

    backend = CELERY

    def __init__(self, app: Flask):
        from api.jobs.celery_app import make_celery

        self.queue = app.config["CELERY_QUEUE"]
        self.stale_s = app.config["JOB_STALE_S"]
        self.client = make_celery(
            app.config["CELERY_BROKER_URL"], self.queue, app.config["CELERY_VISIBILITY_TIMEOUT_S"]
        )

    def ensure_started(self) -> None:
        """Nothing runs in the web process with Celery."""

    def submit(self, job: Job) -> None:
        from api.jobs.celery_app import RUN_JOB_TASK

        try:
            message = self.client.send_task(RUN_JOB_TASK, args=[job.id, handler_path_for(job.kind)], queue=self.queue)
        except Exception as exc:
            log.error("job %s: the Celery broker refused it: %s", job.id, exc)
            settle(job.id, FAILED, "the job queue (Redis) could not be reached")
            raise ServiceUnavailable("the job queue is unreachable; try again later") from exc
        job.task_id = message.id
        db.session.commit()

    def cancel(self, job: Job) -> None:
        if job.task_id and job.status == QUEUED:
            try:
                self.client.control.revoke(job.task_id)
            except Exception:
                log.warning("job %s: could not revoke Celery task %s", job.id, job.task_id, exc_info=True)

    def refresh(self, job: Job) -> None:
        """A running job whose worker stopped beating is marked interrupted, so nothing stays running forever."""
        if job.status == RUNNING and job.backend == CELERY and not seems_alive(job, self.stale_s):
            settle(job.id, INTERRUPTED, "the Celery worker running this job stopped beating (killed or lost)")
            db.session.refresh(job)

    def shutdown(self) -> None:
        """Nothing to stop in the web process."""
