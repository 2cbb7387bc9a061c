"""Job kinds: a kind names its handler as 'module:object', so any process (a spawned child, a Celery worker) can
import it. A handler has `run(payload, context) -> dict | None`, called in the worker process, and optionally
`on_end(payload, status, reason, result)`, called in whichever process settles the job (inside an app context).
"""

from __future__ import annotations

import importlib

HANDLERS: dict[str, str] = {
    "training": "api.services.model_training.worker:TrainingHandler",
    "clip_analysis": "api.services.analyses:ClipAnalysisJob",
}


def register_kind(kind: str, handler_path: str) -> None:
    """Add a kind, e.g. `register_kind("clip_analysis", "api.services.analyses:ClipAnalysisJob")`, at import time."""
    if ":" not in handler_path:
        raise ValueError("handler_path must be 'module:object'")
    HANDLERS[kind] = handler_path


def handler_path_for(kind: str) -> str:
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}; known: {sorted(HANDLERS)}")
    return HANDLERS[kind]


# where the handlers were before the services moved to api/services/: a Celery message queued by an older web
# process still names them so
MOVED = {
    "api.training.worker:TrainingHandler": HANDLERS["training"],
    "api.analyses:ClipAnalysisJob": HANDLERS["clip_analysis"],
}


def load_handler(handler_path: str):
    """The handler object named by 'module:object'."""
    module_name, _, attribute = MOVED.get(handler_path, handler_path).partition(":")
    return getattr(importlib.import_module(module_name), attribute)
