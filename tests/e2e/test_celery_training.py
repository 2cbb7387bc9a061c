"""Celery on the local Redis: a real worker process runs a real (tiny) training job end to end, and a worker killed
mid-job gets its message back (acks_late) and marks the job interrupted instead of losing it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import uuid

import pytest
import redis

from api import jobs
from api.config import REPO_ROOT
from api.extensions import db
from api.jobs.runner import CeleryEngine
from api.models import TrainingJob
from tests.job_helpers import wait_for
from tests.shapes import classification_files, zip_bytes

REDIS_URL = "redis://127.0.0.1:6379/0"
URL = "/api/v1/training-jobs"

pytestmark = pytest.mark.slow


def redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def celery_worker(app, monkeypatch, tmp_path):
    """The app switched to Celery on a queue of its own, and a real `celery worker` consuming it."""
    if not redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}; start redis-server to run the Celery tests")
    queue = f"fitcoach-test-{uuid.uuid4().hex[:8]}"
    settings = {"FITCOACH_QUEUE": "celery", "CELERY_BROKER_URL": REDIS_URL, "CELERY_QUEUE": queue}
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.extensions, jobs.EXTENSION, CeleryEngine(app))
    env = {**os.environ, **settings, "FITCOACH_CONFIG": "testing", "FITCOACH_DATA_DIR": str(app.config["DATA_DIR"])}
    command = [sys.executable, "-m", "celery", "-A", "api.jobs.celery_app", "worker", "--loglevel=INFO",
               "--concurrency=1", "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle"]  # fmt: skip
    with (tmp_path / "worker.log").open("wb") as log:
        worker = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)  # fmt: skip
    yield worker
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
    redis.Redis.from_url(REDIS_URL).delete(queue)


def start_job(client, headers, epochs: int) -> int:
    data = {"file": (io.BytesIO(zip_bytes(classification_files(per_class=8))), "shapes.zip")}
    dataset = client.post("/api/v1/datasets", data=data, headers=headers, content_type="multipart/form-data")
    body = {"dataset_id": dataset.get_json()["id"], "epochs": epochs, "imgsz": 64, "batch": 8}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"]


def status(client, headers, job_id: int) -> dict:
    return client.get(f"{URL}/{job_id}", headers=headers).get_json()


def queue_row(app, job_id: int):
    with app.app_context():
        row = jobs.get_job(int(db.session.get(TrainingJob, job_id).queue_task_id))
        db.session.expunge(row)
        return row


def test_a_celery_worker_on_redis_trains_a_job_end_to_end(client, app, user, celery_worker):
    job_id = start_job(client, user["headers"], epochs=2)
    row = queue_row(app, job_id)
    assert row.backend == "celery" and row.task_id
    body = wait_for(lambda: (b := status(client, user["headers"], job_id))["status"] not in ("queued", "running") and b,
                    timeout_s=240, poll_s=0.5)  # fmt: skip
    assert body["status"] == "succeeded", body
    assert body["progress"] == "epoch 2 of 2" and body["model_version_id"]
    assert client.get(f"{URL}/{job_id}/metrics", headers=user["headers"]).get_json()["epochs"] == [1, 2]
    row = queue_row(app, job_id)
    assert row.attempts == 1 and row.worker_pid not in (os.getpid(), celery_worker.pid)


def test_a_killed_celery_worker_process_leaves_its_job_interrupted_not_lost(client, app, user, celery_worker):
    job_id = start_job(client, user["headers"], epochs=50)
    wait_for(lambda: status(client, user["headers"], job_id)["epoch"] >= 1, timeout_s=240, poll_s=0.3)
    os.kill(queue_row(app, job_id).worker_pid, signal.SIGKILL)
    body = wait_for(lambda: (b := status(client, user["headers"], job_id))["status"] != "running" and b,
                    timeout_s=120, poll_s=0.5)  # fmt: skip
    assert body["status"] == "interrupted" and "stopped" in body["reason"], body
    assert body["epoch"] >= 1 and body["resumable"]
