"""The phone's own camera for live coaching, through Kivy's camera provider (Android's on a phone, OpenCV's or
GStreamer's on a desktop).

Kivy delivers each new image as a texture on the UI thread; `DeviceCamera` copies its pixels there into a queue of
`QUEUE_FRAMES` (the oldest dropped when the reader lags, so the delay never builds up) and `read()` hands them, as
BGR `Frame`s timed by the monotonic clock, to the live streamer's camera thread. Create it on the UI thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

from mobile.camera import CameraUnavailable, Frame

QUEUE_FRAMES = 2
RESOLUTION = (640, 480)


def kivy_camera(index: int = 0, resolution: tuple[int, int] = RESOLUTION):
    """Kivy's core camera `index`, not yet started; `CameraUnavailable` when there is none."""
    from kivy.core.camera import Camera as CoreCamera

    if CoreCamera is None:
        raise CameraUnavailable("This device offers no camera to the app.")
    try:
        return CoreCamera(index=index, resolution=resolution, stopped=True)
    except Exception as exc:  # every provider fails in its own way when the camera is missing or taken
        raise CameraUnavailable(f"The camera could not be opened ({exc}).") from exc


class DeviceCamera:
    """Frames from a Kivy camera (anything with `bind(on_texture=...)`, `start()`, `stop()` and a `texture`)."""

    path = None

    def __init__(self, camera=None, description: str = "The phone's camera"):
        self.camera = camera if camera is not None else kivy_camera()
        self.description = description
        self._frames: deque[Frame] = deque(maxlen=QUEUE_FRAMES)
        self._ready = threading.Condition()
        self._closed = False
        self._start: float | None = None
        self.camera.bind(on_texture=self._grab)
        self.camera.start()

    def _grab(self, *_args) -> None:
        """On the UI thread: the new image, bottom-up RGBA in the texture, kept as a top-down BGR frame."""
        texture = self.camera.texture
        if texture is None or self._closed:
            return
        width, height = texture.size
        rgba = np.frombuffer(texture.pixels, dtype=np.uint8).reshape(height, width, 4)
        image = np.ascontiguousarray(rgba[::-1, :, 2::-1])
        now = time.monotonic()
        self._start = now if self._start is None else self._start
        with self._ready:
            self._frames.append(Frame(image, round((now - self._start) * 1000)))
            self._ready.notify_all()

    def read(self) -> Frame | None:
        """The oldest frame kept, waiting for one; None once closed."""
        with self._ready:
            while not self._frames and not self._closed:
                self._ready.wait(0.5)
            return self._frames.popleft() if self._frames and not self._closed else None

    def close(self) -> None:
        """Stop reading; the camera itself is stopped on the UI thread, where Kivy's camera lives."""
        from kivy.clock import Clock

        with self._ready:
            self._closed = True
            self._ready.notify_all()
        Clock.schedule_once(lambda _dt: self._stop_camera())

    def _stop_camera(self) -> None:
        self.camera.unbind(on_texture=self._grab)
        self.camera.stop()
