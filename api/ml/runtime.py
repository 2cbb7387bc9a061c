"""The vision models of this process: configured once, loaded lazily or warmed at start-up."""

from __future__ import annotations

import threading

from api.ml.pose import PoseConfig, PoseEstimator, get_pose_estimator

_config = PoseConfig()
_lock = threading.Lock()


def configure(pose_config: PoseConfig) -> None:
    """Choose the pose weights and input size used by this process."""
    global _config
    with _lock:
        _config = pose_config


def pose_estimator() -> PoseEstimator:
    return get_pose_estimator(_config)


def warm_up() -> None:
    """Load every model now, so that the first request is not slow."""
    pose_estimator().warm_up()


def vision_status() -> dict:
    """Which models this process has loaded."""
    return {"pose": pose_estimator().loaded, "pose_weights": pose_estimator().config.weights_path().name}
