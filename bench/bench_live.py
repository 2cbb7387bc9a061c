"""Live sessions against gunicorn on loopback: prints `name: value` lines.

- live_kp_{http,socket}_{db,redis}_*: `--sessions` (50, then 100) sessions at once, each sending 0.5 s of keypoints
  (15 frames at 30 fps) every 0.5 s for `--seconds` (20): over HTTP (one POST a batch, `--workers` sync workers as
  documented) and over the WebSocket (one message a batch, `--socket-workers` threaded workers), with the session
  state in the database (SQLite, or `--database-url`) and then in Redis: answer time p50 / p95, the workers' CPU
  time per batch, errors. The load generator runs on the same 2 cores as the server (its threads are in the figure).
- live_jpeg_*: one session sending small JPEG frames (zidane.jpg at 480 and 320 px, 4 a request) back to back:
  frames posed per second.
- live_cue_latency_ms / live_rep_count_latency_ms: one session paced in real time, 0.25 s batches: from the
  capture time of the first frame that shows a fault (sagging hips) to the answer that cues it, and from a rep's
  end to the answer that counts it.
- live_batch_in_process_ms: one 15-frame batch through the assessor alone (no HTTP, no store).

    python bench/bench_live.py [--sessions 50 100] [--seconds 20] [--workers 4] [--socket-workers 2]
        [--socket-threads 128] [--stores db redis] [--channels http socket] [--database-url URL]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import psutil
import requests
import simple_websocket

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_gunicorn import Server, percentile  # noqa: E402

from api.ml.posture import SequenceAssessor  # noqa: E402
from tests.unit.ml.skeletons import side_push_up  # noqa: E402

FPS = 30
BATCH_FRAMES = 15
SIZE = [640, 480]


def push_up_stream(seconds: float, sag_from_s: float | None = None) -> np.ndarray:
    """Keypoints of push-ups at 30 fps, 2 s a rep, hips sagging from `sag_from_s` on."""
    t = np.arange(int(seconds * FPS)) / FPS
    angles = 125.0 + 45.0 * np.cos(2 * np.pi * t / 2.0)
    return np.stack(
        [
            side_push_up(a, 45.0 if sag_from_s is not None and ti >= sag_from_s else 0.0)
            for a, ti in zip(angles, t, strict=True)
        ]
    )


def start_session(server: Server, headers: dict, exercise: str = "push_up") -> int:
    response = requests.post(f"{server.url}/api/v1/live-sessions", headers=headers, json={"exercise": exercise})
    response.raise_for_status()
    return response.json()["id"]


def http_channel(server: Server, headers: dict):
    """One requests.Session a session, one POST a batch."""
    json_headers = {**headers, "Content-Type": "application/json"}

    def open_channel(session_id: int):
        http, url = requests.Session(), f"{server.url}/api/v1/live-sessions/{session_id}/frames"

        def send(body: str) -> str | None:
            response = http.post(url, headers=json_headers, data=body, timeout=60)
            return None if response.ok else f"{response.status_code} {response.json()['error']['message'][:60]}"

        return send, http.close

    return open_channel


def socket_channel(server: Server, headers: dict):
    """One WebSocket a session, one message a batch."""

    def open_channel(session_id: int):
        url = f"{server.url.replace('http', 'ws', 1)}/api/v1/live-sessions/{session_id}/socket"
        ws = simple_websocket.Client.connect(url, headers=headers)

        def send(body: str) -> str | None:
            ws.send(body)
            answer = json.loads(ws.receive(timeout=60))
            return f"{answer['status']} {answer['error']['message'][:60]}" if "error" in answer else None

        return send, ws.close

    return open_channel


def keypoint_load(server: Server, sessions: int, seconds: float, channel) -> dict:
    """Every session sends one batch each 0.5 s, all sessions at once; answer times and errors."""
    headers = server.headers()
    frames = push_up_stream(seconds).tolist()
    opened = [channel(server, headers)(start_session(server, headers)) for _ in range(sessions)]
    # Encoded once, as a phone encodes its own batches: the load generator shares the server's 2 cores.
    bodies = [
        json.dumps({"frames": frames[first : first + BATCH_FRAMES], "image_size": SIZE,
                    "t_ms": [round(i * 1000 / FPS) for i in range(first, min(first + BATCH_FRAMES, len(frames)))]})
        for first in range(0, len(frames), BATCH_FRAMES)
    ]  # fmt: skip
    latencies: list[float] = []
    errors: Counter = Counter()
    lock = threading.Lock()
    begin = time.monotonic() + 1.0

    def run(send, offset: float) -> None:
        for batch, body in enumerate(bodies):
            due = begin + offset + batch * BATCH_FRAMES / FPS
            time.sleep(max(0.0, due - time.monotonic()))
            sent = time.perf_counter()
            try:
                outcome = send(body)
            except (requests.RequestException, simple_websocket.ConnectionClosed, TypeError) as exc:
                outcome = type(exc).__name__
            with lock:
                latencies.append(time.perf_counter() - sent)
                if outcome:
                    errors[outcome] += 1

    threads = [threading.Thread(target=run, args=(send, i * 0.5 / sessions)) for i, (send, _) in enumerate(opened)]
    workers = psutil.Process(server.master.pid).children()
    cpu_before = sum(sum(worker.cpu_times()[:2]) for worker in workers)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server_cpu_s = sum(sum(worker.cpu_times()[:2]) for worker in workers) - cpu_before
    for _, close in opened:
        close()
    return {"p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * percentile(latencies, 0.95),
            "server_cpu_ms": 1000 * server_cpu_s / len(latencies),
            "requests": len(latencies), "errors": sum(errors.values()), "error_kinds": dict(errors)}  # fmt: skip


def jpeg_rate(server: Server, width: int, seconds: float = 8.0) -> float:
    """Frames posed per second for one session sending 4 JPEG frames a request back to back."""
    import ultralytics

    image = cv2.imread(str(Path(ultralytics.__file__).parent / "assets" / "zidane.jpg"))
    image = cv2.resize(image, (width, round(width * image.shape[0] / image.shape[1])))
    frame = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()
    headers = server.headers()
    session_id = start_session(server, headers, "biceps_curl")
    sent, t_ms, began = 0, 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        times = [str(t_ms + 33 * i) for i in range(4)]
        response = requests.post(f"{server.url}/api/v1/live-sessions/{session_id}/frames", headers=headers,
                                 files=[("frames", (f"{i}.jpg", frame, "image/jpeg")) for i in range(4)],
                                 data={"t_ms": times}, timeout=60)  # fmt: skip
        response.raise_for_status()
        sent, t_ms = sent + 4, t_ms + 4 * 33
    return sent / (time.perf_counter() - began)


def paced_latencies(server: Server, batch_s: float = 0.25) -> tuple[float, float]:
    """One session fed in real time: ms from the first sagging frame's capture to its cue, and from each rep's
    end to the answer that counts it (median)."""
    headers = server.headers()
    session_id = start_session(server, headers)
    sag_from_s = 5.0
    frames = push_up_stream(9.0, sag_from_s).tolist()
    per_batch = round(batch_s * FPS)
    began, cue_ms, rep_ms = time.monotonic(), None, []
    for first in range(0, len(frames), per_batch):
        chunk = frames[first : first + per_batch]
        last_capture = began + (first + len(chunk) - 1) / FPS
        time.sleep(max(0.0, last_capture - time.monotonic()))
        body = {"frames": chunk, "t_ms": [round((first + i) * 1000 / FPS) for i in range(len(chunk))],
                "image_size": SIZE}  # fmt: skip
        answer = requests.post(f"{server.url}/api/v1/live-sessions/{session_id}/frames", headers=headers, json=body,
                               timeout=60).json()  # fmt: skip
        now = time.monotonic()
        if cue_ms is None and answer["cue"] and answer["cue"]["code"] == "hips_sagging":
            cue_ms = 1000 * (now - (began + sag_from_s))
        rep_ms += [1000 * (now - (began + rep["end_s"])) for rep in answer["reps"]]
    return cue_ms if cue_ms is not None else float("nan"), statistics.median(rep_ms) if rep_ms else float("nan")


def in_process_batch_ms(rounds: int = 40) -> float:
    frames = push_up_stream(rounds * BATCH_FRAMES / FPS)
    assessor = SequenceAssessor("push_up")
    began = time.perf_counter()
    for first in range(0, len(frames), BATCH_FRAMES):
        state, rows = assessor.state(), assessor.rows.tobytes()
        assessor = SequenceAssessor.restore("push_up", state, rows)
        assessor.feed(frames[first : first + BATCH_FRAMES], np.arange(first, first + BATCH_FRAMES) / FPS)
    return 1000 * (time.perf_counter() - began) / rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4, help="sync workers for the HTTP route")
    parser.add_argument("--socket-workers", type=int, default=2, help="threaded workers for the WebSocket")
    parser.add_argument("--socket-threads", type=int, default=128, help="GUNICORN_THREADS for the WebSocket")
    parser.add_argument("--stores", nargs="+", default=["db", "redis"], choices=["db", "redis"])
    parser.add_argument("--channels", nargs="+", default=["http", "socket"], choices=["http", "socket"])
    parser.add_argument("--database-url", default="", help="an empty database for the servers (default: SQLite)")
    args = parser.parse_args()
    print(f"live_batch_in_process_ms: {in_process_batch_ms():.1f}")
    stores = {"db": "", "redis": "redis://127.0.0.1:6379/13"}
    channels = {"http": http_channel, "socket": socket_channel}
    for store, channel in itertools.product(args.stores, args.channels):
        workers = args.workers if channel == "http" else args.socket_workers
        server = Server(workers)
        server.env["LIVE_STORE_URL"] = stores[store]
        server.env["GUNICORN_THREADS"] = "1" if channel == "http" else str(args.socket_threads)
        if args.database_url:
            server.env["DATABASE_URL"] = args.database_url
        with server:
            for sessions in args.sessions:
                result = keypoint_load(server, sessions, args.seconds, channels[channel])
                name = f"live_kp_{channel}_{store}_{sessions}s_w{workers}"
                print(f"{name}_p50_ms: {result['p50_ms']:.1f}")
                print(f"{name}_p95_ms: {result['p95_ms']:.1f}")
                print(f"{name}_server_cpu_ms_per_request: {result['server_cpu_ms']:.1f}")
                print(f"{name}_requests: {result['requests']}")
                print(f"{name}_errors: {result['errors']}")
                if result["errors"]:
                    print(f"{name}_error_kinds: {result['error_kinds']}")
            if store == "db" and channel == "http":
                for width in (480, 320):
                    print(f"live_jpeg_{width}px_frames_per_s: {jpeg_rate(server, width):.1f}")
                cue_ms, rep_ms = paced_latencies(server)
                print(f"live_cue_latency_ms: {cue_ms:.0f}")
                print(f"live_rep_count_latency_ms: {rep_ms:.0f}")


if __name__ == "__main__":
    main()
