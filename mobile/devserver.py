"""A real FitCoach API served in-process on a temporary SQLite database, demo data, and a generated push-up clip
with its keypoints (tests and screenshots only).

Not used by the app itself: it imports the server package `api` (and the tests' stick figures), which are not
shipped to Android.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "True")
os.environ.setdefault("YOLO_AUTOINSTALL", "False")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveApi:
    """A running API: its base URL (`http://127.0.0.1:PORT`), the Flask app and the server thread."""

    url: str
    app: object
    server: object
    thread: threading.Thread
    data_dir: Path
    extras: dict = field(default_factory=dict)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        with self.app.app_context():
            from api.extensions import db

            db.session.remove()
            db.engine.dispose()


def start_api(data_dir: Path, **overrides) -> LiveApi:
    """Build the real app on `data_dir`/fitcoach.db, migrate it, and serve it on a free local port."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from api import create_app
    from api.config import TestingConfig

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        "DATA_DIR": data_dir,
        "UPLOAD_DIR": data_dir / "uploads",
        "ARTIFACT_DIR": data_dir / "artifacts",
        "DATASET_DIR": data_dir / "datasets",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir / 'fitcoach.db'}",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOG_LEVEL": "WARNING",
    }
    settings.update(overrides)
    for name in ("werkzeug", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    app = create_app(TestingConfig(), **settings)  # the overrides win over TEST_DATABASE_URL too
    with app.app_context():
        upgrade()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="fitcoach-live-api", daemon=True)
    thread.start()
    return LiveApi(url=f"http://127.0.0.1:{port}", app=app, server=server, thread=thread, data_dir=data_dir)


def make_admin(live: LiveApi, email: str) -> None:
    from api.services import accounts

    with live.app.app_context():
        accounts.set_role(email, "admin")


def expired_access_token(live: LiveApi, user_id: int) -> str:
    """An access token for this user that expired a minute ago (to test refresh on 401)."""
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    with live.app.app_context():
        return create_access_token(identity=str(user_id), expires_delta=timedelta(minutes=-1))


def sample_photo() -> Path:
    """`zidane.jpg` from the installed ultralytics package: a real photo with people in it."""
    import ultralytics

    return Path(ultralytics.__file__).parent / "assets" / "zidane.jpg"


DEMO_EMAIL = "ada@example.com"
DEMO_PASSWORD = "correct-horse-42"


def seed_demo(live: LiveApi, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD, admin: bool = True) -> dict:
    """Realistic data through the real API: a user with a profile, a plan, eight weeks of workouts and body
    weight, analyses of a real photo, and (admins) a finished training job with its model."""
    from datetime import date, timedelta

    from mobile.api_client import ApiClient

    client = ApiClient(live.url)
    client.register(email, password, "Ada")
    if admin:
        make_admin(live, email)
    client.login(email, password)
    client.update_profile(age=34, sex="female", height_cm=168, weight_kg=66.5, fitness_level="intermediate",
                          goal="strength", days_per_week=3, session_minutes=45,
                          equipment=["barbell", "dumbbell", "bench"], limitations=[])  # fmt: skip
    today = date.today()
    for week in range(8, 0, -1):
        for offset, (exercise, reps, load) in enumerate((("squat", 5, 50), ("bench_press", 6, 35), ("row", 8, 30))):
            day = today - timedelta(days=7 * week - offset * 2)
            sets = [{"reps": reps, "weight_kg": load + (8 - week) * 2.5}] * 3
            client.log_workout(date=day.isoformat(), exercises=[{"exercise": exercise, "sets": sets}],
                               duration_min=45)  # fmt: skip
        client.add_body_metric(date=(today - timedelta(days=7 * week)).isoformat(), weight_kg=68.4 - (8 - week) * 0.3)
    client.add_body_metric(date=(today - timedelta(days=1)).isoformat(), weight_kg=66.1)
    plan = client.create_plan(weeks=4)
    squat = client.analyse(sample_photo(), "squat")
    analysis = client.analyse(sample_photo(), "push_up")
    data = {"client": client, "plan": plan, "analysis": analysis, "analyses": [squat, analysis]}
    if admin:
        data["job_id"] = seed_training(live, client.user["id"])
    return data


def write_push_up_clip(folder: Path, reps: int = 3, hip_sag_px: float = 0.0, fps: float = 30.0) -> Path:
    """`push-ups.mp4`: a stick figure doing `reps` push-ups seen from the side (the hips `hip_sag_px` below the
    shoulder-ankle line), with the keypoints drawn in `push-ups.keypoints.json` (what `RecordedPose` replays)."""
    from tests.unit.ml.skeletons import rep_values, side_push_up

    poses = [side_push_up(angle, hip_sag_px / 1.5)
             for angle in rep_values(170.0, 80.0, reps=reps, frames_per_half=20, hold=12)]  # fmt: skip
    return write_stick_clip(Path(folder) / "push-ups.mp4", poses, fps)


