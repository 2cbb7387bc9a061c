"""One of every kind of row a user owns, made the cheapest real way: through the API where that is fast
(uploads, keypoint analyses, plans, workouts, body metrics, a tiny dataset zip), by inserting rows where the API
would train (a training job, a registered model)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from api.extensions import db
from api.models import ModelVersion, TrainingJob
from tests.helpers import jpeg_bytes
from tests.shapes import SHAPES, classification_files, zip_bytes
from tests.unit.ml.skeletons import side_plank

API = "/api/v1"


def _created(response) -> int:
    assert response.status_code in (201, 202), response.get_data(as_text=True)[:500]
    return response.get_json()["id"]


def seed_resources(app, client, user: dict) -> dict[str, int]:
    """Ids of a fresh upload, analysis, plan, workout, body metric, live session (fed a few frames), dataset,
    training job and model of `user`,
    keyed by the name of the URL parameter that addresses each."""
    headers = user["headers"]
    ids = {}
    photo = {"file": (io.BytesIO(jpeg_bytes()), "photo.jpg")}
    ids["upload_id"] = _created(client.post(f"{API}/uploads", data=photo, headers=headers))
    posture = {"exercise": "plank", "frames": [side_plank(50).tolist()], "fps": 30, "image_size": [640, 480]}
    ids["analysis_id"] = _created(client.post(f"{API}/posture", json=posture, headers=headers))
    ids["plan_id"] = _created(client.post(f"{API}/plans", json={"weeks": 1}, headers=headers))
    workout = {
        "date": date.today().isoformat(),
        "exercises": [{"exercise": "squat", "sets": [{"reps": 5, "weight_kg": 60, "rpe": 7}]}],
    }
    ids["workout_id"] = _created(client.post(f"{API}/workouts", json=workout, headers=headers))
    ids["metric_id"] = _created(client.post(f"{API}/body-metrics", json={"weight_kg": 70}, headers=headers))
    ids["session_id"] = _created(client.post(f"{API}/live-sessions", json={"exercise": "plank"}, headers=headers))
    frames = {"frames": [side_plank().tolist()] * 3, "t_ms": [0, 100, 200], "image_size": [640, 480]}
    fed = client.post(f"{API}/live-sessions/{ids['session_id']}/frames", json=frames, headers=headers)
    assert fed.status_code == 200, fed.get_data(as_text=True)[:500]
    archive = {"file": (io.BytesIO(zip_bytes(classification_files(per_class=4))), "shapes.zip"), "name": "shapes"}
    ids["dataset_id"] = _created(client.post(f"{API}/datasets", data=archive, headers=headers))
    with app.app_context():
        job = TrainingJob(user_id=user["id"], dataset_id=ids["dataset_id"], task="classify", epochs=1,
                          params={"epochs": 1, "imgsz": 64, "batch": 8}, status="interrupted",
                          error="the server stopped")  # fmt: skip
        db.session.add(job)
        db.session.flush()
        folder = Path(app.config["ARTIFACT_DIR"]) / "models" / str(user["id"]) / f"seed-{job.id}"
        folder.mkdir(parents=True)
        (folder / "model.pt").write_bytes(b"placeholder weights")
        model = ModelVersion(user_id=user["id"], job_id=job.id, dataset_id=ids["dataset_id"], name="shapes",
                             task="classify", class_names=list(SHAPES), metrics={"top1": 0.5, "imgsz": 64},
                             weights_path=str(folder / "model.pt"), size_bytes=19, inference_ms=3.0)  # fmt: skip
        db.session.add(model)
        db.session.commit()
        ids["job_id"], ids["model_id"] = job.id, model.id
    return ids
