"""Exercise recognition: appearance features from the pose network fused with pose geometry, then a linear model.

The YOLO11 pose network is used as a frozen feature extractor: its backbone and neck feature maps, pooled over
the whole photo and over the person crop (equipment, bench angle and cable matter, so context matters), averaged
with the mirrored photo so that left and right do not count; plus joint angles and normalised keypoints.
A standardised multinomial logistic regression, trained by `scripts/train_recognizer.py`, names the exercise.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from api.ml.geometry import pose_geometry_features
from api.ml.pose import PoseEstimator, PoseFrame

LABELS = (
    "bench_press",
    "biceps_curl",
    "box_jump",
    "calf_raise",
    "chest_fly",
    "clean_snatch",
    "crunch",
    "deadlift",
    "decline_bench_press",
    "dips",
    "good_morning",
    "hammer_curl",
    "hip_thrust",
    "incline_bench_press",
    "lat_pulldown",
    "lateral_raise",
    "leg_curl",
    "leg_press",
    "lunge",
    "pull_up",
    "push_up",
    "romanian_deadlift",
    "row",
    "russian_twist",
    "shoulder_press",
    "shrug",
    "squat",
    "triceps_extension",
    "triceps_pushdown",
    "upright_row",
)
MIN_CONFIDENCE = 0.30
FEATURE_LAYERS = (6, 10, 16, 19, 22)
FEATURE_IMGSZ = 320
CROP_MARGIN = 0.25
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "exercise-recognizer"


@dataclass
class Recognition:
    """Which exercise, how sure, the runners-up, and why no label was given when none was."""

    label: str | None
    confidence: float
    top5: list[dict] = field(default_factory=list)
    reason: str | None = None

    def to_dict(self) -> dict:
        return {"label": self.label, "confidence": round(self.confidence, 4), "top5": self.top5, "reason": self.reason}


class Recognizer(Protocol):
    def recognize(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> Recognition: ...

    def recognize_clip(self, samples: list[tuple[np.ndarray, PoseFrame]]) -> Recognition: ...


def recognition_from_probabilities(
    labels: tuple[str, ...], probabilities: np.ndarray, min_confidence: float, person_found: bool
) -> Recognition:
    """Top-5 from class probabilities; no label when nobody is there or the best is not sure enough."""
    order = np.argsort(probabilities)[::-1][:5]
    top5 = [{"label": labels[i], "confidence": round(float(probabilities[i]), 4)} for i in order]
    best = float(probabilities[order[0]])
    if not person_found:
        return Recognition(None, best, top5, "no person found")
    if best < min_confidence:
        return Recognition(None, best, top5, f"confidence {best:.2f} is below the threshold {min_confidence:.2f}")
    return Recognition(labels[order[0]], best, top5)


def person_crop(image_bgr: np.ndarray, box: list[float], margin: float = CROP_MARGIN) -> np.ndarray:
    """The person's box grown by `margin` on each side, clipped to the image."""
    height, width = image_bgr.shape[:2]
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    left, top = max(0, int(x1 - dx)), max(0, int(y1 - dy))
    right, bottom = min(width, int(x2 + dx)), min(height, int(y2 + dy))
    if right - left < 8 or bottom - top < 8:
        return image_bgr
    return image_bgr[top:bottom, left:right]


