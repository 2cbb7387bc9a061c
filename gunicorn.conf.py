"""gunicorn settings, read from the environment by `api.config`; long timeouts so that a clip upload and its
analysis fit."""

from api.config import server_settings

_server = server_settings()
bind = _server["bind"]
workers = _server["workers"]
threads = _server["threads"]
timeout = _server["timeout"]
graceful_timeout = _server["graceful_timeout"]
keepalive = 5
max_requests = _server["max_requests"]
accesslog = None
errorlog = "-"
loglevel = _server["loglevel"]
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
