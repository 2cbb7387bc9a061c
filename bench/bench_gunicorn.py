"""Load against gunicorn on loopback, as `make run` serves it: prints `name: value` lines.

- Photo analyses: `--analyses` requests (200) all in flight at once, against 1 and then `--workers` (4) gunicorn
  workers: errors, p50 and p95 latency, throughput, the workers' scaling, and every analysis stored exactly once
  (rows through the API, files on disk counted afterwards).
- Non-vision calls: a mix of plans, workouts, progress and body metrics for `--seconds` (10) from 32 threads:
  the requests per second reached, then where one worker's time goes (cProfile over the same mix in process).
- worker_rss_mb: resident memory of one gunicorn worker with the models loaded.

    python bench/bench_gunicorn.py [--analyses 200] [--workers 4] [--seconds 10]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import os
import pstats
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACCOUNT = {"email": "load@example.com", "password": "correct-horse-42"}
PROFILE = {"age": 35, "sex": "female", "height_cm": 168, "weight_kg": 64, "fitness_level": "intermediate",
           "goal": "strength", "days_per_week": 3, "equipment": ["barbell", "dumbbell", "bench"]}  # fmt: skip
MIX_THREADS = 32
WARM_RSS = 400 * 2**20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with `workers` workers on a fresh SQLite database in a temporary folder."""

    def __init__(self, workers: int):
        self.data_dir = Path(tempfile.mkdtemp(prefix="fitcoach-load-"))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ, "FITCOACH_CONFIG": "production", "FITCOACH_DATA_DIR": str(self.data_dir),
            "JWT_SECRET_KEY": secrets.token_urlsafe(48), "FLASK_APP": "wsgi.py", "WEB_CONCURRENCY": str(workers),
            "PORT": str(port), "WARM_MODELS": "true", "LOG_LEVEL": "WARNING", "LOG_JSON": "false",
            "OMP_NUM_THREADS": "1",
        }  # fmt: skip
        for name in ("DATABASE_URL", "TEST_DATABASE_URL"):
            self.env.pop(name, None)
        self.workers = workers
        self.master: subprocess.Popen | None = None

    def __enter__(self):
        subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True)
        self.master = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                                       env=self.env, stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not self._all_warm():
            time.sleep(0.5)
        return self

    def _all_warm(self) -> bool:
        """Every worker up with its models loaded (gunicorn's post_worker_init warms them before serving)."""
        try:
            requests.get(f"{self.url}/api/v1/health", timeout=5).raise_for_status()
        except requests.RequestException:
            return False
        children = psutil.Process(self.master.pid).children()
        return len(children) == self.workers and all(child.memory_info().rss > WARM_RSS for child in children)

    def __exit__(self, *exc_info):
        self.master.send_signal(signal.SIGTERM)
        self.master.wait(60)

    def worker_rss_mb(self) -> float:
        return max(child.memory_info().rss for child in psutil.Process(self.master.pid).children()) / 2**20

    def files(self) -> int:
        return sum(1 for path in (self.data_dir / "uploads").rglob("*") if path.is_file())

    def headers(self) -> dict:
        requests.post(f"{self.url}/api/v1/auth/register", json={**ACCOUNT, "name": "Load"}, timeout=60)
        token = requests.post(f"{self.url}/api/v1/auth/login", json=ACCOUNT, timeout=60).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def photo_load(server: Server, count: int, photo: bytes) -> dict:
    """`count` photo analyses all sent at once; latency, errors, throughput and what was stored."""
    headers = server.headers()
    files_before = server.files()
    start = threading.Barrier(count)

    def one(_index: int) -> tuple[int, float]:
        start.wait()
        began = time.perf_counter()
        try:
            response = requests.post(f"{server.url}/api/v1/analyses", headers=headers,
                                     files={"file": ("bus.jpg", photo)}, timeout=900)  # fmt: skip
            status = response.status_code
        except requests.RequestException:
            status = 0
        return status, time.perf_counter() - began

    began = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        results = list(pool.map(one, range(count)))
    wall = time.perf_counter() - began
    latencies = [seconds for status, seconds in results if status == 201]
    stored = requests.get(f"{server.url}/api/v1/analyses?per_page=1", headers=headers, timeout=60).json()["total"]
    return {
        "errors": sum(status != 201 for status, _ in results),
        "p50_s": statistics.median(latencies) if latencies else float("nan"),
        "p95_s": percentile(latencies, 0.95) if latencies else float("nan"),
        "per_s": len(latencies) / wall,
        "rows": stored,
        "files": server.files() - files_before,
    }


