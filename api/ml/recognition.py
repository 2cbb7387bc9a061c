"""Exercise recognition: frozen image features fused with pose geometry, then a linear model.

Each photo is seen twice, as it is and mirrored (so left and right do not matter), through
- EfficientNet-Lite0 (ImageNet weights, `recognition_backbone.py`) pooled over the main person's crop,
- the YOLO11 pose network's feature maps sampled at the person's keypoints and limb midpoints (what the hands
  hold, what the back lies on), averaged per body part,
- pose geometry: limb directions, joint angles and normalised keypoints (`recognition_features.py`).
A standardised multinomial logistic regression, trained by `scripts/train_recognizer.py` with the mirror as
augmentation, gives class probabilities; the photo's and its mirror's are averaged.

A clip is also recognised by its motion: the voting frames' mean probabilities are fused with the motion model
(`recognition_motion.py`, `models/motion-recognizer/`) over the main track's keypoint sequence; it knows a few
exercises the photos do not (plank, leg raise...) and names one only if its main joint angle moves like it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from api.ml.pose import PoseFrame
from api.ml.recognition_features import geometry_block, raw_blocks
from api.ml.recognition_network import CropFeatureNetwork
from api.ml.settings_file import read_settings

if TYPE_CHECKING:
    from api.ml.recognition_motion import MotionModel

# The 30 labels of the gym photos and the classes the real clips and wild photos add (plank ... T-bar row).
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
    "front_raise",
    "good_morning",
    "hammer_curl",
    "hip_thrust",
    "incline_bench_press",
    "jumping_jack",
    "lat_pulldown",
    "lateral_raise",
    "leg_curl",
    "leg_extension",
    "leg_press",
    "leg_raise",
    "lunge",
    "plank",
    "pull_up",
    "push_up",
    "romanian_deadlift",
    "row",
    "russian_twist",
    "shoulder_press",
    "shrug",
    "sit_up",
    "squat",
    "t_bar_row",
    "triceps_extension",
    "triceps_pushdown",
    "upright_row",
)
MIN_CONFIDENCE = 0.30
FEATURE_BLOCKS = ("geo", "eff320_crop", "yolokp", "yolomid")
BODY_PARTS = ((0, 1, 2, 3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16))
LIMB_PAIRS = ((0, 1), (2, 3), (4, 5), (6, 7))  # left and right of each limb in LIMB_MIDPOINTS
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "exercise-recognizer"


@dataclass(frozen=True)
class RecognizerSettings:
    """`settings.json` of a recognizer folder: the confidence a label needs and the feature blocks it was
    trained on."""

    min_confidence: float = MIN_CONFIDENCE
    blocks: tuple[str, ...] = FEATURE_BLOCKS


@dataclass
class Recognition:
    """Which exercise, how sure, the runners-up, and why no label was given when none was."""

    label: str | None
    confidence: float
    top5: list[dict] = field(default_factory=list)
    reason: str | None = None

    @classmethod
    def named(cls, label: str) -> Recognition:
        """The exercise the user named (a keypoint request, a live session): certain, nothing else in the running."""
        return cls(label, 1.0, [{"label": label, "confidence": 1.0}])

    def to_dict(self) -> dict:
        return {"label": self.label, "confidence": round(self.confidence, 4), "top5": self.top5, "reason": self.reason}


@dataclass(frozen=True)
class ClipMotion:
    """The main person's motion over a clip: YOLO's `(T, 17, 3)` keypoints at `times_s` (the frames YOLO saw) and,
    where BlazePose followed that person, its `(T', 21, 6)` body frames with world coordinates at `body_times_s`."""

    keypoints: np.ndarray
    times_s: np.ndarray
    body: np.ndarray | None = None
    body_times_s: np.ndarray | None = None


class Recognizer(Protocol):
    # Whether `recognize_clip` reads the world coordinates of BlazePose's body frames (the clip path then runs it).
    uses_world_motion: bool

    def recognize(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> Recognition: ...

    def recognize_clip(
        self, samples: list[tuple[np.ndarray, PoseFrame]], motion: ClipMotion | None = None
    ) -> Recognition:
        """The exercise of a clip from its voting frames and, optionally, the main person's motion."""


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


