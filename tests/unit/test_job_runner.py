"""The job runner: real child processes and a real database; a kill, a cancel, a lost worker and a lost server
each end in the right status, and jobs run one at a time."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from api import jobs
from api.extensions import db
from api.jobs import JobCancelled, JobFailed
from api.jobs.execute import execute
from api.jobs.runner import ORPHAN_REASON, CeleryEngine, exit_reason, machine_lock
from api.models.base import utcnow
from api.models.jobs import Job
from api.vocabulary import CANCELLED, FAILED, FINISHED_STATUSES, INTERRUPTED, QUEUED, RUNNING, SUCCEEDED
from tests.job_helpers import WAIT_S, finish_in_process_jobs, runner_held_off, wait_for

KIND = "nap"
CHECK_S = 0.02  # how often a held job looks for its release file or a cancellation


class NapJob:
    """A test kind: with `until`, holds until that file exists, noticing cancellation; fails on request; writes
    how it ended to a file."""

    @staticmethod
    def run(payload: dict, context) -> dict:
        Path(payload["marker"] + ".pid").write_text(str(os.getpid()))
        release = Path(payload["until"]) if "until" in payload else None
        while release is not None and not release.exists():
            if context.cancel_requested():
                raise JobCancelled("stopped early")
            time.sleep(CHECK_S)
        if payload.get("fail"):
            raise JobFailed("failed on purpose")
        return {"pid": os.getpid()}

    @staticmethod
    def on_end(payload: dict, status: str, reason: str | None, result: dict | None) -> None:
        Path(payload["marker"]).write_text(json.dumps({"status": status, "reason": reason, "result": result}))


jobs.register_kind(KIND, f"{__name__}:NapJob")


@pytest.fixture
def ctx(app):
    """A request context; afterwards, no job of the test is left running into the next test."""
    with app.test_request_context():
        yield app
    finish_in_process_jobs(app)


class DispatcherTries:
    """Counts the in-process dispatcher's tries to run a job, so that a test can wait for one instead of
    sleeping and hoping that the dispatcher had its chance meanwhile."""

    def __init__(self, runner, monkeypatch):
        self.runner, self.count, self.changed = runner, 0, threading.Condition()
        run_next = runner.run_next

        def counted() -> bool:
            try:
                return run_next()
            finally:
                with self.changed:
                    self.count += 1
                    self.changed.notify_all()

        monkeypatch.setattr(runner, "run_next", counted)

    def wait_for_a_whole_try(self) -> None:
        """Return once a try that began after this call has ended (the one under way now may have begun before)."""
        with self.changed:
            target = self.count + 2
            while self.count < target:
                self.runner.wake.set()
                assert self.changed.wait(WAIT_S), "the dispatcher made no try"


@pytest.fixture
def dispatcher_tries(ctx, monkeypatch):
    runner = jobs.engine(ctx)
    runner.ensure_started()
    return DispatcherTries(runner, monkeypatch)


def finished(job_id: int) -> Job:
    return wait_for(lambda: (job := jobs.get_job(job_id)).status in FINISHED_STATUSES and job)


def nap(tmp_path: Path, name: str, **payload) -> Job:
    return jobs.submit(KIND, {"marker": str(tmp_path / name), **payload})


def held(tmp_path: Path, name: str) -> Job:
    """A job that runs until cancelled (or its `<name>.release` file is made)."""
    return nap(tmp_path, name, until=str(tmp_path / f"{name}.release"))


def ending(tmp_path: Path, name: str) -> dict:
    return json.loads((tmp_path / name).read_text())


def test_a_job_runs_in_a_child_process_and_succeeds(ctx, tmp_path):
    job = finished(nap(tmp_path, "a").id)
    assert job.status == SUCCEEDED and job.attempts == 1
    assert job.result["pid"] != os.getpid()
    assert ending(tmp_path, "a") == {"status": SUCCEEDED, "reason": None, "result": job.result}


def test_a_failing_job_is_failed_with_its_reason(ctx, tmp_path):
    job = finished(nap(tmp_path, "a", fail=True).id)
    assert (job.status, job.error) == (FAILED, "failed on purpose")
    assert ending(tmp_path, "a")["status"] == FAILED


def test_a_child_killed_mid_run_leaves_its_job_interrupted_and_the_server_up(ctx, tmp_path):
    job = held(tmp_path, "a")
    pid = int(wait_for(lambda: (tmp_path / "a.pid").is_file() and (tmp_path / "a.pid").read_text()))
    os.kill(pid, signal.SIGKILL)
    job = finished(job.id)
    assert job.status == INTERRUPTED and "SIGKILL" in job.error
    assert ending(tmp_path, "a")["status"] == INTERRUPTED
    assert finished(nap(tmp_path, "b").id).status == SUCCEEDED


def test_cancelling_a_running_job_stops_it(ctx, tmp_path):
    job = held(tmp_path, "a")
    wait_for(lambda: (tmp_path / "a.pid").is_file())
    assert jobs.cancel(job.id).cancel_requested
    job = finished(job.id)
    assert (job.status, job.error) == (CANCELLED, "stopped early")


def test_cancelling_a_queued_job_cancels_it_at_once(ctx, tmp_path, dispatcher_tries):
    with runner_held_off(ctx):
        job = nap(tmp_path, "a")
        dispatcher_tries.wait_for_a_whole_try()
        assert jobs.get_job(job.id).status == QUEUED
        assert jobs.cancel(job.id).status == CANCELLED
    assert ending(tmp_path, "a") == {"status": CANCELLED, "reason": "cancelled before it started", "result": None}
    assert not (tmp_path / "a.pid").exists()


def test_jobs_run_one_at_a_time_in_the_order_queued(ctx, tmp_path):
    first, second = held(tmp_path, "a"), nap(tmp_path, "b")
    wait_for(lambda: (tmp_path / "a.pid").is_file())
    assert not jobs.engine(ctx).run_next(), "another dispatcher (another web worker) runs nothing meanwhile"
    assert jobs.get_job(second.id).status == QUEUED and not (tmp_path / "b.pid").exists()
    (tmp_path / "a.release").touch()
    first, second = finished(first.id), finished(second.id)
    assert (first.status, second.status) == (SUCCEEDED, SUCCEEDED)
    assert second.started_at >= first.finished_at


def test_a_running_job_with_no_runner_left_is_marked_interrupted(ctx, tmp_path):
    job = Job(kind=KIND, payload={"marker": str(tmp_path / "a")}, status=RUNNING, backend="inprocess")
    db.session.add(job)
    db.session.commit()
    job = finished(job.id)
    assert (job.status, job.error) == (INTERRUPTED, ORPHAN_REASON)
    assert ending(tmp_path, "a")["status"] == INTERRUPTED


def running_celery_job(tmp_path: Path, heartbeat_age_s: float, pid: int) -> Job:
    job = Job(
        kind=KIND, payload={"marker": str(tmp_path / "a")}, status=RUNNING, backend="celery",
        host=socket.gethostname(), worker_pid=pid, heartbeat_at=utcnow() - timedelta(seconds=heartbeat_age_s),
    )  # fmt: skip
    db.session.add(job)
    db.session.commit()
    return job


def test_a_celery_job_whose_worker_stopped_beating_is_marked_interrupted(ctx, tmp_path):
    engine = CeleryEngine(ctx)
    alive = running_celery_job(tmp_path, heartbeat_age_s=1, pid=os.getpid())
    engine.refresh(alive)
    assert alive.status == RUNNING
    stale = running_celery_job(tmp_path, heartbeat_age_s=ctx.config["JOB_STALE_S"] + 5, pid=os.getpid())
    engine.refresh(stale)
    assert stale.status == INTERRUPTED


def test_a_job_delivered_again_is_left_to_its_live_worker_or_marked_interrupted_when_it_died(ctx, tmp_path):
    settings = dict(ctx.config)
    alive = running_celery_job(tmp_path, heartbeat_age_s=1, pid=os.getpid())
    assert execute(alive.id, f"{__name__}:NapJob", settings, claimed=False) is None
    assert jobs.get_job(alive.id).status == RUNNING
    finished_process = subprocess.Popen(["true"])
    finished_process.wait()
    dead = running_celery_job(tmp_path, heartbeat_age_s=1, pid=finished_process.pid)
    assert execute(dead.id, f"{__name__}:NapJob", settings, claimed=False) == INTERRUPTED
    assert not (tmp_path / "a.pid").exists()


def test_the_runner_lock_is_held_by_one_holder_at_a_time(tmp_path):
    lock = tmp_path / "runner.lock"
    with machine_lock(lock) as first, machine_lock(lock) as second:
        assert (first, second) == (True, False)
    with machine_lock(lock) as again:
        assert again


def test_a_child_that_ends_without_settling_is_described():
    assert exit_reason(-signal.SIGKILL)[0] == INTERRUPTED and "out of memory" in exit_reason(-signal.SIGKILL)[1]
    assert exit_reason(-signal.SIGTERM)[0] == INTERRUPTED
    assert exit_reason(3) == (FAILED, "the job's process exited with code 3 before finishing")
