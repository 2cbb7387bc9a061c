"""Fixtures shared by the API tests."""

import pytest


@pytest.fixture
def redis_store(app):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    app.config["LIVE_STORE_URL"] = url
    yield redis.Redis.from_url(url)
    app.config["LIVE_STORE_URL"] = ""
