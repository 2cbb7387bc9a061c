"""Reading clips with OpenCV: probe the stream, then decode frames at a chosen sampling rate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from api.exceptions import InvalidMedia

MAX_FPS = 480
MAX_SIDE_PX = 8192


@dataclass(frozen=True)
class VideoInfo:
    fps: float
    frame_count: int
    width: int
    height: int
    duration_s: float


@dataclass
class VideoFrame:
    index: int
    time_s: float
    image_bgr: np.ndarray


def _open(path: Path) -> cv2.VideoCapture:
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise InvalidMedia("the clip does not decode (no readable video track)")
    return capture


def probe_video(path: Path) -> VideoInfo:
    """Facts about a clip; refuses clips with no frames, no video track or absurd dimensions."""
    capture = _open(path)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        frame_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        ok, first = capture.read()
    finally:
        capture.release()
    if not ok or first is None:
        raise InvalidMedia("the clip has no decodable frames")
    if not 0 < fps <= MAX_FPS:
        raise InvalidMedia(f"the clip's frame rate ({fps:.1f}) is not usable")
    if not (0 < width <= MAX_SIDE_PX and 0 < height <= MAX_SIDE_PX):
        raise InvalidMedia(f"the clip's frame size {width}x{height} is not usable")
    frame_count = max(frame_count, 1)
    return VideoInfo(fps=fps, frame_count=frame_count, width=width, height=height, duration_s=frame_count / fps)


def iter_frames(path: Path, target_fps: float | None = None, max_frames: int | None = None) -> Iterator[VideoFrame]:
    """Decode frames, keeping about `target_fps` of them a second (all when None); grab() skips cheaply."""
    capture = _open(path)
    try:
        fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
        stride = max(1, round(fps / target_fps)) if target_fps else 1
        index = kept = 0
        while max_frames is None or kept < max_frames:
            if index % stride == 0:
                ok, image = capture.read()
                if not ok:
                    break
                kept += 1
                yield VideoFrame(index=index, time_s=index / fps, image_bgr=image)
            elif not capture.grab():
                break
            index += 1
    finally:
        capture.release()
