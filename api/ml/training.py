"""Train YOLO11 detectors and classifiers with Ultralytics, reporting every finished epoch as it ends.

`train(config, data, run_dir, on_epoch=...)` builds the model (from the pose network's backbone, from a registered
model's weights, or from scratch), adds an `on_fit_epoch_end` callback that hands each epoch's metrics to
`on_epoch` (which may stop the run by raising `TrainingCancelled`), and returns where the weights are.
Nothing here knows about jobs, databases or HTTP.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import api.ml  # noqa: F401  (offline Ultralytics before it is imported)

TASKS = ("detect", "classify")
MODEL_YAML = {"detect": "yolo11n.yaml", "classify": "yolo11n-cls.yaml"}
STARTS = ("pose", "model", "none")
DEFAULT_EPOCHS = 30
DEFAULT_IMGSZ = {"detect": 640, "classify": 224}
METRIC_NAMES = {
    "metrics/precision(B)": "precision",
    "metrics/recall(B)": "recall",
    "metrics/mAP50(B)": "map50",
    "metrics/mAP50-95(B)": "map50_95",
    "metrics/accuracy_top1": "top1",
    "metrics/accuracy_top5": "top5",
    "lr/pg0": "lr",
}
INFERENCE_REPEATS = 5


class TrainingCancelled(Exception):
    """Raised by an `on_epoch` callback to stop training after the epoch that just ended (its checkpoint is kept)."""


@dataclass(frozen=True)
class TrainingConfig:
    """One training run's settings; unknown keys are refused by the constructor."""

    task: str
    epochs: int
    imgsz: int
    batch: int = 16
    patience: int = 20
    seed: int = 0
    start: str = "pose"
    start_weights: str = ""
    device: str = "cpu"
    threads: int = 2
    workers: int = 0

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}")
        if self.start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}")
        if self.start != "none" and not self.start_weights:
            raise ValueError(f"start {self.start!r} needs start_weights")

    @property
    def plots(self) -> bool:
        """Ultralytics fills a detector's confusion matrix only while it plots; a classifier's always."""
        return self.task == "detect"

    def train_arguments(self) -> dict:
        """The keyword arguments of `YOLO.train` these settings stand for (the same for a bare run and a job)."""
        return {
            "epochs": self.epochs,
            "imgsz": self.imgsz,
            "batch": self.batch,
            "patience": self.patience,
            "seed": self.seed,
            "device": self.device,
            "workers": self.workers,
            "plots": self.plots,
            "verbose": False,
        }


def default_settings() -> dict:
    """The defaults a training request starts from: epochs, batch, patience, seed and start."""
    given = {f.name: f.default for f in fields(TrainingConfig) if f.name in ("batch", "patience", "seed", "start")}
    return {"epochs": DEFAULT_EPOCHS, **given}


@dataclass
class EpochReport:
    """One finished epoch: 1-based number, named metrics, and the confusion matrix when the epoch made one."""

    epoch: int
    epochs: int
    metrics: dict[str, float]
    epoch_s: float
    confusion_matrix: list[list[int]] | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainingResult:
    """Where the weights are and how the best weights scored on the validation split."""

    best_weights: Path
    last_weights: Path
    epochs_done: int
    class_names: list[str]
    final_metrics: dict[str, float] = field(default_factory=dict)
    confusion_matrix: list[list[int]] | None = None


def metric_name(raw: str) -> str:
    """Ultralytics' metric keys as plain names: 'train/box_loss' -> 'train_box_loss', 'metrics/mAP50(B)' -> 'map50'."""
    if raw in METRIC_NAMES:
        return METRIC_NAMES[raw]
    return re.sub(r"[^a-z0-9]+", "_", raw.lower()).strip("_")


def normalise_metrics(raw: dict) -> dict[str, float]:
    """Plain names and finite floats; NaN and infinite values are dropped, and only the first learning rate is kept."""
    named = {}
    for key, value in raw.items():
        if key.startswith("lr/") and key != "lr/pg0":
            continue
        number = float(value)
        if math.isfinite(number):
            named[metric_name(key)] = round(number, 6)
    return named


def confusion_rows_true(matrix) -> list[list[int]]:
    """Ultralytics stores predicted x true; charts and people read true x predicted."""
    return [[int(round(float(v))) for v in row] for row in matrix.T]


def build_model(config: TrainingConfig):
    """A YOLO11n model for the task: pose backbone weights, a registered model's weights, or random weights."""
    from ultralytics import YOLO

    if config.start == "model":
        return YOLO(config.start_weights, task=config.task)
    model = YOLO(MODEL_YAML[config.task], task=config.task)
    if config.start == "pose":
        model.load(config.start_weights)
    return model


def write_data_yaml(dataset_dir: Path, class_names: list[str], run_dir: Path) -> Path:
    """The data.yaml Ultralytics reads for a detection dataset in normal form (absolute path, so it can move)."""
    import yaml

    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "data.yaml"
    content = {
        "path": str(dataset_dir.resolve()),
        "train": "images/train",
        "val": "images/val",
        "names": dict(enumerate(class_names)),
    }
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True))
    return path