def mixed_requests() -> list[tuple[str, str, dict | None]]:
    """One round of the non-vision mix: reads of plans, workouts, progress and metrics, and a workout logged."""
    today = date.today()
    workout = {"date": str(today - timedelta(days=1)),
               "exercises": [{"exercise": "squat", "sets": [{"reps": 5, "weight_kg": 80, "rpe": 8}] * 3}]}  # fmt: skip
    return [
        ("GET", "/api/v1/plans", None),
        ("GET", "/api/v1/workouts?per_page=20", None),
        ("GET", "/api/v1/progress", None),
        ("GET", "/api/v1/body-metrics", None),
        ("GET", "/api/v1/users/me", None),
        ("POST", "/api/v1/workouts", workout),
        ("GET", "/api/v1/exercises/squat", None),
        ("GET", "/api/v1/analyses?per_page=5", None),
    ]


def seed_non_vision(url: str, headers: dict) -> None:
    requests.patch(f"{url}/api/v1/users/me", headers=headers, json=PROFILE, timeout=60)
    requests.post(f"{url}/api/v1/plans", headers=headers, json={}, timeout=60)
    for day in range(30):
        entry = {"date": str(date.today() - timedelta(days=day)), "weight_kg": 64 + day % 3 * 0.2}
        requests.post(f"{url}/api/v1/body-metrics", headers=headers, json=entry, timeout=60)


def mixed_load(server: Server, seconds: float) -> dict:
    headers = server.headers()
    seed_non_vision(server.url, headers)
    calls = itertools.cycle(mixed_requests())
    lock = threading.Lock()
    counts = {"ok": 0, "errors": 0}
    deadline = time.monotonic() + seconds

    def worker() -> None:
        session = requests.Session()
        while time.monotonic() < deadline:
            with lock:
                method, path, body = next(calls)
            response = session.request(method, f"{server.url}{path}", headers=headers, json=body, timeout=60)
            with lock:
                counts["ok" if response.status_code < 400 else "errors"] += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(MIX_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"per_s": counts["ok"] / (time.perf_counter() - began), "errors": counts["errors"]}


def profile_mix(rounds: int = 40) -> tuple[str, str]:
    """Where one worker's time goes on the non-vision mix: the top functions by own time, in process."""
    os.environ.setdefault("FITCOACH_DATA_DIR", tempfile.mkdtemp(prefix="fitcoach-profile-"))
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from api import create_app
    from api.config import TestingConfig

    app = create_app(TestingConfig())
    with app.app_context():
        upgrade()
    client = app.test_client()
    client.post("/api/v1/auth/register", json={**ACCOUNT, "name": "Load"})
    token = client.post("/api/v1/auth/login", json=ACCOUNT).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.patch("/api/v1/users/me", headers=headers, json=PROFILE)
    client.post("/api/v1/plans", headers=headers, json={})
    requests_mix = mixed_requests()
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for _ in range(rounds):
        for method, path, body in requests_mix:
            client.open(path, method=method, headers=headers, json=body)
    profiler.disable()
    per_request_ms = (time.perf_counter() - began) * 1000 / (rounds * len(requests_mix))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return f"{per_request_ms:.2f}", "\n".join("# " + line for line in lines[start : start + 13])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--analyses", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    import ultralytics

    photo = (Path(ultralytics.__file__).parent / "assets" / "bus.jpg").read_bytes()
    throughput = {}
    for workers in (1, args.workers):
        with Server(workers) as server:
            result = photo_load(server, args.analyses, photo)
            throughput[workers] = result["per_s"]
            print(f"photo_load_w{workers}_errors: {result['errors']}")
            print(f"photo_load_w{workers}_p50_s: {result['p50_s']:.2f}")
            print(f"photo_load_w{workers}_p95_s: {result['p95_s']:.2f}")
            print(f"photo_load_w{workers}_per_s: {result['per_s']:.2f}")
            print(f"photo_load_w{workers}_rows_stored: {result['rows']} of {args.analyses}")
            print(f"photo_load_w{workers}_files_stored: {result['files']} (2 per analysis: upload, annotated)")
            if workers == args.workers:
                print(f"worker_rss_mb: {server.worker_rss_mb():.0f}")
                mix = mixed_load(server, args.seconds)
                print(f"mixed_api_w{workers}_requests_per_s: {mix['per_s']:.0f}")
                print(f"mixed_api_w{workers}_errors: {mix['errors']}")
    print(f"photo_throughput_w{args.workers}_over_w1: {throughput[args.workers] / throughput[1]:.2f}")
    per_request_ms, top = profile_mix()
    print(f"mixed_api_in_process_ms_per_request: {per_request_ms}")
    print(top)


if __name__ == "__main__":
    main()
