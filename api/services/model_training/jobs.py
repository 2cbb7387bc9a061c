"""Training jobs service: check a request against limits and quotas, queue it, report its progress, metrics and
charts, cancel and resume it. The training itself runs in a worker process (`api.services.model_training.worker`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from api import jobs
from api.charts.training import chart_names, training_chart
from api.exceptions import Conflict, InvalidInput, NotFound, QuotaExceeded
from api.extensions import db
from api.ml.training import DEFAULT_IMGSZ, STARTS, TASKS, default_settings
from api.models import Dataset, EpochMetric, ModelVersion, TrainingJob, User
from api.models.base import as_utc, utcnow
from api.ownership import get_owned
from api.validation import number_in
from api.vocabulary import ACTIVE_STATUSES, INTERRUPTED, QUEUED, RUNNING

# a request's `weights` is the training's start
DEFAULTS = {("weights" if name == "start" else name): value for name, value in default_settings().items()}
FIELDS = frozenset({"dataset_id", "task", "weights", "model_id", "epochs", "imgsz", "batch", "patience", "seed"})
IMGSZ_STEP = 32
MIN_IMGSZ = 32
MAX_SEED = 2**31 - 1
CONFUSION_KEY = "confusion_matrix"


@dataclass(frozen=True)
class TrainingLimits:
    max_epochs: int
    max_imgsz: int
    max_batch: int
    user_active_jobs: int
    user_max_epoch_images: int

    @classmethod
    def from_config(cls, config) -> TrainingLimits:
        return cls(
            max_epochs=config["TRAINING_MAX_EPOCHS"],
            max_imgsz=config["TRAINING_MAX_IMGSZ"],
            max_batch=config["TRAINING_MAX_BATCH"],
            user_active_jobs=config["TRAINING_USER_ACTIVE_JOBS"],
            user_max_epoch_images=config["TRAINING_USER_MAX_EPOCH_IMAGES"],
        )


def parse_request(body: dict, limits: TrainingLimits) -> dict:
    """The request's training parameters with defaults, or `InvalidInput` naming every bad field."""
    errors = {name: "unknown field" for name in sorted(set(body) - FIELDS)}
    values = {**DEFAULTS, **body}
    params = {
        "dataset_id": number_in(errors, "dataset_id", body.get("dataset_id"), 1, MAX_SEED, whole=True, required=True),
        "epochs": number_in(errors, "epochs", values["epochs"], 1, limits.max_epochs, whole=True),
        "batch": number_in(errors, "batch", values["batch"], 1, limits.max_batch, whole=True),
        "patience": number_in(errors, "patience", values["patience"], 0, limits.max_epochs, whole=True),
        "seed": number_in(errors, "seed", values["seed"], 0, MAX_SEED, whole=True),
        "imgsz": number_in(errors, "imgsz", body.get("imgsz"), MIN_IMGSZ, limits.max_imgsz, whole=True),
        "task": body.get("task"),
        "weights": values["weights"],
        "model_id": None,
    }
    if params["imgsz"] is not None and params["imgsz"] % IMGSZ_STEP:
        errors["imgsz"] = f"must be a multiple of {IMGSZ_STEP}"
    if params["task"] is not None and params["task"] not in TASKS:
        errors["task"] = f"must be one of {', '.join(TASKS)}"
    if params["weights"] not in STARTS:
        errors["weights"] = f"must be one of {', '.join(STARTS)} (pose: the yolo11n-pose backbone)"
    elif params["weights"] == "model":
        params["model_id"] = number_in(errors, "model_id", body.get("model_id"), 1, MAX_SEED, whole=True, required=True)
    if errors:
        raise InvalidInput("the training request has invalid values", details=errors)
    return params


