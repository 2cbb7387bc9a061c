"""The vision models of this process: configured once, loaded lazily or warmed at start-up."""

from __future__ import annotations

import threading
from dataclasses import replace

from api.ml.blazepose import get_blazepose_estimator
from api.ml.pose import POSE_ENGINES, PoseConfig, PoseEstimator, get_pose_estimator
from api.ml.recognition_network import crop_network_for

_config = PoseConfig()
_live_imgsz = 480
_pose_engine = "yolo"
_lock = threading.Lock()
_recognizers: dict = {}


def configure(pose_config: PoseConfig, live_imgsz: int = _live_imgsz, pose_engine: str = "yolo") -> None:
    """Choose the pose weights and input size used by this process (and the largest for live frames), and the
    engine whose keypoints judge posture (POSE_ENGINE: yolo, blazepose or auto)."""
    if pose_engine not in POSE_ENGINES:
        raise ValueError(f"POSE_ENGINE must be one of {', '.join(POSE_ENGINES)}, not {pose_engine!r}")
    global _config, _live_imgsz, _pose_engine
    with _lock:
        _config, _live_imgsz, _pose_engine = pose_config, live_imgsz, pose_engine


def configure_from_settings(settings) -> None:
    """Configure from the app's settings (a Flask config, or the settings a job's worker process receives)."""
    from pathlib import Path

    configure(
        PoseConfig(
            weights=settings["POSE_WEIGHTS"],
            imgsz=settings["POSE_IMGSZ"],
            backend=settings["POSE_BACKEND"],
            cache_dir=str(Path(settings["DATA_DIR"]) / "model-cache"),
        ),
        settings.get("LIVE_POSE_IMGSZ", _live_imgsz),
        settings.get("POSE_ENGINE", "yolo"),
    )


def pose_estimator() -> PoseEstimator:
    return get_pose_estimator(_config)


def pose_engine() -> str:
    """The POSE_ENGINE this process was configured with."""
    return _pose_engine


def live_pose_config() -> PoseConfig:
    """This process's pose settings with the live sessions' largest input size (frames are posed at their size)."""
    return replace(_config, imgsz=_live_imgsz)


def default_recognizer():
    """The shipped exercise recognizer, reading the layers of this process's pose weights."""
    from api.ml.recognition import load_default_recognizer

    network = crop_network_for(_config)
    with _lock:
        if network not in _recognizers:
            _recognizers[network] = load_default_recognizer(network)
        return _recognizers[network]


def warm_up() -> None:
    """Load every model now, so that the first request is not slow."""
    pose_estimator().warm_up()
    recognizer = default_recognizer()
    if _pose_engine != "yolo" or recognizer.uses_world_motion:  # clips follow the person with BlazePose
        get_blazepose_estimator().warm_up()


def vision_status() -> dict:
    """Which models this process has loaded."""
    return {
        "pose": pose_estimator().loaded,
        "pose_weights": pose_estimator().config.weights_path().name,
        "recognizer": crop_network_for(_config) in _recognizers,
        "pose_engine": _pose_engine,
        "blazepose": get_blazepose_estimator().loaded,
    }
