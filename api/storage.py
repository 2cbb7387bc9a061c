"""Where uploads and artefacts live: per-user folders, server-chosen names, type checked by content."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from api.exceptions import InvalidMedia, StorageFull, UnsupportedMedia
from api.processes import pid_alive

CHUNK_BYTES = 1024 * 1024
STAGED_PREFIX = ".staged"

IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}
VIDEO_TYPES = {"video/mp4": ".mp4", "video/quicktime": ".mov", "video/webm": ".webm"}
ARCHIVE_TYPES = {"application/zip": ".zip"}
KIND_TYPES = {"image": IMAGE_TYPES, "video": VIDEO_TYPES, "archive": ARCHIVE_TYPES}


def sniff_mime(head: bytes) -> str | None:
    """The MIME type told by a file's first bytes (magic numbers), or None when we do not accept it."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


def kind_of(mime: str) -> str:
    return next(kind for kind, types in KIND_TYPES.items() if mime in types)


def staged_name(suffix: str = "") -> str:
    """A name for a file not yet kept, tagged with this host and process so that a sweep can tell whose it was."""
    return f"{STAGED_PREFIX}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex}{suffix}"


@dataclass
class StoredFile:
    """A file in its user's folder, with what we learnt of it; `path` is the staged file until `keep`."""

    path: Path
    stored_name: str
    mime_type: str
    kind: str
    size_bytes: int
    sha256: str


class Storage:
    """Files under `<root>/<user_id>/`, named by the server; nothing survives a failed save."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def user_dir(self, user_id: int) -> Path:
        path = self.root / str(int(user_id))
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path_of(self, user_id: int, stored_name: str) -> Path:
        path = (self.root / str(int(user_id)) / stored_name).resolve()
        if path.parent != (self.root / str(int(user_id))).resolve():
            raise InvalidMedia("stored name escapes its folder")
        return path

    def save(self, user_id: int, stream: BinaryIO, allowed_kinds: set[str]) -> StoredFile:
        """Copy `stream` into the user's folder, check its type by content, and keep it under its final name."""
        return self.keep(self.stage(user_id, stream, allowed_kinds))

    def stage(self, user_id: int, stream: BinaryIO, allowed_kinds: set[str]) -> StoredFile:
        """Copy `stream` to a staged file in the user's folder and check its type by content; `keep` it, or
        `discard` it. A staged file whose process died (a killed worker) is removed by `sweep_orphans`."""
        folder = self.user_dir(user_id)
        partial = folder / staged_name()
        digest = hashlib.sha256()
        size = 0
        head = b""
        try:
            with open(partial, "wb") as out:
                while chunk := stream.read(CHUNK_BYTES):
                    if len(head) < 16:
                        head += chunk[: 16 - len(head)]
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if size == 0:
                raise InvalidMedia("the file is empty")
            mime = sniff_mime(head)
            allowed = {m: ext for kind in allowed_kinds for m, ext in KIND_TYPES[kind].items()}
            if mime not in allowed:
                raise UnsupportedMedia(
                    "the file's content is not an accepted type",
                    details={"accepted": sorted(allowed)},
                )
            stored_name = f"{uuid.uuid4().hex}{allowed[mime]}"
            typed = partial.with_name(partial.name + allowed[mime])  # decoders may go by the extension
            os.replace(partial, typed)
            partial = typed
        except OSError as exc:
            partial.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull("the server's disk is full; try again later") from exc
            raise
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredFile(partial, stored_name, mime, kind_of(mime), size, digest.hexdigest())

    def keep(self, staged: StoredFile) -> StoredFile:
        """Give a staged file its final name."""
        final = staged.path.with_name(staged.stored_name)
        os.replace(staged.path, final)
        staged.path = final
        return staged

    def discard(self, staged: StoredFile) -> None:
        staged.path.unlink(missing_ok=True)

    def sweep_orphans(self) -> int:
        """Remove staged files left by processes of this host that died (a worker killed mid-request)."""
        host = socket.gethostname()
        removed = 0
        for path in self.root.glob(f"*/{STAGED_PREFIX}-{host}-*"):
            pid = path.name[len(f"{STAGED_PREFIX}-{host}-") :].split("-", 1)[0]
            if pid.isdigit() and not pid_alive(int(pid)):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def delete(self, user_id: int, stored_name: str) -> None:
        path = self.path_of(user_id, stored_name)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