def training_data(task: str, dataset_dir: Path, class_names: list[str], run_dir: Path) -> str:
    """What to pass as `data=`: a data.yaml for detection, the folder itself for classification."""
    if task == "detect":
        return str(write_data_yaml(dataset_dir, class_names, run_dir))
    return str(dataset_dir.resolve())


class _LogRelay(logging.Handler):
    def __init__(self, on_log: Callable[[str], None]):
        super().__init__(logging.INFO)
        self.on_log = on_log

    def emit(self, record: logging.LogRecord) -> None:
        for line in self.format(record).splitlines():
            if line.strip():
                self.on_log(line.rstrip())


class _EpochCallbacks:
    """Turns Ultralytics' trainer events into `EpochReport`s; tells the final evaluation apart from epochs."""

    def __init__(self, on_epoch: Callable[[EpochReport], None] | None):
        self.on_epoch = on_epoch
        self.pending_epoch: int | None = None
        self.epoch_started = time.perf_counter()
        self.final: EpochReport | None = None

    def epoch_start(self, trainer) -> None:
        self.epoch_started = time.perf_counter()

    def train_epoch_end(self, trainer) -> None:
        self.pending_epoch = trainer.epoch

    def fit_epoch_end(self, trainer) -> None:
        report = EpochReport(
            epoch=trainer.epoch + 1,
            epochs=trainer.epochs,
            metrics=normalise_metrics(
                {**(trainer.label_loss_items(trainer.tloss) if trainer.tloss else {}), **trainer.metrics, **trainer.lr}
            ),
            epoch_s=round(time.perf_counter() - self.epoch_started, 3),
            confusion_matrix=self._confusion_matrix(trainer),
        )
        if self.pending_epoch != trainer.epoch:  # called from final_eval, with the best weights
            report.metrics = {k: v for k, v in report.metrics.items() if not k.startswith(("train_", "lr"))}
            self.final = report
            return
        self.pending_epoch = None
        if self.on_epoch:
            self.on_epoch(report)

    @staticmethod
    def _confusion_matrix(trainer) -> list[list[int]] | None:
        matrix = getattr(getattr(trainer.validator, "confusion_matrix", None), "matrix", None)
        if matrix is None or not matrix.sum():
            return None
        return confusion_rows_true(matrix)


def train(
    config: TrainingConfig,
    data: str,
    run_dir: Path,
    on_epoch: Callable[[EpochReport], None] | None = None,
    on_log: Callable[[str], None] | None = None,
    resume_from: Path | None = None,
) -> TrainingResult:
    """Train (or resume from `resume_from`, a last.pt with its optimizer state) into `run_dir`."""
    import torch
    from ultralytics import YOLO
    from ultralytics.utils import LOGGER

    torch.set_num_threads(config.threads)
    model = YOLO(str(resume_from), task=config.task) if resume_from else build_model(config)
    events = _EpochCallbacks(on_epoch)
    model.add_callback("on_train_epoch_start", events.epoch_start)
    model.add_callback("on_train_epoch_end", events.train_epoch_end)
    model.add_callback("on_fit_epoch_end", events.fit_epoch_end)
    relay = _LogRelay(on_log) if on_log else None
    previous_level = LOGGER.level
    if relay:
        LOGGER.addHandler(relay)
        LOGGER.setLevel(logging.INFO)
    try:
        arguments = config.train_arguments()
        if resume_from:
            model.train(resume=True, data=data, save_dir=str(run_dir), **arguments)
        else:
            model.train(data=data, save_dir=str(run_dir), exist_ok=True, **arguments)
    finally:
        if relay:
            LOGGER.removeHandler(relay)
            LOGGER.setLevel(previous_level)
    trainer = model.trainer
    final = events.final
    return TrainingResult(
        best_weights=Path(trainer.best),
        last_weights=Path(trainer.last),
        epochs_done=trainer.epoch + 1,
        class_names=[trainer.data["names"][i] for i in sorted(trainer.data["names"])],
        final_metrics=final.metrics if final else {},
        confusion_matrix=final.confusion_matrix if final else None,
    )


def measure_inference_ms(weights: Path, image_path: Path, imgsz: int, repeats: int = INFERENCE_REPEATS) -> float:
    """Median milliseconds of one prediction on one image at `imgsz`, after a warm-up run."""
    from ultralytics import YOLO

    model = YOLO(str(weights))
    model.predict(str(image_path), imgsz=imgsz, device="cpu", verbose=False)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.predict(str(image_path), imgsz=imgsz, device="cpu", verbose=False)
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 2)


def describe_failure(exc: BaseException) -> str:
    """A reason a person understands for a training run that raised `exc`."""
    text = str(exc)
    if isinstance(exc, MemoryError) or "out of memory" in text.lower():
        return "training ran out of memory: try a smaller batch or image size"
    if isinstance(exc, FileNotFoundError):
        return f"a file training needs is missing ({exc.filename or text}); was the dataset deleted?"
    if isinstance(exc, RuntimeError) and ("size mismatch" in text or "shape" in text):
        return "the starting weights do not fit this task or these classes; start from the pose backbone or none"
    if isinstance(exc, AssertionError) and "nothing to resume" in text:
        return "the checkpoint has finished all its epochs: there is nothing left to resume"
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return f"training stopped with an error: {exc.__class__.__name__}: {first_line[:300]}".rstrip(": ")
