"""Reading clips with OpenCV: probe the stream, then decode frames at a chosen sampling rate.

OpenCV's FFmpeg backend applies the clip's rotation metadata itself (`CAP_PROP_ORIENTATION_AUTO`), so frames
come upright; the dimensions reported here are those of the decoded, rotated frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from api.exceptions import InvalidMedia

MAX_FPS = 480.0
MAX_SIDE_PX = 8192
# Containers such as WebM may not state a frame count; then frames are counted, up to this many (20 minutes at
# 30 fps: longer than any clip the service accepts, so a clip at the cap is still refused as too long).
MAX_COUNTED_FRAMES = 36_000
# Frames read to measure the frame rate from timestamps when the container's figure is missing or absurd.
FPS_PROBE_FRAMES = 30
# Used to time frames only when a clip states no usable frame rate and its frames carry no timestamps.
DEFAULT_FPS = 30.0


@dataclass(frozen=True)
class VideoInfo:
    """Facts about a clip, as decoded: frames per second, frame count, frame size and duration."""

    fps: float
    frame_count: int
    width: int
    height: int
    duration_s: float
    rotation_deg: int = 0

    def to_dict(self) -> dict:
        return {
            "fps": round(self.fps, 3),
            "frame_count": self.frame_count,
            "width": self.width,
            "height": self.height,
            "duration_s": round(self.duration_s, 3),
            "rotation_deg": self.rotation_deg,
        }


@dataclass
class VideoFrame:
    """One decoded frame: its index in the clip, its time and the BGR image."""

    index: int
    time_s: float
    image_bgr: np.ndarray


def _open(path: Path) -> cv2.VideoCapture:
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise InvalidMedia("the clip does not decode (no readable video track)", details={"reason": "no_video_track"})
    return capture


def _fps_from_timestamps(capture: cv2.VideoCapture) -> float:
    """Frames per second measured from decoded frame timestamps, from the frame last read or grabbed on."""
    times_ms = [capture.get(cv2.CAP_PROP_POS_MSEC)]
    for _ in range(FPS_PROBE_FRAMES):
        if not capture.grab():
            break
        times_ms.append(capture.get(cv2.CAP_PROP_POS_MSEC))
    span_ms = times_ms[-1] - times_ms[0]
    return (len(times_ms) - 1) * 1000.0 / span_ms if span_ms > 0 else 0.0


def _count_frames(capture: cv2.VideoCapture, already_read: int) -> int:
    count = already_read
    while count < MAX_COUNTED_FRAMES and capture.grab():
        count += 1
    return count


def probe_video(path: Path) -> VideoInfo:
    """Facts about a clip; InvalidMedia when it has no decodable video frame, or an absurd frame rate or size.

    Whether a clip is too long is the caller's call: the duration is reported, not judged.
    """
    capture = _open(path)
    try:
        stated_fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
        stated_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        rotation = int(capture.get(cv2.CAP_PROP_ORIENTATION_META) or 0)
        ok, first = capture.read()
        if not ok or first is None:
            raise InvalidMedia("the clip has no decodable video frames", details={"reason": "no_frames"})
        # A still image (a PNG or JPEG renamed .mp4) decodes as a one-frame "video": not a clip.
        if not capture.grab():
            raise InvalidMedia("this is a single still image, not a clip", details={"reason": "single_frame"})
        fps = stated_fps if 0 < stated_fps <= MAX_FPS else _fps_from_timestamps(capture)
        frame_count = stated_count if stated_count > 0 else _count_frames(capture, already_read=2)
    finally:
        capture.release()
    height, width = first.shape[:2]
    if not 0 < fps <= MAX_FPS:
        raise InvalidMedia(f"the clip's frame rate ({fps:.1f}) is not usable", details={"fps": round(fps, 3)})
    if not (0 < width <= MAX_SIDE_PX and 0 < height <= MAX_SIDE_PX):
        raise InvalidMedia(
            f"the clip's frame size {width}x{height} is not usable", details={"width": width, "height": height}
        )
    return VideoInfo(
        fps=float(fps),
        frame_count=frame_count,
        width=int(width),
        height=int(height),
        duration_s=frame_count / fps,
        rotation_deg=rotation % 360,
    )


def iter_frames(path: Path, target_fps: float | None = None, max_frames: int | None = None) -> Iterator[VideoFrame]:
    """Decode frames, keeping about `target_fps` of them a second (all when None) and at most `max_frames`.

    Sampling follows the frames' timestamps, so variable-frame-rate clips (phones, browsers) are sampled evenly
    in time. Skipped frames are only grabbed, never converted to images.
    """
    capture = _open(path)
    try:
        stated_fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
        fps = stated_fps if 0 < stated_fps <= MAX_FPS else DEFAULT_FPS
        period_s = 1.0 / target_fps if target_fps and target_fps > 0 else 0.0
        index = kept = 0
        next_time_s = 0.0
        while (max_frames is None or kept < max_frames) and capture.grab():
            position_ms = capture.get(cv2.CAP_PROP_POS_MSEC)
            time_s = position_ms / 1000.0 if position_ms > 0 else index / fps
            # Frames are kept on a regular time grid; half a source frame of slack absorbs timestamp rounding.
            if not period_s or time_s >= next_time_s - 0.5 / fps:
                ok, image = capture.retrieve()
                if not ok or image is None:
                    break
                kept += 1
                while period_s and next_time_s <= time_s + 0.5 / fps:
                    next_time_s += period_s
                yield VideoFrame(index=index, time_s=time_s, image_bgr=image)
            index += 1
    finally:
        capture.release()
