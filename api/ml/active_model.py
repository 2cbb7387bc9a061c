"""A registered YOLO11 model as the exercise recognizer, loaded once per process and kept while it stays active.

A classifier answers with its class probabilities; a detector with, per class, its most confident detection, so
that the label is the class of the highest-confidence detection. Which model is active for whom is decided by the
registry (`api.services.model_training.registry.active_recognizer_for`); this module only loads and runs weights.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

import api.ml  # noqa: F401  (offline Ultralytics before it is imported)
from api.ml.pose import PoseFrame
from api.ml.recognition import MIN_CONFIDENCE, ClipMotion, Recognition, recognition_from_probabilities

DEFAULT_IMGSZ = 224
CACHE_SIZE = 4


class YoloClassifierRecognizer:
    """`Recognizer` over a trained YOLO11 classify (or detect) model whose class names are the labels."""

    uses_world_motion = False

    def __init__(self, weights_path: str | Path, task: str, class_names: list[str],
                 min_confidence: float = MIN_CONFIDENCE, device: str = "cpu"):  # fmt: skip
        from ultralytics import YOLO

        self.model = YOLO(str(weights_path), task=task)
        self.task = task
        self.labels = tuple(class_names)
        self.min_confidence = min_confidence
        self.device = device
        self.imgsz = int((self.model.ckpt or {}).get("train_args", {}).get("imgsz") or DEFAULT_IMGSZ)
        self.lock = threading.Lock()

    def probabilities(self, image_bgr: np.ndarray) -> np.ndarray:
        """One score per class: class probabilities, or the best detection confidence of each class."""
        with self.lock:
            result = self.model.predict(image_bgr, imgsz=self.imgsz, device=self.device, verbose=False)[0]
        if self.task == "classify":
            return result.probs.data.float().cpu().numpy()
        scores = np.zeros(len(self.labels), dtype=np.float32)
        for class_id, confidence in zip(result.boxes.cls.tolist(), result.boxes.conf.tolist(), strict=True):
            scores[int(class_id)] = max(scores[int(class_id)], confidence)
        return scores

    def recognize(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> Recognition:
        return recognition_from_probabilities(
            self.labels, self.probabilities(image_bgr), self.min_confidence, pose_frame.main_person() is not None
        )

    def recognize_clip(
        self, samples: list[tuple[np.ndarray, PoseFrame]], motion: ClipMotion | None = None
    ) -> Recognition:
        """The average of the sampled frames' scores (a user's model sees frames only, not the motion)."""
        scores = np.mean([self.probabilities(image) for image, _ in samples], axis=0)
        person_found = any(frame.main_person() is not None for _, frame in samples)
        return recognition_from_probabilities(self.labels, scores, self.min_confidence, person_found)


_cache: OrderedDict[tuple, YoloClassifierRecognizer] = OrderedDict()
_cache_lock = threading.Lock()


def load_recognizer(model_version_id: int, weights_path: str, task: str, class_names: list[str]):
    """The recognizer of a model version, loaded on first use and kept for the next requests (a few at most)."""
    key = (model_version_id, weights_path)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    recognizer = YoloClassifierRecognizer(weights_path, task, class_names)
    with _cache_lock:
        _cache[key] = recognizer
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return recognizer
