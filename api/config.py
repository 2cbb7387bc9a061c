"""Typed configuration read from the environment: the only place that reads `os.environ`."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

DEFAULT_JWT_SECRET = "change-me-fitcoach-default-secret"
JOB_SETTINGS_VARIABLE = "FITCOACH_JOB_SETTINGS"
REPO_ROOT = Path(__file__).resolve().parents[1]


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _log_level() -> str:
    return os.environ.get("LOG_LEVEL", "INFO")


def _data_dir() -> Path:
    return Path(os.environ.get("FITCOACH_DATA_DIR", REPO_ROOT / "instance")).resolve()


class Config:
    """Defaults for every environment; production reads secrets from the environment."""

    TESTING = False
    DEBUG = False
    VERSION = "0.1.0"

    def __init__(self) -> None:
        self.DATA_DIR = _data_dir()
        self.UPLOAD_DIR = self.DATA_DIR / "uploads"
        self.ARTIFACT_DIR = self.DATA_DIR / "artifacts"
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{self.DATA_DIR / 'fitcoach.db'}"
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", DEFAULT_JWT_SECRET)
        self.JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=_env_int("JWT_ACCESS_MINUTES", 30))
        self.JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=_env_int("JWT_REFRESH_DAYS", 30))
        self.MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 64) * 1024 * 1024
        self.MAX_IMAGE_PIXELS = _env_int("MAX_IMAGE_PIXELS", 40_000_000)
        self.MAX_CLIP_SECONDS = _env_int("MAX_CLIP_SECONDS", 600)
        self.SYNC_CLIP_SECONDS = _env_int("SYNC_CLIP_SECONDS", 60)
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_STRATEGY = "moving-window"  # a brute force cannot double its tries across a window edge
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.POSE_WEIGHTS = os.environ.get("POSE_WEIGHTS", "")
        self.POSE_IMGSZ = _env_int("POSE_IMGSZ", 640)
        self.POSE_BACKEND = os.environ.get("POSE_BACKEND", "onnx")
        # whose keypoints judge posture: yolo (yolo11n-pose), blazepose (MediaPipe Pose), auto (per exercise)
        self.POSE_ENGINE = os.environ.get("POSE_ENGINE", "yolo")
        self.WARM_MODELS = _env_bool("WARM_MODELS", True)
        self.LOG_LEVEL = _log_level().upper()
        self.LOG_JSON = _env_bool("LOG_JSON", True)
        # live sessions: "" keeps their running state in the database, a redis:// URL in Redis
        self.LIVE_STORE_URL = os.environ.get("LIVE_STORE_URL", "")
        self.LIVE_TTL_S = _env_int("LIVE_SESSION_TTL_S", 1800)
        self.LIVE_MAX_LEAD_S = _env_int("LIVE_MAX_LEAD_S", 120)
        self.LIVE_MAX_BATCH_FRAMES = _env_int("LIVE_MAX_BATCH_FRAMES", 300)
        self.LIVE_MAX_JPEG_FRAMES = _env_int("LIVE_MAX_JPEG_FRAMES", 16)
        self.LIVE_MAX_FRAME_SIDE = _env_int("LIVE_MAX_FRAME_SIDE", 1280)
        self.LIVE_MAX_FRAMES = _env_int("LIVE_MAX_FRAMES", 108_000)
        self.LIVE_POSE_IMGSZ = _env_int("LIVE_POSE_IMGSZ", 480)
        self.LIVE_MAX_MESSAGE_BYTES = _env_int("LIVE_MAX_MESSAGE_KB", 2048) * 1024
        self.LIVE_PING_INTERVAL_S = _env_int("LIVE_PING_INTERVAL_S", 25)
        # datasets (zip uploads, checked before they are accepted)
        self.DATASET_DIR = self.DATA_DIR / "datasets"
        self.DATASET_MAX_UPLOAD_MB = _env_int("DATASET_MAX_UPLOAD_MB", 512)
        self.DATASET_MAX_FILES = _env_int("DATASET_MAX_FILES", 20_000)
        self.DATASET_MAX_UNPACKED_MB = _env_int("DATASET_MAX_UNPACKED_MB", 2048)
        self.DATASET_MAX_COMPRESSION_RATIO = _env_int("DATASET_MAX_COMPRESSION_RATIO", 100)
        self.DATASET_VAL_PERCENT = _env_int("DATASET_VAL_PERCENT", 20)
        self.DATASET_SPLIT_SEED = _env_int("DATASET_SPLIT_SEED", 0)
        # training jobs and the job runner
        self.FITCOACH_QUEUE = os.environ.get("FITCOACH_QUEUE", "inprocess")
        self.CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
        self.CELERY_QUEUE = os.environ.get("CELERY_QUEUE", "fitcoach")
        self.CELERY_VISIBILITY_TIMEOUT_S = _env_int("CELERY_VISIBILITY_TIMEOUT_S", 6 * 3600)
        self.JOB_HEARTBEAT_S = _env_int("JOB_HEARTBEAT_S", 10)
        self.JOB_STALE_S = _env_int("JOB_STALE_S", 120)
        self.JOB_POLL_S = _env_int("JOB_POLL_S", 2)
        self.TRAINING_DEVICE = os.environ.get("TRAINING_DEVICE", "cpu")
        self.TRAINING_THREADS = _env_int("TRAINING_THREADS", os.cpu_count() or 1)
        self.TRAINING_MAX_EPOCHS = _env_int("TRAINING_MAX_EPOCHS", 300)
        self.TRAINING_MAX_IMGSZ = _env_int("TRAINING_MAX_IMGSZ", 1280)
        self.TRAINING_MAX_BATCH = _env_int("TRAINING_MAX_BATCH", 128)
        self.TRAINING_USER_ACTIVE_JOBS = _env_int("TRAINING_USER_ACTIVE_JOBS", 1)
        self.TRAINING_USER_MAX_EPOCH_IMAGES = _env_int("TRAINING_USER_MAX_EPOCH_IMAGES", 200_000)


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    """A fresh data folder per test session is set by the test fixtures through `overrides`."""

    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or self.SQLALCHEMY_DATABASE_URI
        self.JWT_SECRET_KEY = "testing-secret-key-at-least-32-bytes-long"
        self.WARM_MODELS = False
        self.LOG_JSON = False


class ProductionConfig(Config):
    pass


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def config_from_env() -> Config:
    """The configuration named by `FITCOACH_CONFIG` (production by default)."""
    name = os.environ.get("FITCOACH_CONFIG", "production")
    if name not in CONFIGS:
        raise RuntimeError(f"FITCOACH_CONFIG must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]()


def server_settings() -> dict:
    """gunicorn's settings (read by `gunicorn.conf.py`): address, workers, threads, timeouts, log level."""
    return {
        "bind": f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}",
        "workers": _env_int("WEB_CONCURRENCY", 2),
        "threads": _env_int("GUNICORN_THREADS", 1),
        "timeout": _env_int("GUNICORN_TIMEOUT", 300),
        "graceful_timeout": _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30),
        "max_requests": _env_int("GUNICORN_MAX_REQUESTS", 0),
        "loglevel": _log_level().lower(),
    }


def job_settings_environment(settings: dict) -> dict:
    """The variables that hand the app's settings to a job's child process (see `job_settings`)."""
    return {JOB_SETTINGS_VARIABLE: json.dumps(settings)}


def job_settings() -> dict:
    """The app's settings in a job's child process, as its parent handed them over."""
    return json.loads(os.environ[JOB_SETTINGS_VARIABLE])
