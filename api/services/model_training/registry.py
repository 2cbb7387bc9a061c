"""Model registry: the model versions training produced, which one is active for recognition, and exports.

Activation lives in the database, and recognition asks for the active version on every request (one indexed
query: the cheap version stamp), so every gunicorn worker switches on its next request, with no restart; the
weights themselves are loaded once per worker and kept (`api.ml.active_model`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path

from sqlalchemy import select, update

from api.exceptions import InvalidInput, NotFound
from api.extensions import db
from api.ml.active_model import YoloClassifierRecognizer, load_recognizer
from api.models import ModelVersion
from api.models.base import utcnow

log = logging.getLogger("fitcoach.models")

EXPORT_FORMATS = ("pt", "onnx", "tflite")
EXPORT_NEEDS = {"tflite": "litert_torch"}  # Ultralytics exports TFLite (LiteRT) through litert-torch


def model_dict(version: ModelVersion) -> dict:
    metrics = dict(version.metrics or {})
    confusion = metrics.pop("confusion_matrix", None)
    return {
        "id": version.id,
        "name": version.name,
        "task": version.task,
        "class_names": version.class_names,
        "metrics": metrics,
        "confusion_matrix": confusion,
        "size_bytes": version.size_bytes,
        "inference_ms": version.inference_ms,
        "is_active": version.is_active,
        "activated_at": version.activated_at,
        "job_id": version.job_id,
        "dataset_id": version.dataset_id,
        "created_at": version.created_at,
        "formats": list(available_formats()),
    }


def activate(version: ModelVersion) -> ModelVersion:
    """Make this the owner's recognizer from their next request on, in every worker."""
    db.session.execute(
        update(ModelVersion)
        .where(ModelVersion.user_id == version.user_id, ModelVersion.id != version.id)
        .values(is_active=False)
    )
    version.is_active, version.activated_at = True, utcnow()
    db.session.commit()
    return version


def deactivate(version: ModelVersion) -> ModelVersion:
    """Go back to the shipped recognizer."""
    version.is_active = False
    db.session.commit()
    return version


def active_recognizer_for(user_id: int) -> tuple[int, str, str, list[str]] | None:
    """`(model_version_id, weights_path, task, class_names)` of the user's active model, or None for the shipped one."""
    row = db.session.execute(
        select(ModelVersion.id, ModelVersion.weights_path, ModelVersion.task, ModelVersion.class_names).where(
            ModelVersion.user_id == user_id, ModelVersion.is_active.is_(True)
        )
    ).first()
    return (row.id, row.weights_path, row.task, list(row.class_names)) if row else None


def recognizer_for_user(user_id: int) -> YoloClassifierRecognizer | None:
    """The loaded recognizer of the user's active model, or None when they use the shipped one."""
    active = active_recognizer_for(user_id)
    return load_recognizer(*active) if active else None


def available_formats() -> tuple[str, ...]:
    return tuple(fmt for fmt in EXPORT_FORMATS if fmt not in EXPORT_NEEDS or find_spec(EXPORT_NEEDS[fmt]))


@contextmanager
def _export_lock(folder: Path):
    fd = os.open(folder / ".export.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def export_path(version: ModelVersion, fmt: str) -> Path:
    """The weights in `fmt` (pt, onnx, tflite), exported on first request and kept beside the model."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(
            f"format must be one of {', '.join(EXPORT_FORMATS)}", details={"format": list(EXPORT_FORMATS)}
        )
    weights = Path(version.weights_path)
    if not weights.is_file():
        raise NotFound(f"the weights of model {version.id} are gone")
    if fmt == "pt":
        return weights
    if fmt not in available_formats():
        raise InvalidInput(
            f"{fmt} export needs the Python package {EXPORT_NEEDS[fmt]}, which this server does not have",
            code="format_unavailable",
            details={"available": list(available_formats())},
        )
    target = weights.with_suffix(f".{fmt}")
    with _export_lock(weights.parent):
        if not target.is_file():
            from ultralytics import YOLO

            imgsz = (version.metrics or {}).get("imgsz", 640)
            try:
                exported = Path(YOLO(str(weights), task=version.task).export(format=fmt, imgsz=imgsz, device="cpu"))
            except Exception as exc:  # weights that do not load or a graph the exporter cannot convert
                log.exception("model %s: %s export failed", version.id, fmt)
                raise InvalidInput(
                    f"model {version.id} could not be exported to {fmt}; download it as pt instead",
                    code="export_failed",
                    details={"format": fmt, "reason": exc.__class__.__name__},
                ) from exc
            if exported != target:
                shutil.move(exported, target)
    return target
