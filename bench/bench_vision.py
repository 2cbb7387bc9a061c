"""Vision speed and memory: prints `name: value` lines.

- photo_api_over_models_p50: p50 of POST /api/v1/analyses over the p50 of the same models called in process
- photo_models_ms_p50, photo_pose_ms_p50: the models' own time per photo
- clip_wall_over_duration: wall time of a 30 fps clip's analysis over the clip's duration
- pose_onnx_speedup: PyTorch pose time over ONNX Runtime pose time, same photos and size
- worker_rss_mb: resident memory of this process with the models loaded (what one gunicorn worker holds)
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("FITCOACH_DATA_DIR", tempfile.mkdtemp(prefix="fitcoach-bench-"))

import ultralytics  # noqa: E402

from api.ml.analysis import analyse_clip, analyse_photo  # noqa: E402
from api.ml.pose import PoseConfig, PoseEstimator  # noqa: E402

ROUNDS = 12


def p50(values: list[float]) -> float:
    return statistics.median(values)


def photos() -> list[tuple[str, bytes, np.ndarray]]:
    assets = Path(ultralytics.__file__).parent / "assets"
    out = []
    for name in ("bus.jpg", "zidane.jpg"):
        data = (assets / name).read_bytes()
        out.append((name, data, cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)))
    return out


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def make_clip(path: Path, image: np.ndarray, seconds: float = 4.0, fps: float = 30.0) -> Path:
    frame = cv2.resize(image, (640, 360))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (640, 360))
    for i in range(int(seconds * fps)):
        writer.write(np.roll(frame, int(12 * np.sin(i / 8)), axis=1))
    writer.release()
    return path


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from api import create_app
    from api.config import TestingConfig
    from api.extensions import db
    from api.ml import runtime

    app = create_app(TestingConfig())
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    client = app.test_client()
    account = {"email": "bench@example.com", "password": "correct-horse-42"}
    client.post("/api/v1/auth/register", json={**account, "name": "Bench"})
    token = client.post("/api/v1/auth/login", json=account)
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}

    pose = runtime.pose_estimator()
    recognizer = runtime.default_recognizer()
    images = photos()
    for _, _, image in images:
        analyse_photo(image, pose, recognizer)

    direct, api, pose_only = [], [], []
    for _ in range(ROUNDS):
        for name, data, image in images:
            direct.append(timed(lambda image=image: analyse_photo(image, pose, recognizer)))
            pose_only.append(timed(lambda image=image: pose.detect(image)))
            api.append(
                timed(
                    lambda data=data, name=name: client.post(
                        "/api/v1/analyses", headers=headers, data={"file": (io.BytesIO(data), name)}
                    )
                )
            )
    print(f"photo_models_ms_p50: {p50(direct):.1f}")
    print(f"photo_pose_ms_p50: {p50(pose_only):.1f}")
    print(f"photo_api_ms_p50: {p50(api):.1f}")
    print(f"photo_api_over_models_p50: {p50(api) / p50(direct):.3f}")

    with tempfile.TemporaryDirectory() as folder:
        clip = make_clip(Path(folder) / "clip.mp4", images[1][2])
        analyse_clip(clip, pose, recognizer, "squat")
        result = analyse_clip(clip, pose, recognizer, "squat")
        print(f"clip_wall_over_duration: {result.timing['realtime_factor']:.3f}")
        print(f"clip_frames_analysed: {result.timing['frames_analysed']}")

    print(f"worker_rss_mb: {rss_mb():.0f}")

    onnx = PoseEstimator(PoseConfig(backend="onnx", cache_dir=str(app.config["DATA_DIR"] / "model-cache")))
    torch_times, onnx_times = [], []
    for _ in range(ROUNDS):
        for _, _, image in images:
            onnx.detect(image)
            torch_times.append(timed(lambda image=image: pose.detect(image)))
            onnx_times.append(timed(lambda image=image: onnx.detect(image)))
    print(f"pose_torch_ms_p50: {p50(torch_times):.1f}")
    print(f"pose_onnx_ms_p50: {p50(onnx_times):.1f}")
    print(f"pose_onnx_speedup: {p50(torch_times) / p50(onnx_times):.2f}")
    with tempfile.TemporaryDirectory() as folder:
        clip = make_clip(Path(folder) / "clip.mp4", images[1][2])
        result = analyse_clip(clip, onnx, recognizer, "squat")
        print(f"clip_wall_over_duration_onnx_pose: {result.timing['realtime_factor']:.3f}")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
