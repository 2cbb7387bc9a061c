"""Training speed on this machine: seconds per epoch per 100 images at imgsz 320 (YOLO11n detection from the pose
backbone), and the job system's overhead over a bare `model.train` with the same settings, in the same run.

The overhead ratio is the wall time from `POST /training-jobs` to `succeeded` (a child process that imports
PyTorch, per-epoch metrics in the database, the model registered with its inference time measured) over the wall
time of building the same model and calling `model.train` in this process.

    python bench/bench_training.py [--epochs 10] [--images 100]
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

IMGSZ = 320
BATCH = 16
PASSWORD = "correct-horse-42"


def signed_in_client(app):
    client = app.test_client()
    client.post("/api/v1/auth/register", json={"email": "bench@example.com", "password": PASSWORD, "name": "Bench"})
    token = client.post("/api/v1/auth/login", json={"email": "bench@example.com", "password": PASSWORD})
    return client, {"Authorization": f"Bearer {token.get_json()['access_token']}"}


def bare_train_s(config, data: str, run_dir: Path) -> float:
    """Wall seconds of building the model and `model.train` with the job's settings, here in this process."""
    import torch

    from api.ml.training import build_model

    torch.set_num_threads(config.threads)
    started = time.perf_counter()
    build_model(config).train(data=data, save_dir=str(run_dir), exist_ok=True, **config.train_arguments())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--images", type=int, default=100)
    args = parser.parse_args()
    os.environ["FITCOACH_DATA_DIR"] = tempfile.mkdtemp(prefix="fitcoach-bench-")

    from flask_migrate import upgrade

    from api import create_app
    from api.config import TestingConfig
    from api.ml.pose import default_pose_weights
    from api.ml.training import TrainingConfig, training_data
    from tests.shapes import detection_files, zip_bytes

    app = create_app(TestingConfig())
    with app.app_context():
        upgrade()
    client, headers = signed_in_client(app)
    archive = zip_bytes(detection_files(per_class=math.ceil(args.images / 3), size=IMGSZ))
    dataset = client.post("/api/v1/datasets", data={"file": (io.BytesIO(archive), "bench.zip")}, headers=headers,
                          content_type="multipart/form-data").get_json()  # fmt: skip
    train_images = dataset["report"]["splits"]["train"]["images"]
    body = {"dataset_id": dataset["id"], "epochs": args.epochs, "imgsz": IMGSZ, "batch": BATCH,
            "patience": args.epochs, "seed": 0}  # fmt: skip

    config = TrainingConfig(task="detect", epochs=args.epochs, imgsz=IMGSZ, batch=BATCH, patience=args.epochs,
                            seed=0, start="pose", start_weights=str(default_pose_weights()),
                            device=app.config["TRAINING_DEVICE"], threads=app.config["TRAINING_THREADS"])  # fmt: skip
    dataset_dir = next(Path(app.config["DATASET_DIR"]).glob(f"*/{dataset['id']}"))
    bare_run = Path(app.config["ARTIFACT_DIR"]) / "bare"
    bare_s = bare_train_s(config, training_data("detect", dataset_dir, dataset["class_names"], bare_run), bare_run)

    started = time.perf_counter()
    job = client.post("/api/v1/training-jobs", json=body, headers=headers).get_json()
    while (status := client.get(f"/api/v1/training-jobs/{job['id']}", headers=headers).get_json())["status"] in (
        "queued", "running",
    ):  # fmt: skip
        time.sleep(0.25)
    job_s = time.perf_counter() - started
    if status["status"] != "succeeded":
        raise SystemExit(f"the benchmark job {status['status']}: {status['reason']}")
    epoch_s = client.get(f"/api/v1/training-jobs/{job['id']}/metrics", headers=headers).get_json()["series"]["epoch_s"]

    print(f"# {args.epochs} epochs, {train_images} training images at {IMGSZ}, batch {BATCH}, "
          f"{config.threads} threads; bare {bare_s:.1f} s, job {job_s:.1f} s", file=sys.stderr)  # fmt: skip
    print(f"training_s_per_epoch_per_100_images_320: {sum(epoch_s) / len(epoch_s) / train_images * 100:.2f}")
    print(f"training_job_overhead_ratio: {job_s / bare_s:.3f}")


if __name__ == "__main__":
    main()
