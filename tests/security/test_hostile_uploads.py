"""Hostile uploads, beyond tests/api/test_uploads.py and tests/e2e/test_analyses_api.py: a real decompression bomb
(a valid PNG that is small on disk and huge decoded), polyglots (a JPEG carrying a zip, a PNG carrying a web page),
clips over the pixel limit or without frames. Each is a clear 4xx in the error shape, leaves no file in the user's
folder and no row, and the app keeps serving. Also: security headers on every kind of response, no CORS header,
no stack trace in any error body."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import assert_error
from tests.helpers import _png_chunk, jpeg_bytes, png_bytes

API = "/api/v1"
ENDPOINTS = ["uploads", "analyses"]


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of `width` x `height` black pixels: a few hundred kB on disk, gigapixels decoded."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def zip_archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<script>alert(document.cookie)</script>")
    return buffer.getvalue()


def png_with_text_chunk(text: bytes) -> bytes:
    png = png_bytes()
    return png[:33] + _png_chunk(b"tEXt", b"Comment\x00" + text) + png[33:]


def clip(tmp_path: Path, width: int, height: int, frames: int) -> bytes:
    path = tmp_path / f"clip-{width}x{height}-{frames}.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (width, height))
    for _ in range(frames):
        writer.write(np.full((height, width, 3), 60, np.uint8))
    writer.release()
    return path.read_bytes()


def post(client, headers, endpoint: str, data: bytes, name: str):
    return client.post(f"{API}/{endpoint}", data={"file": (io.BytesIO(data), name)}, headers=headers)


def assert_nothing_kept(app, client, user):
    folder = Path(app.config["UPLOAD_DIR"]) / str(user["id"])
    assert not folder.exists() or sorted(p.name for p in folder.iterdir()) == []
    for endpoint in ENDPOINTS:
        assert client.get(f"{API}/{endpoint}", headers=user["headers"]).get_json()["total"] == 0


def assert_still_serving(client, user):
    assert client.get(f"{API}/health").status_code == 200
    assert post(client, user["headers"], "uploads", jpeg_bytes(), "fine.jpg").status_code == 201


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = png_bomb(20_000, 20_000)  # 400 megapixels, 10x the default limit
    assert len(data) < 1_000_000
    return data


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(app, client, user, bomb, endpoint):
    error = assert_error(post(client, user["headers"], endpoint, bomb, "bomb.png"), 413, "payload_too_large")
    assert error["details"]["max_pixels"] == app.config["MAX_IMAGE_PIXELS"]
    assert_nothing_kept(app, client, user)
    assert_still_serving(client, user)


POLYGLOTS = {
    "jpeg+zip": (jpeg_bytes() + zip_archive(), "holiday.jpg"),
    "png+html": (png_bytes() + b"<!doctype html><html><script>alert(1)</script></html>", "chart.png"),
    "png-with-html-chunk": (png_with_text_chunk(b"<html><body><script>alert(1)</script></body></html>"), "a.png"),
    "jpeg+pdf": (jpeg_bytes() + b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "scan.jpg"),
    "png+zip": (png_bytes() + zip_archive(), "b.png"),
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("kind", sorted(POLYGLOTS))
def test_a_polyglot_image_is_refused(app, client, user, endpoint, kind):
    data, name = POLYGLOTS[kind]
    error = assert_error(post(client, user["headers"], endpoint, data, name), 422, "invalid_media")
    assert error["details"]["reason"] in ("polyglot", "trailing_data")
    assert_nothing_kept(app, client, user)
    assert_still_serving(client, user)


def test_a_photo_with_an_ordinary_trailer_after_its_end_is_still_accepted(client, user):
    """Phones append their own data after a JPEG's end (motion photos carry an MP4): that is not refused."""
    trailer = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
    assert post(client, user["headers"], "uploads", jpeg_bytes() + trailer, "motion.jpg").status_code == 201


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_clip_over_the_pixel_limit_is_refused(app, client, user, tmp_path, endpoint, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMAGE_PIXELS", 20_000)
    data = clip(tmp_path, 16, 4000, frames=2)  # 64,000 pixels a frame, in a 1:250 frame
    assert_error(post(client, user["headers"], endpoint, data, "tall.mp4"), 413, "payload_too_large")
    assert_nothing_kept(app, client, user)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_clip_without_frames_is_refused(app, client, user, tmp_path, endpoint):
    data = clip(tmp_path, 320, 240, frames=0)
    assert_error(post(client, user["headers"], endpoint, data, "empty.mp4"), 422, "invalid_media")
    assert_nothing_kept(app, client, user)
    assert_still_serving(client, user)


def _responses(client, user, other_user):
    headers = user["headers"]
    upload_id = post(client, headers, "uploads", jpeg_bytes(), "me.jpg").get_json()["id"]
    return {
        "json": client.get(f"{API}/users/me", headers=headers),
        "list": client.get(f"{API}/uploads", headers=headers),
        "file": client.get(f"{API}/uploads/{upload_id}/content", headers=headers),
        "created": post(client, headers, "uploads", png_bytes(), "p.png"),
        "deleted": client.delete(f"{API}/uploads/{upload_id}", headers=headers),
        "public": client.get(f"{API}/exercises?per_page=1"),
        "docs": client.get(f"{API}/docs"),
        "spec": client.get(f"{API}/swagger.json"),
        "401": client.get(f"{API}/users/me"),
        "404": client.get(f"{API}/uploads/{upload_id}", headers=other_user["headers"]),
        "405": client.put(f"{API}/health"),
        "413": post(client, headers, "uploads", png_bytes(12_000, 10), "wide.png"),
        "415": post(client, headers, "uploads", b"<html>hello</html>", "x.jpg"),
        "422": client.get(f"{API}/uploads?per_page=0", headers=headers),
        "preflight": client.options(f"{API}/users/me", headers={"Origin": "https://evil.example",
                                                                "Access-Control-Request-Method": "GET"}),
    }  # fmt: skip


def test_every_response_carries_the_security_headers_and_no_cors(app, client, user, other_user):
    from api import SECURITY_HEADERS

    for name, response in _responses(client, user, other_user).items():
        for header, value in SECURITY_HEADERS.items():
            assert response.headers.get(header) == value, (name, header)
        assert response.headers.get("Content-Security-Policy"), name
        assert response.headers.get("Cache-Control") == "no-store", name
        cors = [h for h, _ in response.headers.items() if h.lower().startswith("access-control-")]
        assert cors == [], (name, cors)


def test_no_error_body_carries_a_stack_trace_or_internals(app, client, user, other_user, monkeypatch):
    from api.resources.health import Health

    def explode(self):
        raise RuntimeError("boom at /work/main/api/secret.py line 42 password=hunter2")

    monkeypatch.setattr(Health, "get", explode)
    responses = {**_responses(client, user, other_user), "500": client.get(f"{API}/health")}
    for name, response in responses.items():
        if response.status_code < 400:
            continue
        body = response.get_data(as_text=True)
        assert_error(response, response.status_code)
        for leak in ("Traceback", 'File "', "/work/", "site-packages", "hunter2", "sqlalchemy", "werkzeug"):
            assert leak not in body, (name, leak)
