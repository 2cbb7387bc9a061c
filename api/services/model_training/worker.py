"""The training job handler. `run` executes in the job's worker process (a child of the in-process runner, or a
Celery worker): it trains with Ultralytics, stores each epoch's metrics as the epoch ends, stops at the end of an
epoch when cancelled, and registers the model when training succeeds. `on_end` records how the job ended."""

from __future__ import annotations

import os
import re
import shutil
from collections import deque
from pathlib import Path

from sqlalchemy import delete, select

from api.extensions import db
from api.jobs.context import JobCancelled, JobContext, JobFailed
from api.ml.datasets.files import IMAGE_SUFFIXES
from api.ml.training import (
    EpochReport,
    TrainingCancelled,
    TrainingConfig,
    TrainingResult,
    describe_failure,
    measure_inference_ms,
    train,
    training_data,
)
from api.models import Dataset, EpochMetric, ModelVersion, TrainingJob
from api.models.base import as_utc, utcnow
from api.services.model_training.datasets import dataset_path
from api.vocabulary import INTERRUPTED, RUNNING, SUCCEEDED

LOG_TAIL_LINES = 30
MAX_LOG_LINE = 300
ANSI_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class EpochRecorder:
    """Writes each finished epoch to the database and keeps the log's last lines; stops the run when cancelled."""

    def __init__(self, job_id: int, context: JobContext):
        self.job_id = job_id
        self.context = context
        self.lines: deque[str] = deque(maxlen=LOG_TAIL_LINES)

    def log(self, line: str) -> None:
        self.lines.append(ANSI_CODES.sub("", line)[:MAX_LOG_LINE])

    def epoch_end(self, report: EpochReport) -> None:
        job = db.session.get(TrainingJob, self.job_id)
        now = utcnow()
        metrics = {**report.metrics, "epoch_s": report.epoch_s}
        if report.confusion_matrix:
            metrics["confusion_matrix"] = report.confusion_matrix
        row = db.session.scalar(
            select(EpochMetric).where(EpochMetric.job_id == self.job_id, EpochMetric.epoch == report.epoch)
        ) or EpochMetric(job_id=self.job_id, epoch=report.epoch)
        row.metrics = metrics
        row.elapsed_s = round((now - as_utc(job.started_at)).total_seconds(), 3)
        db.session.add(row)
        self.log(f"epoch {report.epoch}/{report.epochs} done in {report.epoch_s:.1f} s")
        job.epoch, job.heartbeat_at, job.log_tail = report.epoch, now, "\n".join(self.lines)
        db.session.commit()
        if self.context.cancel_requested():
            raise TrainingCancelled

    def flush(self) -> None:
        db.session.rollback()
        job = db.session.get(TrainingJob, self.job_id)
        job.log_tail = "\n".join(self.lines)
        db.session.commit()


def _start_weights(params: dict, settings) -> str:
    if params["weights"] == "pose":
        from api.ml.pose import default_pose_weights

        return settings.get("POSE_WEIGHTS") or str(default_pose_weights())
    if params["weights"] == "model":
        start = db.session.get(ModelVersion, params["model_id"])
        if start is None or not Path(start.weights_path).is_file():
            raise JobFailed(f"the starting model {params['model_id']} and its weights are gone")
        return start.weights_path
    return ""


def _sample_image(dataset_dir: Path) -> Path:
    """An image of the validation split, to time the trained model on."""
    for folder in (dataset_dir / "images" / "val", dataset_dir / "val"):
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                return path
    raise JobFailed("the dataset has no validation image left to time the model on")


def register_model(job: TrainingJob, dataset: Dataset, result: TrainingResult, settings) -> ModelVersion:
    """Keep the best weights as a model version with its metrics, size and measured inference time."""
    folder = Path(settings["ARTIFACT_DIR"]) / "models" / str(job.user_id) / f"job-{job.id}"
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / "model.pt"
    shutil.copy2(result.best_weights, weights)
    imgsz = job.params["imgsz"]
    inference_ms = measure_inference_ms(weights, _sample_image(dataset_path(settings, dataset)), imgsz)
    metrics = {**result.final_metrics, "epochs_done": result.epochs_done, "imgsz": imgsz}
    if result.confusion_matrix:
        metrics["confusion_matrix"] = result.confusion_matrix
    version = ModelVersion(
        user_id=job.user_id,
        job_id=job.id,
        dataset_id=dataset.id,
        name=f"{dataset.name} ({job.task}) #{job.id}"[:100],
        task=job.task,
        class_names=result.class_names,
        metrics=metrics,
        weights_path=str(weights),
        size_bytes=weights.stat().st_size,
        inference_ms=inference_ms,
    )
    db.session.add(version)
    db.session.commit()
    return version


class TrainingHandler:
    """Job kind "training": payload `{"training_job_id": id, "resume": bool}`."""

    @staticmethod
    def run(payload: dict, context: JobContext) -> dict:
        job = db.session.get(TrainingJob, payload["training_job_id"])
        if job is None:
            raise JobFailed("the training job was deleted")
        dataset = db.session.get(Dataset, job.dataset_id) if job.dataset_id else None
        if dataset is None:
            raise JobFailed("the dataset was deleted before training started")
        settings = context.settings
        run_dir = Path(job.run_dir)
        checkpoint = Path(job.checkpoint) if job.checkpoint else None
        resume_from = checkpoint if payload.get("resume") and checkpoint and checkpoint.is_file() else None
        now = utcnow()
        if resume_from is None:
            shutil.rmtree(run_dir, ignore_errors=True)
            db.session.execute(delete(EpochMetric).where(EpochMetric.job_id == job.id))
            job.epoch, job.started_at = 0, now
        job.status, job.error, job.finished_at, job.checkpoint = RUNNING, None, None, None
        job.worker_pid, job.heartbeat_at = os.getpid(), now
        db.session.commit()
        params = job.params
        config = TrainingConfig(
            task=job.task,
            epochs=params["epochs"],
            imgsz=params["imgsz"],
            batch=params["batch"],
            patience=params["patience"],
            seed=params["seed"],
            start=params["weights"],
            start_weights=_start_weights(params, settings),
            device=settings["TRAINING_DEVICE"],
            threads=settings["TRAINING_THREADS"],
        )
        recorder = EpochRecorder(job.id, context)
        recorder.log(f"{'resuming' if resume_from else 'starting'} {job.task} training on dataset {dataset.id}")
        data = training_data(job.task, dataset_path(settings, dataset), dataset.class_names, run_dir)
        try:
            result = train(config, data, run_dir, recorder.epoch_end, recorder.log, resume_from=resume_from)
        except TrainingCancelled:
            recorder.flush()
            raise JobCancelled(f"cancelled at your request after epoch {job.epoch}; its checkpoint is kept") from None
        except Exception as exc:
            reason = describe_failure(exc)
            recorder.log(reason)
            recorder.flush()
            raise JobFailed(reason) from exc
        recorder.flush()
        version = register_model(job, dataset, result, settings)
        return {"model_version_id": version.id}

    @staticmethod
    def on_end(payload: dict, status: str, reason: str | None, result: dict | None) -> None:
        job = db.session.get(TrainingJob, payload["training_job_id"])
        if job is None:
            return
        last = Path(job.run_dir) / "weights" / "last.pt" if job.run_dir else None
        job.status, job.finished_at = status, utcnow()
        job.checkpoint = str(last) if last and last.is_file() else None
        if status == SUCCEEDED:
            job.error = None
        elif status == INTERRUPTED:
            job.error = f"{reason}. Resume it with POST /api/v1/training-jobs/{job.id}/resume"
        else:
            job.error = reason
