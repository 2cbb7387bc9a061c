"""Datasets service: take a zip upload, have it checked and unpacked into the owner's folder, record its report.

Files live under `$FITCOACH_DATA_DIR/datasets/<user_id>/<dataset_id>/`; a refused archive leaves nothing behind.
"""

from __future__ import annotations

import errno
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from api.exceptions import Conflict, InvalidMedia, PayloadTooLarge, StorageFull, UnsupportedMedia
from api.extensions import db
from api.ml.datasets import import_dataset
from api.ml.datasets.problems import DatasetLimits
from api.models import Dataset, TrainingJob, User
from api.storage import CHUNK_BYTES, sniff_mime
from api.vocabulary import ACTIVE_STATUSES

MAX_NAME_LENGTH = 100


def dataset_limits(config) -> DatasetLimits:
    return DatasetLimits(
        max_files=config["DATASET_MAX_FILES"],
        max_unpacked_bytes=config["DATASET_MAX_UNPACKED_MB"] * 2**20,
        max_compression_ratio=config["DATASET_MAX_COMPRESSION_RATIO"],
        max_image_pixels=config["MAX_IMAGE_PIXELS"],
        val_fraction=config["DATASET_VAL_PERCENT"] / 100,
        split_seed=config["DATASET_SPLIT_SEED"],
    )


def user_folder(config, user_id: int) -> Path:
    return Path(config["DATASET_DIR"]) / str(int(user_id))


def dataset_path(config, dataset: Dataset) -> Path:
    """The dataset's folder, always a sub-folder of the datasets root."""
    root = Path(config["DATASET_DIR"]).resolve()
    path = (root / dataset.folder).resolve()
    if root not in path.parents:
        raise RuntimeError(f"dataset {dataset.id} has no folder of its own")
    return path


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _save_archive(stream: BinaryIO, target: Path, max_bytes: int) -> None:
    size = 0
    head = b""
    with open(target, "wb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            head = head or chunk[:16]
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"the archive is over the limit of {max_bytes // 2**20} MiB")
            out.write(chunk)
    if size == 0:
        raise InvalidMedia("the file is empty")
    if sniff_mime(head) != "application/zip":
        raise UnsupportedMedia("a dataset must be a zip archive", details={"accepted": ["application/zip"]})


def _name_for(name: str | None, filename: str | None) -> str:
    chosen = (name or "").strip() or Path(filename or "").stem.strip() or "dataset"
    return chosen[:MAX_NAME_LENGTH]


def create_dataset(config, user: User, stream: BinaryIO, filename: str | None, name: str | None) -> Dataset:
    """Check and unpack a zip into a new dataset of `user`; `InvalidDataset` lists the problems when refused."""
    root = user_folder(config, user.id)
    root.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    archive, staging = root / f".upload-{token}.zip", root / f".staging-{token}"
    final = None
    try:
        _save_archive(stream, archive, config["DATASET_MAX_UPLOAD_MB"] * 2**20)
        report = import_dataset(archive, staging, dataset_limits(config))
        dataset = Dataset(
            user_id=user.id,
            name=_name_for(name, filename),
            task=report.task,
            layout=report.layout,
            folder="",
            class_names=report.class_names,
            image_count=report.image_count,
            size_bytes=_folder_bytes(staging),
            report=report.to_dict(),
        )
        db.session.add(dataset)
        db.session.flush()
        final = root / str(dataset.id)
        if final.exists():  # left by a row deleted long ago: no live row owns a fresh id's folder
            shutil.rmtree(final)
        staging.rename(final)
        dataset.folder = f"{user.id}/{dataset.id}"
        db.session.commit()
        return dataset
    except OSError as exc:
        _discard(staging, final)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull("the server's disk is full; try again later") from exc
        raise
    except BaseException:
        _discard(staging, final)
        raise
    finally:
        archive.unlink(missing_ok=True)


def _discard(staging: Path, final: Path | None) -> None:
    db.session.rollback()
    shutil.rmtree(staging, ignore_errors=True)
    if final is not None:
        shutil.rmtree(final, ignore_errors=True)


def delete_dataset(config, dataset: Dataset) -> None:
    """Delete a dataset and its files; refused while a training job still needs it."""
    busy = db.session.scalar(
        select(TrainingJob.id).where(TrainingJob.dataset_id == dataset.id, TrainingJob.status.in_(ACTIVE_STATUSES))
    )
    if busy is not None:
        raise Conflict(f"training job {busy} still uses this dataset; cancel it first", details={"job_id": busy})
    folder = dataset_path(config, dataset)
    db.session.delete(dataset)
    db.session.commit()
    shutil.rmtree(folder, ignore_errors=True)
