"""Celery on Redis, for running jobs on other processes or machines (`FITCOACH_QUEUE=celery`).

Start a worker (one job at a time per process; run several for more):

    FITCOACH_QUEUE=celery CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        celery -A api.jobs.celery_app worker --loglevel=INFO --concurrency=1 -Q fitcoach

Workers need the same `DATABASE_URL` (or data folder) and the same `FITCOACH_DATA_DIR` files as the web app.
Tasks are acknowledged late and rejected when their worker is lost, so a killed worker's message comes back;
the job then shows as interrupted (its worker stopped beating) instead of silently disappearing.
"""

from __future__ import annotations

from celery import Celery

from api.config import config_from_env

RUN_JOB_TASK = "fitcoach.run_job"
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}

_worker_flask_app = None


def make_celery(broker_url: str, queue: str, visibility_timeout_s: int) -> Celery:
    """A Celery app for FitCoach jobs on `broker_url`, sending to and consuming from `queue`."""
    celery = Celery("fitcoach", broker=broker_url)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=queue,
        task_publish_retry_policy=PUBLISH_RETRY,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        broker_transport_options={"visibility_timeout": visibility_timeout_s},
        worker_hijack_root_logger=False,
    )
    celery.task(name=RUN_JOB_TASK)(run_job)
    return celery


def run_job(job_id: int, handler_path: str) -> None:
    """The one Celery task: run a FitCoach job by its id, in this worker process."""
    from api.jobs.context import worker_app, worker_settings
    from api.jobs.execute import execute

    global _worker_flask_app
    if _worker_flask_app is None:
        config = config_from_env()
        _worker_flask_app = worker_app(worker_settings({k: getattr(config, k) for k in dir(config) if k.isupper()}))
    with _worker_flask_app.app_context():
        execute(job_id, handler_path, _worker_flask_app.config, claimed=False)


_config = config_from_env()
app = make_celery(_config.CELERY_BROKER_URL, _config.CELERY_QUEUE, _config.CELERY_VISIBILITY_TIMEOUT_S)
