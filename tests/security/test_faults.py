"""Faults: the database going away (503 in the error shape, and back to normal without a restart once it returns)
and a full disk (507, nothing half-written, no row).

The outage is real, not a mock: a fresh PostgreSQL database is reached through a TCP proxy run by the test, and
the proxy is cut (every connection closed, new ones refused) and restored. The machine's PostgreSQL service is
never touched. Skipped when no PostgreSQL answers on 127.0.0.1:5432 (set FAULT_PG_* to point elsewhere)."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import socket
import threading
import uuid
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, assert_error
from tests.helpers import jpeg_bytes
from tests.shapes import classification_files, zip_bytes

API = "/api/v1"
PG_HOST = os.environ.get("FAULT_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("FAULT_PG_PORT", "5432"))
PG_USER = os.environ.get("FAULT_PG_USER", "postgres")


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the database; `cut` closes every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                self._close(end)

    def _close(self, end: socket.socket) -> None:
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()
        with self.lock:
            self.sockets.discard(end)

    def cut(self) -> None:
        self._close(self.listener)  # shutdown wakes the thread blocked in accept(); close alone would not
        with self.lock:
            ends = list(self.sockets)
        for end in ends:
            self._close(end)


def _admin_connection():
    psycopg2 = pytest.importorskip("psycopg2")
    try:
        connection = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no PostgreSQL on {PG_HOST}:{PG_PORT}: {exc}")
    connection.autocommit = True
    return connection


@pytest.fixture
def postgres_database():
    """A fresh database of this test's own, dropped afterwards."""
    name = f"fitcoach_fault_{uuid.uuid4().hex[:12]}"
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def proxied_app(postgres_database, tmp_path, monkeypatch):
    """An app of its own on that database through the proxy, with its own data folder and no job runner."""
    from flask_migrate import upgrade

    from api import create_app, jobs
    from api.config import TestingConfig
    from api.extensions import db

    proxy = TcpProxy((PG_HOST, PG_PORT))
    monkeypatch.setenv("FITCOACH_DATA_DIR", str(tmp_path))
    url = f"postgresql+psycopg2://{PG_USER}@127.0.0.1:{proxy.port}/{postgres_database}"
    app = create_app(TestingConfig(), SQLALCHEMY_DATABASE_URI=url)
    runner = jobs.engine(app)  # its dispatcher would poll the database through the proxy: not started here
    hooks = app.before_request_funcs[None]
    hooks[:] = [hook for hook in hooks if getattr(hook, "__self__", None) is not runner]
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    with app.app_context():
        upgrade()
    yield app, proxy
    proxy.cut()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _sign_in(client) -> dict:
    body = {"email": "outage@example.com", "password": PASSWORD, "name": "Outage"}
    assert client.post(f"{API}/auth/register", json=body).status_code == 201
    token = client.post(f"{API}/auth/login", json=body).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.postgres
def test_a_database_outage_is_503_and_service_comes_back_without_a_restart(proxied_app):
    app, proxy = proxied_app
    client = app.test_client()
    headers = _sign_in(client)
    assert client.get(f"{API}/users/me", headers=headers).status_code == 200
    assert client.post(f"{API}/body-metrics", json={"weight_kg": 70}, headers=headers).status_code == 201

    proxy.cut()
    for response in (
        client.get(f"{API}/users/me", headers=headers),
        client.get(f"{API}/body-metrics", headers=headers),
        client.post(f"{API}/body-metrics", json={"weight_kg": 71}, headers=headers),
        client.post(f"{API}/auth/login", json={"email": "outage@example.com", "password": PASSWORD}),
    ):
        error = assert_error(response, 503, "database_unavailable")
        assert "psycopg2" not in response.get_data(as_text=True) and error["request_id"]
    health = client.get(f"{API}/health")
    assert health.status_code == 200 and health.get_json()["database"] is False
    assert health.get_json()["status"] == "degraded"

    proxy.restore()
    assert client.get(f"{API}/users/me", headers=headers).status_code == 200
    assert client.post(f"{API}/body-metrics", json={"weight_kg": 72}, headers=headers).status_code == 201
    weights = [m["weight_kg"] for m in client.get(f"{API}/body-metrics", headers=headers).get_json()["items"]]
    assert sorted(weights) == [70, 72]  # the write refused during the outage left nothing
    assert client.get(f"{API}/health").get_json()["database"] is True


class _FullDisk(io.RawIOBase):
    """A file that takes the first `room` bytes and then fails like a full disk."""

    def __init__(self, real, room: int):
        self.real, self.room = real, room

    def write(self, data) -> int:
        if len(data) > self.room:
            self.real.write(bytes(data[: self.room]))
            self.real.flush()
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.real.write(data)

    def close(self) -> None:
        self.real.close()
        super().close()

    def writable(self) -> bool:
        return True


def full_disk(monkeypatch, module, room: int = 100) -> None:
    """Writes through `open(..., "wb")` in `module` fail with ENOSPC after `room` bytes."""
    real_open = open

    def fake_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return _FullDisk(handle, room) if "w" in mode and "b" in mode else handle

    monkeypatch.setattr(module, "open", fake_open, raising=False)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize("endpoint", ["uploads", "analyses"])
def test_a_full_disk_is_507_and_leaves_no_half_written_file(app, client, user, monkeypatch, endpoint):
    import api.storage

    full_disk(monkeypatch, api.storage)
    response = client.post(f"{API}/{endpoint}", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg")},
                           headers=user["headers"])  # fmt: skip
    assert_error(response, 507, "insufficient_storage")
    assert files_under(Path(app.config["UPLOAD_DIR"]) / str(user["id"])) == []
    for name in ("uploads", "analyses"):
        assert client.get(f"{API}/{name}", headers=user["headers"]).get_json()["total"] == 0
    monkeypatch.undo()
    ok = client.post(f"{API}/uploads", data={"file": (io.BytesIO(jpeg_bytes()), "a.jpg")}, headers=user["headers"])
    assert ok.status_code == 201


@pytest.mark.parametrize("stage", ["saving the zip", "unpacking it"])
def test_a_full_disk_while_taking_a_dataset_is_507_and_leaves_nothing(app, client, user, monkeypatch, stage):
    import api.ml.datasets
    import api.services.model_training.datasets

    full_disk(monkeypatch, api.services.model_training.datasets if stage == "saving the zip" else api.ml.datasets)
    archive = zip_bytes(classification_files(per_class=4))
    response = client.post(f"{API}/datasets", data={"file": (io.BytesIO(archive), "shapes.zip")},
                           headers=user["headers"])  # fmt: skip
    assert_error(response, 507, "insufficient_storage")
    folder = Path(app.config["DATASET_DIR"]) / str(user["id"])
    assert files_under(folder) == [] and (not folder.exists() or list(folder.iterdir()) == [])
    assert client.get(f"{API}/datasets", headers=user["headers"]).get_json()["total"] == 0
