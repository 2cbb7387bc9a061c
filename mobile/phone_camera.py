"""The phone's camera for live coaching, through Kivy's own camera (Android's camera provider), with no OpenCV.

Kivy's camera updates a texture on the UI thread. Each new texture (at most `MAX_FPS` a second) is read back there
(`texture.pixels`: RGBA, rows bottom to top), timed by the monotonic clock from the first one, and handed through
a small bounded queue to `read()`, which the live streamer calls on its camera thread; there the pixels become an
upright BGR `Frame`, as the desktop sources give. A reader that lags loses the oldest frames, never the newest:
the latency from the camera to what is sent does not build up. Kivy is imported only when the real camera is
opened, so this module runs in tests with a fake provider.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from mobile.camera import CameraUnavailable, Frame, parse_camera

RESOLUTION = (640, 480)  # asked of the camera; frames go out downscaled to 480 px anyway
MAX_FPS = 30.0  # what Android's provider gives; fewer would space the frames kept for sending (10 a second) unevenly
QUEUE_FRAMES = 2
STALL_S = 10.0  # no frame for this long: the camera has stopped giving any, and the set ends


class PhoneCamera:
    """Frames from a Kivy camera provider (`kivy.core.camera.Camera`: `texture`, `on_texture`, `start`, `stop`).

    Opened and fed on the UI thread; `read()` on any other thread; `close()` from any thread (the provider is
    stopped on the UI thread, through `schedule`). `rotation_deg` turns the sensor's image upright (clockwise)."""

    path = None

    def __init__(self, provider, *, description: str = "Phone camera", rotation_deg: int = 0,
                 max_fps: float = MAX_FPS, queue_frames: int = QUEUE_FRAMES, stall_s: float = STALL_S,
                 clock: Callable[[], float] = time.monotonic,
                 schedule: Callable[[Callable[[], None]], None] | None = None):  # fmt: skip
        if rotation_deg % 90:
            raise ValueError(f"the rotation is a multiple of 90 degrees, not {rotation_deg}")
        self.provider = provider
        self.description = description
        self.rotation_deg = rotation_deg % 360
        self.min_interval_s = 1 / max_fps
        self.stall_s = stall_s
        self.clock = clock
        self.schedule = schedule or _on_ui_thread
        self.dropped = 0
        self._queue: deque[tuple[bytes, int, int, float]] = deque()
        self._queue_frames = queue_frames
        self._ready = threading.Condition()
        self._closed = False
        self._last_grab: float | None = None
        self._start: float | None = None
        provider.bind(on_texture=self._texture_updated)
        provider.start()

    # -- the UI thread ------------------------------------------------------------------------------------------
    def _texture_updated(self, *_args) -> None:
        """A new camera image: read it back (at most `max_fps` a second) and queue it, dropping the oldest."""
        now = self.clock()
        if self._closed or (self._last_grab is not None and now - self._last_grab < self.min_interval_s * 0.9):
            return
        texture = self.provider.texture
        if texture is None:
            return
        self._last_grab = now
        self._start = now if self._start is None else self._start
        width, height = texture.size
        pixels = texture.pixels
        with self._ready:
            if len(self._queue) >= self._queue_frames:
                self._queue.popleft()
                self.dropped += 1
            self._queue.append((pixels, width, height, now))
            self._ready.notify_all()

    def _stop_provider(self) -> None:
        self.provider.unbind(on_texture=self._texture_updated)
        self.provider.stop()

    # -- the reader's thread ------------------------------------------------------------------------------------
    def read(self) -> Frame | None:
        """The oldest frame queued, waiting for one; None once closed, or when none came for `stall_s`."""
        with self._ready:
            if not self._ready.wait_for(lambda: self._queue or self._closed, self.stall_s) or self._closed:
                return None
            pixels, width, height, grabbed = self._queue.popleft()
        return Frame(rgba_to_bgr(pixels, width, height, self.rotation_deg), round((grabbed - self._start) * 1000))

    def close(self) -> None:
        with self._ready:
            if self._closed:
                return
            self._closed = True
            self._queue.clear()
            self._ready.notify_all()
        self.schedule(self._stop_provider)


def rgba_to_bgr(pixels: bytes, width: int, height: int, rotation_deg: int = 0) -> np.ndarray:
    """A texture's RGBA pixels (rows bottom to top) as a BGR image (rows top to bottom), turned `rotation_deg`
    clockwise."""
    rgba = np.frombuffer(pixels, np.uint8).reshape(height, width, 4)
    bgr = rgba[::-1, :, 2::-1]
    return np.ascontiguousarray(np.rot90(bgr, -(rotation_deg // 90)))


def _on_ui_thread(fn: Callable[[], None]) -> None:
    from kivy.clock import Clock

    Clock.schedule_once(lambda _dt: fn())


_providers: dict[int, object] = {}


def kivy_camera_provider(index: int, resolution: tuple[int, int] = RESOLUTION):
    """Kivy's camera `index`, opened once (stopped between sets: Android hands a camera to one user at a time)."""
    if index not in _providers:
        from kivy.core.camera import Camera as CoreCamera

        if CoreCamera is None:
            raise CameraUnavailable("No camera is available to the app on this device.")
        try:
            _providers[index] = CoreCamera(index=index, resolution=resolution, stopped=True)
        except Exception as exc:  # noqa: BLE001  (Android's camera service raises Java exceptions)
            raise CameraUnavailable(f"The camera ({describe_phone_camera(index)}) cannot be opened: {exc}") from exc
    return _providers[index]


def android_sensor_rotation_deg(index: int) -> int:
    """How far clockwise camera `index`'s image turns to stand upright on a phone held upright (its sensor's
    orientation, from Android's `Camera.CameraInfo`); 0 where that cannot be asked."""
    try:
        from jnius import autoclass

        info = autoclass("android.hardware.Camera$CameraInfo")()
        autoclass("android.hardware.Camera").getCameraInfo(index, info)
        return int(info.orientation)
    except Exception:  # noqa: BLE001  (not on Android, or no such camera)
        return 0


def describe_phone_camera(index: int) -> str:
    return {0: "the back camera", 1: "the front camera"}.get(index, f"camera {index}")


def describe_phone_camera_setting(spec: str) -> str:
    """The camera a setting names on the phone (`webcam` the back camera, `webcam:1` the front one), in words."""
    try:
        source = parse_camera(spec)
    except CameraUnavailable as exc:
        return str(exc)
    if not isinstance(source, int):
        return f"The clip {source.name} cannot be played as the camera on the phone: the phone's camera is used."
    return f"The phone's camera: {describe_phone_camera(source)}."


def open_phone_camera(spec: str) -> PhoneCamera:
    """The phone camera a setting names (a clip falls back to the back camera), opened; on the UI thread."""
    source = parse_camera(spec)
    index = source if isinstance(source, int) else 0
    provider = kivy_camera_provider(index)
    name = describe_phone_camera(index)
    try:
        return PhoneCamera(provider, description=name[0].upper() + name[1:],
                           rotation_deg=android_sensor_rotation_deg(index))  # fmt: skip
    except Exception as exc:  # noqa: BLE001  (starting the preview raises Java exceptions)
        raise CameraUnavailable(f"The camera ({name}) cannot be started: {exc}") from exc