def check_quota(user: User, train_images: int, epochs: int, limits: TrainingLimits) -> None:
    """Admins always pass; users may have a few active jobs and a cap on epochs x training images."""
    if user.is_admin:
        return
    active = db.session.scalar(
        select(func.count(TrainingJob.id)).where(
            TrainingJob.user_id == user.id, TrainingJob.status.in_(ACTIVE_STATUSES)
        )
    )
    if active >= limits.user_active_jobs:
        raise QuotaExceeded(
            f"you already have {active} training job(s) queued or running; wait for it to end or cancel it",
            details={"active_jobs": active, "limit": limits.user_active_jobs},
        )
    cost = epochs * train_images
    if cost > limits.user_max_epoch_images:
        raise QuotaExceeded(
            f"{epochs} epochs x {train_images} training images = {cost:,} is over your quota of "
            f"{limits.user_max_epoch_images:,} image-epochs; ask for fewer epochs",
            details={"epoch_images": cost, "limit": limits.user_max_epoch_images},
        )


def _train_images(dataset: Dataset) -> int:
    return int(((dataset.report or {}).get("splits") or {}).get("train", {}).get("images", dataset.image_count))


def start_training(config, user: User, body: dict) -> TrainingJob:
    """Check and queue a training job of `user`."""
    limits = TrainingLimits.from_config(config)
    params = parse_request(body, limits)
    dataset = get_owned(Dataset, user, params["dataset_id"])
    task = params["task"] or dataset.task
    if task != dataset.task:
        raise InvalidInput(
            f"dataset {dataset.id} is a {dataset.task} dataset; it cannot train a {task} model",
            details={"task": f"must be {dataset.task} for this dataset"},
        )
    if params["weights"] == "model":
        start = get_owned(ModelVersion, user, params["model_id"])
        if start.task != task:
            raise InvalidInput(
                f"model {start.id} is a {start.task} model; it cannot start a {task} training",
                details={"model_id": f"must be a {task} model"},
            )
    params |= {"task": task, "imgsz": params["imgsz"] or DEFAULT_IMGSZ[task], "class_names": dataset.class_names}
    check_quota(user, _train_images(dataset), params["epochs"], limits)
    job = TrainingJob(
        user_id=user.id, dataset_id=dataset.id, task=task, params=params, status=QUEUED, epoch=0,
        epochs=params["epochs"],
    )  # fmt: skip
    db.session.add(job)
    db.session.flush()
    job.run_dir = str(Path(config["ARTIFACT_DIR"]) / "training" / str(user.id) / str(job.id))
    db.session.commit()
    _queue(job, resume=False)
    return job


def _queue(job: TrainingJob, *, resume: bool) -> None:
    queued = jobs.submit("training", {"training_job_id": job.id, "resume": resume}, user_id=job.user_id)
    job.queue_task_id = str(queued.id)
    db.session.commit()


def get_own_job(user: User, job_id: int) -> TrainingJob:
    """The user's training job with its status brought up to date."""
    return refresh(get_owned(TrainingJob, user, job_id))


def refresh(job: TrainingJob) -> TrainingJob:
    """Settle a job whose worker was lost (it becomes interrupted), so that nothing stays running forever."""
    if job.status in ACTIVE_STATUSES and job.queue_task_id:
        try:
            jobs.get_job(int(job.queue_task_id))
        except NotFound:
            job.status, job.error = INTERRUPTED, "its entry in the job queue is gone; resume it to run it again"
            db.session.commit()
        db.session.refresh(job)
    return job


def _epoch_rows(job: TrainingJob) -> list[EpochMetric]:
    return db.session.scalars(select(EpochMetric).where(EpochMetric.job_id == job.id).order_by(EpochMetric.epoch)).all()


def _model_version(job: TrainingJob) -> ModelVersion | None:
    return db.session.scalar(select(ModelVersion).where(ModelVersion.job_id == job.id))


