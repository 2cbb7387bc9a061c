"""gunicorn settings from the environment; long timeouts so that a clip upload and its analysis fit."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
limit_request_line = 8190


def post_worker_init(worker):
    """Load the vision models in each worker before it takes requests, then leave everything loaded so far out of
    the garbage collector's full passes (with the models' objects they pause a worker for hundreds of ms)."""
    import gc

    app = worker.app.wsgi()
    if app.config.get("WARM_MODELS"):
        from api.ml import runtime

        runtime.warm_up()
    gc.collect()
    gc.freeze()
