"""Pose on the device for live coaching (desktop), with no Kivy import.

A pose source turns a batch of frames (already downscaled) into COCO-17 keypoints, one `(17, 3)` list of x, y,
confidence in the frame's pixels per frame, all zero where nobody is seen. Two sources: YOLO11 pose on ONNX
Runtime (`pose_onnx`, the server's own code) when it is installed and a model file is set, and keypoints recorded
with a clip (demos and tests). Without a source the app sends JPEG frames and the server finds the pose.
"""

from __future__ import annotations

import bisect
import json
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

import numpy as np

from mobile.camera import SEND_MAX_SIDE, Camera, Frame

KEYPOINT_COUNT = 17
POSE_CONF = 0.25
RECORDED_SUFFIX = ".keypoints.json"


def nobody() -> list[list[float]]:
    return [[0.0, 0.0, 0.0] for _ in range(KEYPOINT_COUNT)]


class PoseSource(Protocol):
    description: str

    def keypoints(self, frames: list[Frame]) -> list[list[list[float]]]: ...


def main_person(boxes: np.ndarray, keypoints: np.ndarray) -> list[list[float]]:
    """The keypoints of the largest person (the one training nearest the camera), or nobody's."""
    if not len(boxes):
        return nobody()
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return np.round(keypoints[int(np.argmax(areas))].astype(float), 2).tolist()


class OnnxPose:
    """YOLO11 pose exported to ONNX (dynamic shapes), run here with ONNX Runtime on the CPU."""

    description = "Pose on this device"

    def __init__(self, model_path: str | Path, imgsz: int = SEND_MAX_SIDE, conf: float = POSE_CONF):
        from pose_onnx import OnnxPoseModel

        self.model = OnnxPoseModel(Path(model_path), imgsz, conf)

    def keypoints(self, frames: list[Frame]) -> list[list[list[float]]]:
        answers = self.model.predict([frame.image for frame in frames])
        return [main_person(boxes, keypoints) for boxes, _scores, keypoints in answers]


class RecordedPose:
    """Keypoints recorded with a clip, in `<clip>.keypoints.json` as a frames body (`frames`, `t_ms`,
    `image_size`), given for the recorded frame nearest in time and scaled to the frame sent."""

    description = "Pose recorded with the clip"

    def __init__(self, path: str | Path):
        data = json.loads(Path(path).read_text())
        self.t_ms: list[int] = list(data["t_ms"])
        self.frames = np.asarray(data["frames"], dtype=np.float32).reshape(len(self.t_ms), KEYPOINT_COUNT, 3)
        self.width, self.height = data["image_size"]

    def keypoints(self, frames: list[Frame]) -> list[list[list[float]]]:
        return [self._at(frame) for frame in frames]

    def _at(self, frame: Frame) -> list[list[float]]:
        index = bisect.bisect_left(self.t_ms, frame.t_ms)
        nearest = min((i for i in (index - 1, index) if 0 <= i < len(self.t_ms)),
                      key=lambda i: abs(self.t_ms[i] - frame.t_ms))  # fmt: skip
        height, width = frame.image.shape[:2]
        points = self.frames[nearest].copy()
        points[:, 0] *= width / self.width
        points[:, 1] *= height / self.height
        return np.round(points.astype(float), 2).tolist()


def recorded_keypoints_path(clip: Path) -> Path:
    return clip.with_name(clip.stem + RECORDED_SUFFIX)


def onnx_available() -> bool:
    return find_spec("onnxruntime") is not None


def open_pose(camera: Camera, model_path: str = "") -> PoseSource | None:
    """Keypoints recorded with the clip played, else ONNX pose when ONNX Runtime is installed and `model_path` is
    a file, else None: the frames go to the server as JPEG."""
    if camera.path is not None and recorded_keypoints_path(camera.path).is_file():
        return RecordedPose(recorded_keypoints_path(camera.path))
    if model_path and Path(model_path).expanduser().is_file() and onnx_available():
        return OnnxPose(Path(model_path).expanduser())
    return None
