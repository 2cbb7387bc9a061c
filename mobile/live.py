"""Live coaching without Kivy: a camera's frames sent to a live session in batches.

`LiveStreamer` reads the camera on one thread (every frame goes to `on_frame`, for the preview) and sends about
`SEND_FPS` frames a second, in batches of `BATCH_S`, on another: keypoints when a pose source runs on the device
(over the session's WebSocket when the server offers one, else one request a batch), JPEG frames otherwise. A
batch that fails for want of a connection (or a server error) is sent again, the same frames with the same
timestamps, until it goes through (the server ignores a batch it has already seen); what the camera gives
meanwhile waits and goes in the next request, so no frame is lost. Callbacks run on the worker
threads: the screen hands them to the UI thread.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable

from mobile import api_client as api
from mobile.camera import Camera, Frame, downscale, encode_jpeg
from mobile.pose import PoseSource

SEND_FPS = 10.0  # what the server's clip analysis samples too
BATCH_S = 0.4
# A backlog (after a lost connection) goes in requests of at most the server's limits (LIVE_MAX_*_FRAMES).
MAX_JPEG_FRAMES = 16
MAX_KEYPOINT_FRAMES = 300
RETRY_S = (0.5, 1.0, 2.0, 4.0)


def keep_every(interval_ms: float):
    """A filter keeping frames at least `interval_ms` apart (a millisecond of slack for rounded timestamps)."""
    last: list[int] = []

    def keep(frame: Frame) -> bool:
        if last and frame.t_ms - last[0] < interval_ms - 1:
            return False
        last[:] = [frame.t_ms]
        return True

    return keep


def frames_ready(waiting: deque[Frame], camera_done: bool, frames_per_batch: int, batch_ms: float,
                 max_frames: int) -> int:  # fmt: skip
    """How many waiting frames to send now: a batch once there are `frames_per_batch` or they span `batch_ms`
    (a slow camera), everything left once the camera is done; a backlog goes in requests of at most `max_frames`.
    0: wait for more."""
    if not waiting:
        return 0
    full = len(waiting) >= frames_per_batch or waiting[-1].t_ms - waiting[0].t_ms >= batch_ms
    return min(len(waiting), max_frames) if full or camera_done else 0


class LiveStreamer:
    """Streams `camera` into the live session `session_id` until the camera ends, `stop()` or `abort()`.

    on_frame(frame): every frame read. on_update(update): the server's answer to each request, with `pose`
    filled in from the device's keypoints when pose runs here. on_status(text): a connection problem ("" once
    solved). on_end(error): once, after the last frame was sent (`error` None) or on a failure that retrying
    cannot solve (the message of an `api.ApiError`)."""

    def __init__(self, client: api.ApiClient, session_id: int, camera: Camera, pose: PoseSource | None, *,
                 on_frame: Callable[[Frame], None], on_update: Callable[[dict], None],
                 on_status: Callable[[str], None], on_end: Callable[[api.ApiError | None], None],
                 send_fps: float = SEND_FPS, batch_s: float = BATCH_S, retry_s: tuple = RETRY_S):  # fmt: skip
        self.client, self.session_id, self.camera, self.pose = client, session_id, camera, pose
        self.on_frame, self.on_update, self.on_status, self.on_end = on_frame, on_update, on_status, on_end
        self.send_interval_ms = 1000 / send_fps
        self.batch_ms = batch_s * 1000
        self.frames_per_batch = max(1, round(batch_s * send_fps))
        self.max_frames = MAX_JPEG_FRAMES if pose is None else MAX_KEYPOINT_FRAMES
        self.retry_s = retry_s
        self.sent_frames = 0
        self._socket: api.LiveSocket | None = None
        self._socket_offered = pose is not None
        self._waiting: deque[Frame] = deque()
        self._camera_done = False
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._aborted = threading.Event()
        self._threads = [
            threading.Thread(target=self._read_camera, name="fitcoach-live-camera", daemon=True),
            threading.Thread(target=self._send_frames, name="fitcoach-live-send", daemon=True),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop reading the camera; what was read is still sent, then `on_end` runs."""
        self._stopping.set()

    def abort(self) -> None:
        """Stop now, dropping what was not sent yet (the set is being thrown away)."""
        self._aborted.set()
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()

    def join(self, timeout: float | None = None) -> None:
        for thread in self._threads:
            thread.join(timeout)

    # -- the camera thread --------------------------------------------------------------------------------------
    def _read_camera(self) -> None:
        keep = keep_every(self.send_interval_ms)
        try:
            while not self._stopping.is_set():
                frame = self.camera.read()
                if frame is None:
                    break
                self.on_frame(frame)
                if keep(frame):
                    with self._wake:
                        self._waiting.append(frame)
                        self._wake.notify_all()
        finally:
            self.camera.close()
            with self._wake:
                self._camera_done = True
                self._wake.notify_all()

    # -- the sending thread -------------------------------------------------------------------------------------
    def _next_batch(self) -> list[Frame] | None:
        """The frames of the next request, once there is a batch of them (or the camera is done); None at the end."""
        with self._wake:
            while not self._aborted.is_set():
                count = frames_ready(
                    self._waiting, self._camera_done, self.frames_per_batch, self.batch_ms, self.max_frames
                )
                if count:
                    return [self._waiting.popleft() for _ in range(count)]
                if self._camera_done:
                    return None
                self._wake.wait(0.5)
            return None

    def _send_frames(self) -> None:
        error = None
        try:
            while (batch := self._next_batch()) is not None:
                self._send(batch)
                self.sent_frames += len(batch)
        except api.ApiError as exc:
            error = exc
            self.abort()
        finally:
            if self._socket is not None:
                self._socket.close()
        self.on_end(error)

    def _send_keypoints(self, keypoints: list, t_ms: list[int], image_size: tuple[int, int]) -> dict:
        """Over the WebSocket while it works (opened again after a loss), by HTTP if the server has none."""
        if self._socket is None and self._socket_offered:
            self._socket = self.client.open_live_socket(self.session_id)
            self._socket_offered = self._socket is not None
        if self._socket is None:
            return self.client.send_live_keypoints(self.session_id, keypoints, t_ms, image_size)
        try:
            return self._socket.send_live_keypoints(keypoints, t_ms, image_size)
        except api.NetworkError:
            self._socket.close()
            self._socket = None
            raise

    def _send(self, batch: list[Frame]) -> None:
        """Send one batch, again after a pause while the connection is lost; an `api.ApiError` that retrying
        cannot solve (the session is gone, signed out, frames refused) is raised."""
        small = [Frame(downscale(frame.image), frame.t_ms) for frame in batch]
        t_ms = [frame.t_ms for frame in small]
        if self.pose is not None:
            keypoints = self.pose.keypoints(small)
            height, width = small[0].image.shape[:2]

            def request():
                return self._send_keypoints(keypoints, t_ms, (width, height))
        else:
            jpegs = [encode_jpeg(frame.image) for frame in small]

            def request():
                return self.client.send_live_jpegs(self.session_id, jpegs, t_ms)

        for attempt in itertools.count():
            try:
                update = request()
            except api.ApiError as exc:
                if not retryable(exc):
                    raise
                if self._aborted.is_set():
                    return
                pause = self.retry_s[min(attempt, len(self.retry_s) - 1)]
                self.on_status(f"{_problem(exc)} Trying again in {pause:g} s; the set goes on.")
                if self._aborted.wait(pause):
                    return
                continue
            if attempt:
                self.on_status("")
            if self.pose is not None:
                update["pose"] = [{"t_ms": t, "keypoints": points} for t, points in zip(t_ms, keypoints, strict=True)]
            update["image_size"] = [small[0].image.shape[1], small[0].image.shape[0]]
            self.on_update(update)
            return


def retryable(exc: api.ApiError) -> bool:
    """Whether sending the same batch again may work: no connection, a server error or too many requests, or
    another write to the session at the same moment (a 409 without a status; with one, it is finished or gone)."""
    if isinstance(exc, api.Conflict):
        return not (isinstance(exc.details, dict) and exc.details.get("status"))
    return isinstance(exc, api.NetworkError | api.ServerError | api.RateLimited)


def _problem(exc: api.ApiError) -> str:
    if isinstance(exc, api.NetworkError):
        return "Connection to the server lost."
    if isinstance(exc, api.RateLimited | api.Conflict):
        return "The server is busy."
    return "The server had a problem."