def block_vectors(blocks: dict[str, np.ndarray], name: str) -> np.ndarray:
    """One named feature block as a `(2, d)` array (the photo, its mirror) ready for the linear model.

    `geo` is the pose geometry; `*kp` keypoint samples are averaged per body part and `*mid` limb-midpoint
    samples over left and right; all but `geo` get a signed square root (power normalisation)."""
    if name == "geo":
        return np.stack([geometry_block(blocks["kp"][v], tuple(blocks["size"][v])) for v in range(2)])
    values = np.asarray(blocks[name], dtype=np.float32)
    if name.endswith("kp"):
        values = np.concatenate([values[:, list(part)].mean(axis=1) for part in BODY_PARTS], axis=1)
    elif name.endswith("mid"):
        values = np.concatenate([values[:, list(pair)].mean(axis=1) for pair in LIMB_PAIRS], axis=1)
    return np.sign(values) * np.sqrt(np.abs(values))


def needed_blocks(names: tuple[str, ...]) -> set[str]:
    return {name for name in names if name != "geo"}


def feature_views(blocks: dict[str, np.ndarray], names: tuple[str, ...] = FEATURE_BLOCKS) -> np.ndarray:
    """The `(2, D)` feature vectors of a photo and its mirror image: the named blocks side by side."""
    return np.concatenate([block_vectors(blocks, name) for name in names], axis=1).astype(np.float32)


class FeatureExtractor:
    """Computes the feature blocks a model needs with the crop network (image backbone and pose-network layers)."""

    def __init__(self, network: CropFeatureNetwork, names: tuple[str, ...] = FEATURE_BLOCKS):
        self.network = network
        self.names = tuple(names)

    def blocks(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> dict[str, np.ndarray]:
        return raw_blocks(self.network, image_bgr, pose_frame, needed_blocks(self.names))

    def views(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> np.ndarray:
        return feature_views(self.blocks(image_bgr, pose_frame), self.names)


@dataclass
class LinearModel:
    """Standardiser (block weights folded into `scale`) and multinomial logistic-regression weights, as numpy."""

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
    """The shipped recognizer: image-backbone and pose-network features and geometry into a linear model."""

    def __init__(
        self,
        model: LinearModel,
        network: CropFeatureNetwork,
        min_confidence: float = MIN_CONFIDENCE,
        blocks: tuple[str, ...] = FEATURE_BLOCKS,
        motion: MotionModel | None = None,
    ):
        self.model = model
        self.extractor = FeatureExtractor(network, blocks)
        self.min_confidence = min_confidence
        self.motion = motion

    @classmethod
    def from_dir(
        cls, folder: Path, network: CropFeatureNetwork, motion: MotionModel | None = None
    ) -> FeatureRecognizer:
        settings = read_settings(RecognizerSettings, folder / "settings.json", optional=True)
        return cls(LinearModel.load(folder), network, settings.min_confidence, settings.blocks, motion)

    def probabilities(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> np.ndarray:
        """Class probabilities, averaged over the photo and its mirror image."""
        return self.model.probabilities(self.extractor.views(image_bgr, pose_frame)).mean(axis=0)

    def recognize(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> Recognition:
        probabilities = self.probabilities(image_bgr, pose_frame)
        return recognition_from_probabilities(
            self.model.labels, probabilities, self.min_confidence, pose_frame.main_person() is not None
        )

    @property
    def uses_world_motion(self) -> bool:
        return self.motion is not None

    def recognize_clip(
        self, samples: list[tuple[np.ndarray, PoseFrame]], motion: ClipMotion | None = None
    ) -> Recognition:
        """The average of the voting frames' probabilities, fused with the motion model when the main person's
        motion is given."""
        probabilities = np.mean([self.probabilities(image, frame) for image, frame in samples], axis=0)
        person_found = any(frame.main_person() is not None for _, frame in samples)
        if self.motion is not None and motion is not None and person_found:
            return self.motion.recognize(motion, probabilities, self.model.labels)
        return recognition_from_probabilities(self.model.labels, probabilities, self.min_confidence, person_found)


_default_lock = threading.Lock()


def load_default_recognizer(
    network: CropFeatureNetwork, folder: Path = DEFAULT_MODEL_DIR, motion_folder: Path | None = None
) -> FeatureRecognizer:
    """The recognizer committed under `models/exercise-recognizer/`, with the motion model of
    `models/motion-recognizer/` (or `motion_folder`) for clips."""
    from api.ml.recognition_motion import DEFAULT_MOTION_MODEL_DIR, MotionModel

    with _default_lock:
        return FeatureRecognizer.from_dir(folder, network, MotionModel.load(motion_folder or DEFAULT_MOTION_MODEL_DIR))
