"""gunicorn's settings and a job child's settings are read from the environment in api/config.py only."""

import runpy

from api.config import REPO_ROOT, job_settings, job_settings_environment, server_settings

GUNICORN_VARIABLES = ("HOST", "PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
                      "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_MAX_REQUESTS", "LOG_LEVEL")  # fmt: skip


def test_gunicorn_defaults_are_kept(monkeypatch):
    for name in GUNICORN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert server_settings() == {"bind": "127.0.0.1:8000", "workers": 2, "threads": 1, "timeout": 300,
                                 "graceful_timeout": 30, "max_requests": 0, "loglevel": "info"}  # fmt: skip


def test_gunicorn_conf_takes_the_environment_through_api_config(monkeypatch):
    values = {"HOST": "0.0.0.0", "PORT": "9000", "WEB_CONCURRENCY": "4", "GUNICORN_THREADS": "3",
              "GUNICORN_TIMEOUT": "60", "GUNICORN_GRACEFUL_TIMEOUT": "5", "GUNICORN_MAX_REQUESTS": "100",
              "LOG_LEVEL": "WARNING"}  # fmt: skip
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    conf = runpy.run_path(str(REPO_ROOT / "gunicorn.conf.py"))
    assert (conf["bind"], conf["workers"], conf["threads"], conf["timeout"]) == ("0.0.0.0:9000", 4, 3, 60)
    assert (conf["graceful_timeout"], conf["max_requests"], conf["loglevel"]) == (5, 100, "warning")
    assert callable(conf["post_worker_init"])


def test_a_job_child_reads_back_the_settings_its_parent_handed_over(monkeypatch):
    settings = {"DATABASE_URL": "sqlite:///x.db", "TRAINING_THREADS": 2}
    for name, value in job_settings_environment(settings).items():
        monkeypatch.setenv(name, value)
    assert job_settings() == settings
