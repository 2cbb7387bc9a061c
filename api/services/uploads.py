"""Uploads service: save a file under its owner's folder, check it by content, record it."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from api.exceptions import InvalidMedia, PayloadTooLarge
from api.extensions import db
from api.ml.images import check_image
from api.models import Upload, User
from api.storage import Storage, StoredFile


@dataclass(frozen=True)
class UploadLimits:
    max_image_pixels: int
    max_clip_seconds: int


# What a client could be tricked into reading out of a file we serve back as a photo: web pages and scripts
# (case-insensitive) and archives or PDFs (exact).
MARKUP = (b"<html", b"<script", b"<!doctype html", b"<svg", b"<?php", b"<iframe", b"<body")
ARCHIVES = {
    b"PK\x03\x04": "zip",
    b"PK\x05\x06": "zip",
    b"Rar!\x1a\x07": "rar",
    b"7z\xbc\xaf\x27\x1c": "7z",
    b"%PDF-": "pdf",
}
FOREIGN = (*ARCHIVES, *MARKUP)
PNG_TEXT_CHUNKS = {b"tEXt", b"iTXt"}


def _png_parts(data: bytes) -> tuple[list[bytes], int | None]:
    """A PNG's text chunks and where its IEND chunk ends (None when its chunks do not lead there)."""
    texts, at = [], 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        if kind in PNG_TEXT_CHUNKS:
            texts.append(data[at + 8 : at + 8 + length])
        at += 12 + length
        if kind == b"IEND":
            return texts, at if at <= len(data) else None
    return texts, None


def _jpeg_parts(data: bytes) -> tuple[list[bytes], int | None]:
    """A JPEG's metadata segments (APPn, COM) and where its EOI marker ends (None when its segments do not lead
    there). Entropy-coded data is skipped: inside it a 0xFF byte is always stuffed or a restart marker."""
    metadata, at, size = [], 2, len(data)
    while at + 2 <= size:
        if data[at] != 0xFF:
            return metadata, None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:
            return metadata, at + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            at += 2
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            metadata.append(data[at + 4 : at + 2 + length])
        at += 2 + length
        if marker == 0xDA:  # a scan: its data runs to the next marker that is not a restart
            while (at := data.find(b"\xff", at)) != -1 and at + 1 < size:
                following = data[at + 1]
                if following != 0x00 and not 0xD0 <= following <= 0xD7:
                    break
                at += 2
            else:
                return metadata, None
    return metadata, None


def _carries(blob: bytes, signatures: tuple[bytes, ...]) -> bytes | None:
    lowered = blob.lower()
    return next((s for s in signatures if (s.lower() in lowered if s in MARKUP else s in blob)), None)


def refuse_polyglot(path: Path, mime: str) -> None:
    """Refuse a photo that is also something else: a PNG with anything after its end, or a photo carrying an
    archive, a PDF or a web page after its end or a web page in its metadata. Only the parts outside the pixel data
    are searched, so that compressed pixels never match by chance. Other bytes after a JPEG's end are allowed:
    phones put their own data there (a motion photo's clip)."""
    data = path.read_bytes()
    metadata, end = (_png_parts if mime == "image/png" else _jpeg_parts)(data)
    if end is not None and mime == "image/png" and end != len(data):
        raise InvalidMedia("the PNG has data after its end", details={"reason": "trailing_data"})
    # an end this parser cannot find (the decoder accepted the image): only the metadata is searched then
    trailer = data[end:] if end is not None else b""
    found = _carries(trailer, FOREIGN) or next(filter(None, (_carries(m, MARKUP) for m in metadata)), None)
    if found:
        raise InvalidMedia(
            "the photo also carries another kind of file",
            details={"reason": "polyglot", "carries": ARCHIVES.get(found, "web page")},
        )


def inspect_stored(stored: StoredFile, limits: UploadLimits) -> dict:
    """Decode the stored file enough to trust it; returns its dimensions and duration."""
    if stored.kind == "image":
        width, height = check_image(stored.path, limits.max_image_pixels)
        refuse_polyglot(stored.path, stored.mime_type)
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


def stage_upload(
    storage: Storage, user: User, stream: BinaryIO, original_name: str | None, kinds: set[str], limits: UploadLimits
) -> tuple[Upload, StoredFile]:
    """Stage and validate one upload: its row (not yet added) and its staged file; nothing is kept when refused."""
    stored = storage.stage(user.id, stream, kinds)
    try:
        facts = inspect_stored(stored, limits)
    except BaseException:
        storage.discard(stored)
        raise
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
    return upload, stored


def keep_upload(storage: Storage, upload: Upload, stored: StoredFile) -> Upload:
    """Give the staged file its name and commit the upload."""
    storage.keep(stored)
    try:
        db.session.add(upload)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        stored.path.unlink(missing_ok=True)
        raise
    return upload


def store_upload(
    storage: Storage, user: User, stream: BinaryIO, original_name: str | None, kinds: set[str], limits: UploadLimits
) -> Upload:
    """Save and validate one upload; nothing is left behind when it is refused."""
    upload, stored = stage_upload(storage, user, stream, original_name, kinds, limits)
    return keep_upload(storage, upload, stored)


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
