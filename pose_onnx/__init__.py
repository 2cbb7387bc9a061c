"""YOLO11 pose on ONNX Runtime with our own letterbox, decoding and NMS.

Ultralytics' generic ONNX path letterboxes to a square and adds per-call overhead that costs more than the network
itself on a CPU; here a frame is padded only to a multiple of 32 (the export is dynamic), frames of one shape run
as one batch, and the raw output `(batch, 5 + 17 * 3, anchors)` is decoded with vectorised NumPy.

A top-level package with no Flask (or `api`) import, so that the server (`api.ml.pose`) and the desktop app
(`mobile.pose`, pose on the device) run the same code.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

STRIDE = 32
PAD_VALUE = 114
KEYPOINTS = 17
IOU_THRESHOLD = 0.7
MAX_DETECTIONS = 300


def letterbox(image_bgr: np.ndarray, imgsz: int) -> tuple[np.ndarray, float, tuple[float, float]]:
    """Resize the long side to `imgsz` and pad each side to a multiple of 32; returns (image, gain, (pad_x, pad_y))."""
    height, width = image_bgr.shape[:2]
    gain = min(imgsz / height, imgsz / width)
    new_w, new_h = round(width * gain), round(height * gain)
    padded_w, padded_h = -(-new_w // STRIDE) * STRIDE, -(-new_h // STRIDE) * STRIDE
    pad_x, pad_y = (padded_w - new_w) / 2, (padded_h - new_h) / 2
    resized = image_bgr if (new_w, new_h) == (width, height) else cv2.resize(image_bgr, (new_w, new_h))
    top, left = round(pad_y - 0.1), round(pad_x - 0.1)
    boxed = cv2.copyMakeBorder(
        resized, top, padded_h - new_h - top, left, padded_w - new_w - left, cv2.BORDER_CONSTANT,
        value=(PAD_VALUE,) * 3,
    )  # fmt: skip
    return boxed, gain, (left, top)


def to_tensor(images_bgr: list[np.ndarray]) -> np.ndarray:
    """BGR uint8 HWC images of one shape to a float32 RGB NCHW batch in [0, 1]."""
    batch = np.stack(images_bgr)[..., ::-1].transpose(0, 3, 1, 2)
    return np.ascontiguousarray(batch, dtype=np.float32) / 255.0


def decode(output: np.ndarray, conf: float, gain: float, pad: tuple[float, float], image_size: tuple[int, int]):
    """One image's raw output `(56, anchors)` to boxes `(n, 4)` xyxy, scores `(n,)` and keypoints `(n, 17, 3)`."""
    predictions = output.T
    keep = predictions[:, 4] > conf
    predictions = predictions[keep]
    if not len(predictions):
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros((0, KEYPOINTS, 3), np.float32)
    centre, size, scores = predictions[:, :2], predictions[:, 2:4], predictions[:, 4]
    top_left = centre - size / 2
    chosen = cv2.dnn.NMSBoxes(
        np.concatenate([top_left, size], axis=1).tolist(), scores.tolist(), conf, IOU_THRESHOLD, top_k=MAX_DETECTIONS
    )
    chosen = np.asarray(chosen, dtype=int).reshape(-1)
    chosen = chosen[np.argsort(-scores[chosen])]
    offset = np.array(pad, dtype=np.float32)
    width, height = image_size
    boxes = (np.concatenate([top_left, top_left + size], axis=1)[chosen] - np.tile(offset, 2)) / gain
    boxes = np.clip(boxes, 0, [width, height, width, height])
    keypoints = predictions[chosen, 5:].reshape(-1, KEYPOINTS, 3).copy()
    keypoints[..., :2] = (keypoints[..., :2] - offset) / gain
    keypoints[..., 0] = np.clip(keypoints[..., 0], 0, width)
    keypoints[..., 1] = np.clip(keypoints[..., 1], 0, height)
    return boxes.astype(np.float32), scores[chosen].astype(np.float32), keypoints.astype(np.float32)


class OnnxPoseModel:
    """A dynamic-shape YOLO pose ONNX export run with ONNX Runtime on the CPU."""

    def __init__(self, path: Path, imgsz: int, conf: float):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # workers share the cores
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.imgsz = imgsz
        self.conf = conf

    def predict(self, images_bgr: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per image: (boxes xyxy, scores, keypoints) in the image's own pixels. Same-shape frames share a batch."""
        boxed = [letterbox(image, self.imgsz) for image in images_bgr]
        answers: list = [None] * len(images_bgr)
        by_shape: dict[tuple[int, int], list[int]] = {}
        for index, (image, _, _) in enumerate(boxed):
            by_shape.setdefault(image.shape[:2], []).append(index)
        for indices in by_shape.values():
            outputs = self.session.run(None, {self.input_name: to_tensor([boxed[i][0] for i in indices])})[0]
            for index, output in zip(indices, outputs, strict=True):
                height, width = images_bgr[index].shape[:2]
                _, gain, pad = boxed[index]
                answers[index] = decode(output, self.conf, gain, pad, (width, height))
        return answers
