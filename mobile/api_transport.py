"""What the app client keeps and sends besides JSON: the tokens in a file of mode 0600, and a multipart upload
streamed in chunks with its progress reported."""

from __future__ import annotations

import json
import mimetypes
import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

CHUNK = 64 * 1024

ProgressCallback = Callable[[int, int], None]


class TokenStore:
    """Access and refresh tokens plus the signed-in account, in a JSON file of mode 0600."""

    def __init__(self, path: str | os.PathLike | None):
        self.path = Path(path) if path else None
        self.data: dict = {}
        self._lock = threading.Lock()
        if self.path and self.path.exists():
            try:
                self.data = json.loads(self.path.read_text())
            except (OSError, ValueError):
                self.data = {}

    @property
    def access(self) -> str | None:
        return self.data.get("access_token")

    @property
    def refresh(self) -> str | None:
        return self.data.get("refresh_token")

    @property
    def user(self) -> dict | None:
        return self.data.get("user")

    def update(self, **values) -> None:
        with self._lock:
            self.data.update({k: v for k, v in values.items() if v is not None})
            self._save()

    def clear(self) -> None:
        with self._lock:
            self.data = {}
            if self.path and self.path.exists():
                self.path.unlink()

    def _save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self.data, handle)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)


class _ProgressBody:
    """A multipart body read in chunks, reporting bytes sent to a callback (requests streams file-likes)."""

    def __init__(self, head: bytes, path: Path, tail: bytes, callback: ProgressCallback | None):
        self.parts = [head, path, tail]
        self.total = len(head) + path.stat().st_size + len(tail)
        self.sent = 0
        self.callback = callback
        self._file = None
        self._index = 0

    def __len__(self) -> int:
        return self.total

    def read(self, size: int = -1) -> bytes:
        size = CHUNK if size is None or size < 0 else size
        while self._index < len(self.parts):
            part = self.parts[self._index]
            if isinstance(part, Path):
                if self._file is None:
                    self._file = part.open("rb")
                chunk = self._file.read(size)
                if not chunk:
                    self._file.close()
                    self._index += 1
                    continue
            else:
                chunk, self._index = part, self._index + 1
                if not chunk:
                    continue
            self.sent += len(chunk)
            if self.callback:
                self.callback(self.sent, self.total)
            return chunk
        return b""

    def close(self) -> None:
        if self._file:
            self._file.close()


def _multipart(path: Path, fields: dict[str, str], callback: ProgressCallback | None) -> tuple[_ProgressBody, str]:
    boundary = uuid.uuid4().hex
    head = b""
    for name, value in fields.items():
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )  # fmt: skip
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    safe_name = path.name.replace('"', "_")
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
        f"Content-Type: {mime}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return _ProgressBody(head, path, tail, callback), f"multipart/form-data; boundary={boundary}"
