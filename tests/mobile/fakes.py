"""Fakes for the app's live coaching tests: Kivy's camera provider and its textures, a camera of ready frames, and a
client and a socket that answer like the server."""

from __future__ import annotations

import numpy as np

from mobile import api_client as api
from mobile.camera import Frame


class FakeTexture:
    def __init__(self, image: np.ndarray):
        """A texture showing a BGR image: RGBA pixels, rows bottom to top, as `Texture.pixels` gives them."""
        height, width = image.shape[:2]
        rgba = np.dstack([image[..., ::-1], np.full((height, width), 255, np.uint8)])
        self.size = (width, height)
        self.pixels = rgba[::-1].tobytes()


class FakeProvider:
    """What PhoneCamera uses of `kivy.core.camera.CameraBase`: texture, on_texture, start, stop."""

    def __init__(self):
        self.texture = None
        self.listeners = []
        self.started = self.stopped = False

    def bind(self, on_texture):
        self.listeners.append(on_texture)

    def unbind(self, on_texture):
        self.listeners.remove(on_texture)

    def start(self):
        self.started, self.stopped = True, False

    def stop(self):
        self.stopped = True

    def show(self, image: np.ndarray):
        self.texture = FakeTexture(image)
        for listener in list(self.listeners):
            listener(self)  # as Kivy dispatches on_texture


class FakeClock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def run_now(fn):
    fn()


def quadrants(height=48, width=64) -> np.ndarray:
    """A BGR image whose four corners differ (to see flips and turns)."""
    image = np.zeros((height, width, 3), np.uint8)
    image[: height // 2, : width // 2] = (255, 0, 0)
    image[: height // 2, width // 2 :] = (0, 255, 0)
    image[height // 2 :, : width // 2] = (0, 0, 255)
    image[height // 2 :, width // 2 :] = (255, 255, 255)
    return image


class ListCamera:
    description, path = "frames", None

    def __init__(self, count: int, step_ms: int = 33):
        self.frames = [Frame(np.full((600, 800, 3), i, np.uint8), i * step_ms) for i in range(count)]
        self.closed = False

    def read(self):
        return self.frames.pop(0) if self.frames else None

    def close(self):
        self.closed = True


class FakeClient:
    """Answers frames like the server would (rep_count grows), failing the first `failures` calls."""

    def __init__(self, failures: int = 0, error=api.NetworkError, sockets: list | None = None):
        self.failures, self.error = failures, error
        self.calls: list[tuple[str, list[int]]] = []
        self.sockets = sockets or []  # what each open_live_socket gives, in turn; then no socket
        self.opened = 0

    def _answer(self, kind, t_ms):
        self.calls.append((kind, list(t_ms)))
        if self.failures:
            self.failures -= 1
            raise self.error("no answer")
        return {"rep_count": len(self.calls), "duplicate": False}

    def send_live_jpegs(self, session_id, jpegs, t_ms):
        assert all(data[:2] == b"\xff\xd8" for data in jpegs)
        return self._answer("jpeg", t_ms)

    def send_live_keypoints(self, session_id, frames, t_ms, image_size):
        assert image_size == (480, 360) and len(frames) == len(t_ms)
        return self._answer("keypoints", t_ms)

    def open_live_socket(self, session_id):
        self.opened += 1
        socket = self.sockets.pop(0) if self.sockets else None
        if isinstance(socket, Exception):
            raise socket
        return socket


class FakeSocket:
    """A live socket answering through the client's counter, failing its first `failures` batches."""

    def __init__(self, client: FakeClient, failures: int = 0):
        self.client, self.failures, self.closed = client, failures, False

    def send_live_keypoints(self, frames, t_ms, image_size):
        assert not self.closed
        if self.failures:
            self.failures -= 1
            self.client.calls.append(("lost socket", list(t_ms)))
            raise api.NetworkError("the live connection to the server was lost")
        return self.client._answer("socket", t_ms)

    def close(self):
        self.closed = True
