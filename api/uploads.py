"""Uploads service: save a file under its owner's folder, check it by content, record it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from api.exceptions import InvalidMedia, PayloadTooLarge
from api.extensions import db
from api.models import Upload, User
from api.ownership import get_owned
from api.storage import Storage, StoredFile, check_image


@dataclass(frozen=True)
class UploadLimits:
    max_image_pixels: int
    max_clip_seconds: int


def inspect_stored(stored: StoredFile, limits: UploadLimits) -> dict:
    """Decode the stored file enough to trust it; returns its dimensions and duration."""
    if stored.kind == "image":
        width, height = check_image(stored.path, limits.max_image_pixels)
        return {"width": width, "height": height}
    if stored.kind == "video":
        from api.ml.video import probe_video

        info = probe_video(stored.path)
        if info.width * info.height > limits.max_image_pixels:
            raise PayloadTooLarge(f"clip frames of {info.width}x{info.height} are over the pixel limit")
        if info.duration_s > limits.max_clip_seconds:
            raise PayloadTooLarge(
                f"the clip lasts {info.duration_s:.0f} s; the limit is {limits.max_clip_seconds} s",
                details={"duration_s": round(info.duration_s, 1), "max_seconds": limits.max_clip_seconds},
            )
        return {"width": info.width, "height": info.height, "duration_s": round(info.duration_s, 3)}
    return {}


def store_upload(
    storage: Storage, user: User, stream: BinaryIO, original_name: str | None, kinds: set[str], limits: UploadLimits
) -> Upload:
    """Save and validate one upload; nothing is left behind when it is refused."""
    stored = storage.save(user.id, stream, kinds)
    try:
        facts = inspect_stored(stored, limits)
        upload = Upload(
            user_id=user.id,
            kind=stored.kind,
            mime_type=stored.mime_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            stored_name=stored.stored_name,
            original_name=(Path(original_name).name[:255] if original_name else None),
            **facts,
        )
        db.session.add(upload)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        stored.path.unlink(missing_ok=True)
        raise
    return upload


def get_own_upload(user: User, upload_id: int) -> Upload:
    return get_owned(Upload, user, upload_id, "upload")


def own_uploads_query(user: User, kind: str | None = None):
    statement = select(Upload).where(Upload.user_id == user.id).order_by(Upload.id.desc())
    if kind:
        statement = statement.where(Upload.kind == kind)
    return statement


def delete_upload(storage: Storage, upload: Upload) -> None:
    db.session.delete(upload)
    db.session.commit()
    storage.delete(upload.user_id, upload.stored_name)


def require_file(files) -> tuple[BinaryIO, str | None]:
    """The multipart field `file`, or a clear error."""
    file = files.get("file")
    if file is None:
        raise InvalidMedia("send the file as the multipart form field 'file'", code="missing_file")
    return file.stream, file.filename
