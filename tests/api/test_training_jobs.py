"""Training jobs through the API: checks, quotas and ownership (fast); real YOLO11 training for a few epochs at
64 px with metrics per epoch, charts, cancel, a killed worker, a server killed mid-job, and resuming (slow)."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from api import jobs
from api.config import REPO_ROOT
from api.extensions import db
from api.models import TrainingJob
from tests.conftest import assert_error
from tests.job_helpers import finish_in_process_jobs, runner_held_off, wait_for
from tests.shapes import SHAPES, classification_files, detection_files, zip_bytes

URL = "/api/v1/training-jobs"
TINY = {"imgsz": 64, "batch": 8}


@pytest.fixture(autouse=True)
def _no_job_left_running(app):
    yield
    finish_in_process_jobs(app)


def upload(client, headers, files: dict) -> int:
    data = {"file": (io.BytesIO(zip_bytes(files)), "shapes.zip")}
    response = client.post("/api/v1/datasets", data=data, headers=headers, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def classify_dataset(client, user) -> int:
    return upload(client, user["headers"], classification_files(per_class=8))


@pytest.fixture
def detect_dataset(client, user) -> int:
    return upload(client, user["headers"], detection_files(per_class=8))


def start(client, headers, **body):
    return client.post(URL, json=body, headers=headers)


def status_of(client, headers, job_id: int) -> dict:
    response = client.get(f"{URL}/{job_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def wait_until(client, headers, job_id: int, condition) -> dict:
    return wait_for(lambda: (body := status_of(client, headers, job_id)) and condition(body) and body, poll_s=0.3)


def ended(client, headers, job_id: int) -> dict:
    return wait_until(client, headers, job_id, lambda body: body["status"] not in ("queued", "running"))


def png_size(client, headers, url: str) -> tuple[int, int]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as image:
        image.load()
        return image.size


def test_invalid_requests_name_every_bad_field(client, user, classify_dataset):
    response = start(
        client, user["headers"], dataset_id=classify_dataset, epochs=0, imgsz=100, batch=0, weights="yolo",
        patience=-1, colour="red",
    )  # fmt: skip
    error = assert_error(response, 422, "validation_error")
    assert set(error["details"]) == {"epochs", "imgsz", "batch", "weights", "patience", "colour"}
    error = assert_error(start(client, user["headers"], dataset_id=classify_dataset, task="detect"), 422)
    assert "task" in error["details"]
    error = assert_error(start(client, user["headers"], dataset_id=classify_dataset, weights="model"), 422)
    assert "model_id" in error["details"]


def test_someone_elses_dataset_or_model_is_not_found(client, user, other_user, classify_dataset):
    assert_error(start(client, other_user["headers"], dataset_id=classify_dataset), 404, "not_found")
    response = start(client, user["headers"], dataset_id=classify_dataset, weights="model", model_id=999)
    assert_error(response, 404, "not_found")


def test_a_user_with_an_active_job_is_over_quota_and_an_admin_is_not(client, app, auth, user, classify_dataset):
    with app.app_context():
        db.session.add(TrainingJob(user_id=user["id"], dataset_id=classify_dataset, task="classify", params={},
                                   status="running", epochs=5))  # fmt: skip
        db.session.commit()
    error = assert_error(start(client, user["headers"], dataset_id=classify_dataset, **TINY), 429, "quota_exceeded")
    assert error["details"] == {"active_jobs": 1, "limit": 1}


def test_epochs_times_images_over_the_cap_is_refused_for_users_and_allowed_for_admins(
    client, app, admin, user, classify_dataset, monkeypatch
):
    monkeypatch.setitem(app.config, "TRAINING_USER_MAX_EPOCH_IMAGES", 100)
    error = assert_error(start(client, user["headers"], dataset_id=classify_dataset, epochs=10), 429)
    assert error["details"]["epoch_images"] == 10 * 18
    admin_dataset = upload(client, admin["headers"], classification_files(per_class=8))
    with runner_held_off(app):
        response = start(client, admin["headers"], dataset_id=admin_dataset, epochs=10, **TINY)
        assert response.status_code == 202, response.get_json()
        body = response.get_json()
        assert response.headers["Location"].endswith(f"{URL}/{body['id']}")
        assert (body["status"], body["progress"], body["params"]["weights"]) == ("queued", "epoch 0 of 10", "pose")
        cancelled = client.post(f"{URL}/{body['id']}/cancel", headers=admin["headers"])
        assert cancelled.status_code == 202 and cancelled.get_json()["status"] == "cancelled"
    assert_error(client.post(f"{URL}/{body['id']}/cancel", headers=admin["headers"]), 409, "conflict")
    assert_error(client.post(f"{URL}/{body['id']}/resume", headers=admin["headers"]), 409, "conflict")


def test_jobs_are_private_and_charts_are_named_per_task(client, app, user, other_user, classify_dataset):
    with runner_held_off(app):
        job_id = start(client, user["headers"], dataset_id=classify_dataset, **TINY).get_json()["id"]
        for path in ("", "/metrics", "/charts/loss.png"):
            assert_error(client.get(f"{URL}/{job_id}{path}", headers=other_user["headers"]), 404)
        assert_error(client.post(f"{URL}/{job_id}/cancel", headers=other_user["headers"]), 404)
        error = assert_error(client.get(f"{URL}/{job_id}/charts/map.png", headers=user["headers"]), 404)
        assert error["details"]["charts"] == ["loss", "accuracy", "confusion_matrix"]
        assert png_size(client, user["headers"], f"{URL}/{job_id}/charts/loss.png")[0] > 600  # "No data yet"
        metrics = client.get(f"{URL}/{job_id}/metrics", headers=user["headers"]).get_json()
        assert metrics["epochs"] == [] and metrics["series"] == {}
        assert client.get(URL, headers=user["headers"]).get_json()["total"] == 1
        assert client.get(URL, headers=other_user["headers"]).get_json()["total"] == 0
        client.post(f"{URL}/{job_id}/cancel", headers=user["headers"])


def test_a_dataset_in_use_cannot_be_deleted(client, app, user, classify_dataset):
    with runner_held_off(app):
        job_id = start(client, user["headers"], dataset_id=classify_dataset, **TINY).get_json()["id"]
        assert_error(client.delete(f"/api/v1/datasets/{classify_dataset}", headers=user["headers"]), 409)
        client.post(f"{URL}/{job_id}/cancel", headers=user["headers"])
    assert client.delete(f"/api/v1/datasets/{classify_dataset}", headers=user["headers"]).status_code == 204


@pytest.mark.slow
def test_a_classifier_trains_with_metrics_per_epoch_charts_and_a_registered_model(client, user, classify_dataset):
    headers = user["headers"]
    job_id = start(client, headers, dataset_id=classify_dataset, epochs=2, **TINY).get_json()["id"]
    body = ended(client, headers, job_id)
    assert body["status"] == "succeeded", body
    assert (body["progress"], body["reason"], body["eta_s"]) == ("epoch 2 of 2", None, None)
    assert {"train_loss", "val_loss", "top1", "top5", "lr", "epoch_s"} <= set(body["latest_metrics"])
    assert body["elapsed_s"] > 0 and any("epoch 2/2" in line for line in body["log_tail"])

    metrics = client.get(f"{URL}/{job_id}/metrics", headers=headers).get_json()
    assert metrics["epochs"] == [1, 2] and metrics["class_names"] == list(SHAPES)
    assert all(len(metrics["series"][name]) == 2 for name in ("train_loss", "val_loss", "top1", "top5", "lr"))
    matrix = metrics["confusion_matrix"]["matrix"]
    assert len(matrix) == 3 and sum(map(sum, matrix)) == 6  # the six validation images, true x predicted
    for chart in body["charts"]:
        width, height = png_size(client, headers, f"{URL}/{job_id}/charts/{chart}.png")
        assert width >= 900 and height >= 600

    model = client.get(f"/api/v1/models/{body['model_version_id']}", headers=headers).get_json()
    assert (model["task"], model["class_names"], model["job_id"], model["dataset_id"]) == (
        "classify", list(SHAPES), job_id, classify_dataset,
    )  # fmt: skip
    assert model["inference_ms"] > 0 and model["size_bytes"] > 100_000 and not model["is_active"]
    assert {"top1", "top5", "epochs_done", "imgsz"} <= set(model["metrics"])


@pytest.mark.slow
def test_a_detector_trains_from_the_pose_backbone_with_detection_metrics_and_charts(client, user, detect_dataset):
    headers = user["headers"]
    job_id = start(client, headers, dataset_id=detect_dataset, epochs=2, **TINY).get_json()["id"]
    body = ended(client, headers, job_id)
    assert body["status"] == "succeeded", body
    metrics = client.get(f"{URL}/{job_id}/metrics", headers=headers).get_json()
    expected = {"train_box_loss", "train_cls_loss", "train_dfl_loss", "val_box_loss", "precision", "recall", "map50",
                "map50_95"}  # fmt: skip
    assert expected <= set(metrics["series"]) and metrics["epochs"] == [1, 2]
    assert len(metrics["confusion_matrix"]["matrix"]) == 4  # three shapes and the background
    assert body["charts"] == ["loss", "precision_recall", "map", "confusion_matrix"]
    for chart in body["charts"]:
        assert png_size(client, headers, f"{URL}/{job_id}/charts/{chart}.png")[0] >= 900


def child_pid(app, job: dict) -> int:
    with app.app_context():
        return jobs.get_job(int(db.session.get(TrainingJob, job["id"]).queue_task_id)).worker_pid


@pytest.mark.slow
def test_cancelling_a_running_job_stops_it_after_the_epoch_and_keeps_the_checkpoint(client, user, classify_dataset):
    headers = user["headers"]
    job_id = start(client, headers, dataset_id=classify_dataset, epochs=50, **TINY).get_json()["id"]
    wait_until(client, headers, job_id, lambda body: body["epoch"] >= 1)
    response = client.post(f"{URL}/{job_id}/cancel", headers=headers)
    assert response.status_code == 202 and response.get_json()["cancel_requested"]
    body = ended(client, headers, job_id)
    assert body["status"] == "cancelled" and body["checkpoint_kept"] and body["epoch"] < 50
    assert body["reason"].startswith(f"cancelled at your request after epoch {body['epoch']}")
    assert body["model_version_id"] is None


@pytest.mark.slow
def test_a_worker_killed_mid_epoch_ends_interrupted_and_resumes_to_the_end(client, app, user, classify_dataset):
    headers = user["headers"]
    job = start(client, headers, dataset_id=classify_dataset, epochs=4, **TINY).get_json()
    wait_until(client, headers, job["id"], lambda body: body["epoch"] >= 1)
    os.kill(child_pid(app, job), signal.SIGKILL)
    body = ended(client, headers, job["id"])
    assert body["status"] == "interrupted" and "SIGKILL" in body["reason"] and "resume" in body["reason"]
    assert 1 <= body["epoch"] < 4 and body["checkpoint_kept"] and body["resumable"]
    before = client.get(f"{URL}/{job['id']}/metrics", headers=headers).get_json()

    response = client.post(f"{URL}/{job['id']}/resume", headers=headers)
    assert response.status_code == 202 and response.get_json()["status"] == "queued"
    body = ended(client, headers, job["id"])
    assert body["status"] == "succeeded" and body["progress"] == "epoch 4 of 4"
    after = client.get(f"{URL}/{job['id']}/metrics", headers=headers).get_json()
    assert after["epochs"] == [1, 2, 3, 4]
    assert after["series"]["epoch_s"][0] == before["series"]["epoch_s"][0]  # resumed, not started over


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(base: str, path: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None, method="POST" if body else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_a_job_whose_server_is_killed_is_interrupted_when_the_server_comes_back(
    client, app, user, classify_dataset, tmp_path
):
    jobs.engine(app).shutdown()  # this test process plays the server that comes back, later
    port = free_port()
    env = {**os.environ, "FITCOACH_CONFIG": "testing", "FITCOACH_DATA_DIR": str(app.config["DATA_DIR"]),
           "PORT": str(port), "WEB_CONCURRENCY": "1", "LOG_LEVEL": "WARNING"}  # fmt: skip
    server_log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=REPO_ROOT, env=env,
        start_new_session=True, stdout=server_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        wait_for(lambda: _up(base), timeout_s=60, poll_s=0.5)
        job = call(base, "/training-jobs", user["access_token"], {"dataset_id": classify_dataset, "epochs": 30, **TINY})
        wait_for(lambda: call(base, f"/training-jobs/{job['id']}", user["access_token"])["epoch"] >= 1, poll_s=0.3)
        pid = child_pid(app, job)
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout_s=10)  # the child notices its parent is gone

    body = status_of(client, user["headers"], job["id"])
    assert body["status"] == "interrupted" and "server stopped" in body["reason"], body
    assert body["epoch"] >= 1 and body["resumable"]
    assert client.get(f"{URL}/{job['id']}/metrics", headers=user["headers"]).get_json()["epochs"][0] == 1


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
