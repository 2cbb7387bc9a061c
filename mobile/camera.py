"""Camera sources for live coaching, with no Kivy import: a webcam, or a clip file played as a camera (desktop,
through OpenCV); the phone's camera is `mobile.phone_camera` (Kivy's camera, no OpenCV).

All give `Frame`s (a BGR image and its time in ms) from `read()`, blocking until the next one, and `None` once
there is no more. A clip is paced by its own timestamps, as a camera would deliver it, and every frame is given
(a slow reader makes it lag, never skip): what the server sees from a clip does not depend on the machine's speed.
Downscaling and JPEG encoding use Pillow, on the desktop as on the phone: OpenCV is not part of the Android build,
so this module imports without it (only `Webcam` and `ClipCamera` need it).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

try:
    import cv2
except ImportError:  # the Android build: the phone's camera comes through Kivy (mobile.phone_camera)
    cv2 = None

WEBCAM = "webcam"
SEND_MAX_SIDE = 480
JPEG_QUALITY = 80


@dataclass
class Frame:
    image: np.ndarray  # BGR, as the camera gave it
    t_ms: int


class Camera(Protocol):
    description: str
    path: Path | None  # the clip played, when it is one

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


class CameraUnavailable(Exception):
    """The camera (or clip) cannot be opened; the message is meant for people."""


class Webcam:
    """A webcam through OpenCV's `VideoCapture`; frames are timed by the monotonic clock from the first one."""

    path = None

    def __init__(self, index: int = 0):
        _need_opencv("A webcam")
        self.capture = cv2.VideoCapture(index)
        if not self.capture.isOpened():
            raise CameraUnavailable(f"No camera found (webcam {index}). Connect one, or play a clip in Settings.")
        self.description = f"Webcam {index}"
        self._start: float | None = None

    def read(self) -> Frame | None:
        ok, image = self.capture.read()
        if not ok:
            return None
        now = time.monotonic()
        self._start = now if self._start is None else self._start
        return Frame(image, round((now - self._start) * 1000))

    def close(self) -> None:
        self.capture.release()


class ClipCamera:
    """A video file played as a camera: frame `i` at `i / fps` seconds after the first, never sooner."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        _need_opencv("Playing a clip as the camera")
        self.capture = cv2.VideoCapture(str(self.path))
        if not self.path.is_file() or not self.capture.isOpened():
            raise CameraUnavailable(f"Cannot play the clip {self.path.name}: no such video file.")
        self.fps = self.capture.get(cv2.CAP_PROP_FPS) or 30.0
        self.description = f"Clip {self.path.name}"
        self._index = 0
        self._start: float | None = None

    def read(self) -> Frame | None:
        ok, image = self.capture.read()
        if not ok:
            return None
        t_ms = clip_time_ms(self._index, self.fps)
        self._index += 1
        now = time.monotonic()
        self._start = now if self._start is None else self._start
        wait = self._start + t_ms / 1000 - now
        if wait > 0:
            time.sleep(wait)
        return Frame(image, t_ms)

    def close(self) -> None:
        self.capture.release()


def _need_opencv(what: str) -> None:
    if cv2 is None:
        raise CameraUnavailable(f"{what} needs OpenCV, which this build of the app does not have.")


def clip_time_ms(index: int, fps: float) -> int:
    """When frame `index` of a clip at `fps` is shown (recorded keypoints use the same times)."""
    return round(index * 1000 / fps)


def parse_camera(spec: str) -> int | Path:
    """What a camera setting names: `webcam` (or empty) and `webcam:N` a webcam's index, else a clip file."""
    spec = (spec or WEBCAM).strip()
    if spec == WEBCAM or spec.startswith(WEBCAM + ":"):
        index = spec.partition(":")[2]
        if index and not index.isdigit():
            raise CameraUnavailable(f"Unknown camera {spec!r}: use webcam, webcam:1... or a clip file.")
        return int(index or 0)
    return Path(spec).expanduser()


def describe_camera(spec: str) -> str:
    """The camera a setting names, in words (before it is opened)."""
    try:
        source = parse_camera(spec)
    except CameraUnavailable as exc:
        return str(exc)
    return f"Webcam {source}." if isinstance(source, int) else f"The clip {source.name}, played as a camera."


def open_camera(spec: str) -> Camera:
    """The camera a setting names (see `parse_camera`), opened."""
    source = parse_camera(spec)
    return Webcam(source) if isinstance(source, int) else ClipCamera(source)


def downscale(image: np.ndarray, max_side: int = SEND_MAX_SIDE) -> np.ndarray:
    """The image with its long side at most `max_side` pixels (what is sent or run through pose), never enlarged.
    Pillow's box filter averages the pixels each new one covers, as OpenCV's `INTER_AREA` does."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1:
        return image
    size = (round(width * scale), round(height * scale))
    return np.array(Image.fromarray(image).resize(size, Image.Resampling.BOX))  # channel order plays no part


def encode_jpeg(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    """A BGR image as JPEG bytes."""
    height, width = image.shape[:2]
    try:
        picture = Image.frombuffer("RGB", (width, height), np.ascontiguousarray(image), "raw", "BGR", 0, 1)
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=quality)
    except (ValueError, OSError) as exc:
        raise ValueError("the frame could not be encoded as JPEG") from exc
    return out.getvalue()
