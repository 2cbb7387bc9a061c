"""A gunicorn worker killed in the middle of an analysis: the client gets an error, the other worker keeps serving,
and no row or file of that analysis remains (its files were staged; the replacement worker sweeps them)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import psutil
import pytest
import requests

from tests.e2e.conftest import write_clip

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BOOT_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/v1/health", timeout=5).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def server(tmp_path):
    """gunicorn with two workers on a fresh SQLite database, as `make run` starts it."""
    env = {
        **os.environ,
        "FITCOACH_CONFIG": "production",
        "FITCOACH_DATA_DIR": str(tmp_path / "data"),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "FLASK_APP": "wsgi.py",
        "WEB_CONCURRENCY": "2",
        "WARM_MODELS": "false",
        "PORT": str(free_port()),
        "LOG_LEVEL": "warning",
    }
    env.pop("TEST_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    migrated = subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert migrated.returncode == 0, migrated.stderr
    master = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_until(lambda: healthy(url), BOOT_S, "gunicorn to serve")
        yield url, psutil.Process(master.pid), Path(env["FITCOACH_DATA_DIR"])
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(30)


def busy_worker(master: psutil.Process) -> psutil.Process | None:
    """The worker burning CPU: the one running the analysis."""
    workers = master.children()
    before = {worker.pid: sum(worker.cpu_times()[:2]) for worker in workers}
    time.sleep(0.3)
    gains = {worker.pid: sum(worker.cpu_times()[:2]) - before[worker.pid] for worker in workers}
    pid, gain = max(gains.items(), key=lambda item: item[1])
    return psutil.Process(pid) if gain > 0.15 else None


def test_a_worker_killed_mid_analysis_leaves_nothing_and_the_others_keep_serving(server, tmp_path, assets_dir):
    url, master, data_dir = server
    account = {"email": "kill@example.com", "password": "correct-horse-42"}
    assert requests.post(f"{url}/api/v1/auth/register", json={**account, "name": "K"}, timeout=30).status_code == 201
    login = requests.post(f"{url}/api/v1/auth/login", json=account, timeout=30).json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    image = cv2.resize(cv2.imread(str(assets_dir / "zidane.jpg")), (640, 360))
    clip = write_clip(tmp_path / "long.mp4", [np.roll(image, int(10 * np.sin(i / 6)), axis=1) for i in range(300)])

    outcome = {}

    def analyse():
        try:
            with open(clip, "rb") as file:
                response = requests.post(f"{url}/api/v1/analyses", headers=headers, files={"file": file}, timeout=120)
            outcome["status"] = response.status_code
        except requests.RequestException as exc:
            outcome["error"] = exc

    request = threading.Thread(target=analyse)
    request.start()
    victim = wait_until(lambda: busy_worker(master), 60, "a worker to start the analysis")
    user_folder = wait_until(lambda: next((data_dir / "uploads").glob("*/.staged-*"), None), 30, "the staged clip")
    victim.send_signal(signal.SIGKILL)
    request.join(60)

    assert "error" in outcome or outcome["status"] >= 500, outcome
    assert requests.get(f"{url}/api/v1/analyses", headers=headers, timeout=30).json()["total"] == 0
    assert requests.get(f"{url}/api/v1/uploads", headers=headers, timeout=30).json()["total"] == 0
    wait_until(lambda: len(master.children()) == 2 and victim.pid not in [w.pid for w in master.children()], 60,
               "gunicorn to replace the worker")  # fmt: skip
    wait_until(lambda: not any(user_folder.parent.iterdir()), BOOT_S, "the replacement worker to sweep")
    photo = (assets_dir / "bus.jpg").read_bytes()
    answer = requests.post(f"{url}/api/v1/analyses", headers=headers, files={"file": ("bus.jpg", photo)}, timeout=120)
    assert answer.status_code == 201, answer.text