class FeatureExtractor:
    """Pooled feature maps of chosen pose-network layers, captured with forward hooks under the model's lock."""

    def __init__(self, pose: PoseEstimator, layers: tuple[int, ...] = FEATURE_LAYERS, imgsz: int = FEATURE_IMGSZ):
        self.pose = pose
        self.layers = layers
        self.imgsz = imgsz

    def _pooled(self, images: list[np.ndarray]) -> np.ndarray:
        captured: dict[int, object] = {}
        model = self.pose.model
        modules = self.pose.network_layers()
        handles = [
            modules[i].register_forward_hook(lambda _m, _in, out, i=i: captured.__setitem__(i, out))
            for i in self.layers
        ]
        try:
            with self.pose.lock:
                model.predict(images, imgsz=self.imgsz, device=self.pose.config.device, verbose=False)
        finally:
            for handle in handles:
                handle.remove()
        parts = []
        for i in self.layers:
            tensor = captured[i].float()
            parts.append(tensor.mean(dim=(2, 3)).cpu().numpy())
        return np.concatenate(parts, axis=1)

    def appearance(self, image_bgr: np.ndarray, box: list[float] | None) -> np.ndarray:
        """Whole photo and person crop, each averaged with its mirror image."""
        crop = person_crop(image_bgr, box) if box is not None else image_bgr
        views = [image_bgr, image_bgr[:, ::-1].copy(), crop, crop[:, ::-1].copy()]
        pooled = self._pooled(views)
        return np.concatenate([(pooled[0] + pooled[1]) / 2, (pooled[2] + pooled[3]) / 2])


def photo_features(extractor: FeatureExtractor, image_bgr: np.ndarray, pose_frame: PoseFrame) -> np.ndarray:
    """The full feature vector of one photo: appearance plus pose geometry of the main person."""
    person = pose_frame.main_person()
    appearance = extractor.appearance(image_bgr, person.box if person else None)
    geometry = pose_geometry_features(person.keypoints if person else None, pose_frame.image_size)
    return np.concatenate([appearance, geometry]).astype(np.float32)


@dataclass
class LinearModel:
    """Standardiser and multinomial logistic-regression weights, stored as plain numpy arrays."""

    labels: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = ((features - self.mean) / self.scale) @ self.coef.T + self.intercept
        logits = logits - logits.max(axis=-1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=-1, keepdims=True)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            folder / "linear.npz",
            mean=self.mean,
            scale=self.scale,
            coef=self.coef.astype(np.float32),
            intercept=self.intercept,
        )
        (folder / "labels.json").write_text(json.dumps(list(self.labels), indent=1))

    @classmethod
    def load(cls, folder: Path) -> LinearModel:
        arrays = np.load(folder / "linear.npz")
        labels = tuple(json.loads((folder / "labels.json").read_text()))
        return cls(labels, arrays["mean"], arrays["scale"], arrays["coef"], arrays["intercept"])


class FeatureRecognizer:
    """The shipped recognizer: pose-network features and geometry into a linear model."""

    def __init__(self, model: LinearModel, pose: PoseEstimator, min_confidence: float = MIN_CONFIDENCE):
        self.model = model
        self.extractor = FeatureExtractor(pose)
        self.min_confidence = min_confidence

    @classmethod
    def from_dir(cls, folder: Path, pose: PoseEstimator) -> FeatureRecognizer:
        settings_file = folder / "settings.json"
        settings = json.loads(settings_file.read_text()) if settings_file.is_file() else {}
        return cls(LinearModel.load(folder), pose, settings.get("min_confidence", MIN_CONFIDENCE))

    def probabilities(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> np.ndarray:
        return self.model.probabilities(photo_features(self.extractor, image_bgr, pose_frame)[None])[0]

    def recognize(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> Recognition:
        probabilities = self.probabilities(image_bgr, pose_frame)
        return recognition_from_probabilities(
            self.model.labels, probabilities, self.min_confidence, pose_frame.main_person() is not None
        )

    def recognize_clip(self, samples: list[tuple[np.ndarray, PoseFrame]]) -> Recognition:
        """Temporal voting: the average of the frames' probabilities."""
        probabilities = np.mean([self.probabilities(image, frame) for image, frame in samples], axis=0)
        person_found = any(frame.main_person() is not None for _, frame in samples)
        return recognition_from_probabilities(self.model.labels, probabilities, self.min_confidence, person_found)


_default_lock = threading.Lock()


def load_default_recognizer(pose: PoseEstimator, folder: Path = DEFAULT_MODEL_DIR) -> FeatureRecognizer:
    """The recognizer committed under `models/exercise-recognizer/`."""
    with _default_lock:
        return FeatureRecognizer.from_dir(folder, pose)