def write_plank_clip(folder: Path, seconds: float = 6.0, sag_from_s: float = 3.5, fps: float = 30.0) -> Path:
    """`plank.mp4`: a stick figure holding a plank seen from the side, the hips sagging from `sag_from_s` on, with
    its keypoints beside it."""
    from tests.unit.ml.skeletons import side_plank

    poses = [side_plank(45.0 if index / fps >= sag_from_s else 0.0) for index in range(round(seconds * fps))]
    return write_stick_clip(Path(folder) / "plank.mp4", poses, fps)


def write_stick_clip(path: Path, poses: list, fps: float) -> Path:
    """The skeletons `poses` (side views, hands or feet on the floor) drawn as a clip at `path`, with the keypoints
    drawn in `<clip>.keypoints.json`."""
    import json

    import cv2
    import numpy as np

    from api.ml.keypoints import KEYPOINT_INDEX, SKELETON_EDGES
    from mobile.camera import clip_time_ms
    from mobile.pose import recorded_keypoints_path

    width, height, floor_y = 640, 480, 400
    placed = []
    for pose in poses:
        pose = pose.copy()
        pose[:, :2] = (pose[:, :2] - (100.0, 300.0)) * 1.5 + (70.0, floor_y)  # feet at the left, hands on the floor
        placed.append(pose)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for pose in placed:
        frame = np.full((height, width, 3), (214, 206, 198), np.uint8)
        cv2.rectangle(frame, (0, floor_y + 6), (width, height), (150, 140, 130), -1)
        points = [tuple(int(v) for v in point[:2]) for point in pose]
        for a, b in SKELETON_EDGES:
            if pose[a, 2] > 0 and pose[b, 2] > 0:
                cv2.line(frame, points[a], points[b], (70, 60, 50), 10, cv2.LINE_AA)
        cv2.circle(frame, points[KEYPOINT_INDEX["left_ear"]], 18, (70, 60, 50), -1, cv2.LINE_AA)
        writer.write(frame)
    writer.release()
    recorded = {"frames": np.round(np.stack(placed), 2).tolist(), "image_size": [width, height],
                "t_ms": [clip_time_ms(index, fps) for index in range(len(placed))]}  # fmt: skip
    recorded_keypoints_path(path).write_text(json.dumps(recorded))
    return path


def seed_training(live: LiveApi, user_id: int, epochs: int = 12) -> int:
    """A finished detection job with per-epoch metrics and its registered model, written to the database
    directly (really training one takes minutes)."""
    import math
    from datetime import UTC, datetime, timedelta

    from api.extensions import db
    from api.models import Dataset, EpochMetric, ModelVersion, TrainingJob

    with live.app.app_context():
        now = datetime.now(UTC)
        dataset = Dataset(user_id=user_id, name="gym-photos", task="detect", layout="yolo", folder="demo",
                          class_names=["squat", "push_up"], image_count=240, size_bytes=48_000_000)  # fmt: skip
        db.session.add(dataset)
        db.session.flush()
        job = TrainingJob(user_id=user_id, dataset_id=dataset.id, task="detect", status="succeeded", epoch=epochs,
                          epochs=epochs, params={"class_names": ["squat", "push_up"], "imgsz": 640, "batch": 16},
                          started_at=now - timedelta(minutes=40), finished_at=now - timedelta(minutes=2))  # fmt: skip
        db.session.add(job)
        db.session.flush()
        for epoch in range(1, epochs + 1):
            progress = 1 - math.exp(-epoch / 4)
            db.session.add(EpochMetric(job_id=job.id, epoch=epoch, elapsed_s=190.0 * epoch, metrics={
                "train_box_loss": round(1.6 - 0.9 * progress, 4), "val_box_loss": round(1.7 - 0.8 * progress, 4),
                "precision": round(0.3 + 0.55 * progress, 4), "recall": round(0.25 + 0.55 * progress, 4),
                "map50": round(0.2 + 0.65 * progress, 4), "map50_95": round(0.1 + 0.5 * progress, 4),
            }))  # fmt: skip
        db.session.add(ModelVersion(user_id=user_id, job_id=job.id, dataset_id=dataset.id, name="gym-photos v1",
                                    task="detect", class_names=["squat", "push_up"],
                                    metrics={"map50": 0.84, "map50_95": 0.58}, weights_path="demo/best.pt",
                                    size_bytes=6_200_000, inference_ms=41.0))  # fmt: skip
        failed = TrainingJob(user_id=user_id, dataset_id=dataset.id, task="detect", status="failed", epoch=0,
                             epochs=30, params={"class_names": ["squat", "push_up"]},
                             error="the dataset's labels do not match its images")  # fmt: skip
        db.session.add(failed)
        db.session.commit()
        return job.id