def job_summary(job: TrainingJob) -> dict:
    """What a list shows: status and progress."""
    return {
        "id": job.id,
        "status": job.status,
        "task": job.task,
        "dataset_id": job.dataset_id,
        "epoch": job.epoch,
        "epochs": job.epochs,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def _elapsed_s(job: TrainingJob) -> float | None:
    started = as_utc(job.started_at)
    if started is None:
        return None
    end = as_utc(job.finished_at) if job.status not in ACTIVE_STATUSES and job.finished_at else utcnow()
    return round(max(0.0, (end - started).total_seconds()), 1)


def job_detail(job: TrainingJob) -> dict:
    """Status, epoch k of N, elapsed and remaining time, the latest metrics, the log's last lines, the reason."""
    rows = _epoch_rows(job)
    latest = rows[-1] if rows else None
    epoch_times = [row.metrics.get("epoch_s") for row in rows if row.metrics.get("epoch_s")]
    eta_s = None
    if job.status == RUNNING and epoch_times:
        eta_s = round(sum(epoch_times) / len(epoch_times) * max(0, job.epochs - job.epoch), 1)
    version = _model_version(job)
    return {
        **job_summary(job),
        "progress": f"epoch {job.epoch} of {job.epochs}",
        "params": {k: v for k, v in job.params.items() if k != "class_names"},
        "class_names": job.params.get("class_names", []),
        "started_at": job.started_at,
        "elapsed_s": _elapsed_s(job),
        "eta_s": eta_s,
        "latest_metrics": {k: v for k, v in latest.metrics.items() if k != CONFUSION_KEY} if latest else None,
        "log_tail": (job.log_tail or "").splitlines(),
        "reason": job.error,
        "cancel_requested": job.cancel_requested,
        "checkpoint_kept": bool(job.checkpoint),
        "resumable": job.status == INTERRUPTED and job.dataset_id is not None,
        "model_version_id": version.id if version else None,
        "charts": list(chart_names(job.task)),
    }


def metrics_series(job: TrainingJob) -> dict:
    """The per-epoch series, one list per metric aligned with `epochs`, and the latest confusion matrix."""
    rows = _epoch_rows(job)
    names: list[str] = []
    for row in rows:
        names += [name for name in row.metrics if name != CONFUSION_KEY and name not in names]
    confusion = next(
        (
            {"epoch": row.epoch, "matrix": row.metrics[CONFUSION_KEY]}
            for row in reversed(rows)
            if CONFUSION_KEY in row.metrics
        ),
        None,
    )
    version = _model_version(job)
    final = dict(version.metrics) if version else None
    if confusion is None and final and final.get(CONFUSION_KEY):
        confusion = {"epoch": "best", "matrix": final[CONFUSION_KEY]}
    if final:
        final.pop(CONFUSION_KEY, None)
    return {
        "job_id": job.id,
        "task": job.task,
        "class_names": job.params.get("class_names", []),
        "epochs": [row.epoch for row in rows],
        "series": {name: [row.metrics.get(name) for row in rows] for name in names},
        "confusion_matrix": confusion,
        "final": final,
    }


def chart_png(job: TrainingJob, name: str) -> bytes:
    """One chart of the job as PNG; the names depend on the task."""
    if name not in chart_names(job.task):
        raise NotFound(f"no chart {name!r} for a {job.task} job", details={"charts": list(chart_names(job.task))})
    data = metrics_series(job)
    confusion = data["confusion_matrix"]["matrix"] if data["confusion_matrix"] else None
    return training_chart(name, job.task, data["epochs"], data["series"], data["class_names"], confusion)


def cancel_training(job: TrainingJob) -> TrainingJob:
    """Cancel a queued job now, or ask a running one to stop when its epoch ends (keeping its checkpoint)."""
    if job.status not in ACTIVE_STATUSES:
        raise Conflict(f"the training job is already {job.status}", details={"status": job.status})
    jobs.cancel(int(job.queue_task_id))
    db.session.refresh(job)
    if job.status == RUNNING:
        job.cancel_requested = True
        db.session.commit()
    return job


def resume_training(config, user: User, job: TrainingJob) -> TrainingJob:
    """Queue an interrupted job again, from its last checkpoint when it has one."""
    if job.status != INTERRUPTED:
        raise Conflict(
            f"only an interrupted job can be resumed; this one is {job.status}", details={"status": job.status}
        )
    dataset = db.session.get(Dataset, job.dataset_id) if job.dataset_id else None
    if dataset is None:
        raise Conflict("the job's dataset was deleted; start a new job")
    resume = bool(job.checkpoint and Path(job.checkpoint).is_file())
    check_quota(
        user, _train_images(dataset), job.epochs - (job.epoch if resume else 0), TrainingLimits.from_config(config)
    )
    job.status, job.error, job.finished_at, job.cancel_requested = QUEUED, None, None, False
    db.session.commit()
    _queue(job, resume=resume)
    return job
