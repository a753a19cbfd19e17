"""The production cache backend (config/cache.py) while Redis fails: the database
cache answers, Redis is left alone for a few seconds after a failure, each outage
is logged once, and the cache goes back to Redis when it answers again."""

import logging
import os
import uuid

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError

from config.settings import caches_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_attempts(monkeypatch):
    """How many times the cache has tried to reach Redis."""
    attempts = []
    get_client = RedisCacheClient.get_client

    def counted(self, *args, **kwargs):
        attempts.append(1)
        return get_client(self, *args, **kwargs)

    monkeypatch.setattr(RedisCacheClient, "get_client", counted)
    return attempts


def retrying_at_once(caches_setting: dict) -> dict:
    """The same CACHES, trying Redis again on every call instead of after a few seconds."""
    default = caches_setting["default"]
    return {**caches_setting, "default": {**default, "OPTIONS": {**default["OPTIONS"], "RETRY_SECONDS": 0}}}


def cache_warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "config.cache"]


def test_it_answers_from_the_database_cache(redis_down):
    cache.set("failed-logins", 4, 300)

    assert cache.get("failed-logins") == 4
    assert caches["database"].get("failed-logins") == 4
    assert cache.add("claim", True) and not cache.add("claim", True)
    assert cache.get_or_set("made", lambda: "once") == "once"


def test_it_leaves_redis_alone_for_a_few_seconds_after_a_failure(redis_down, redis_attempts):
    for _ in range(5):
        cache.get("anything")

    assert len(redis_attempts) == 1


def test_it_logs_an_outage_once_however_often_it_tries_again(redis_down, settings, redis_attempts, caplog):
    settings.CACHES = retrying_at_once(settings.CACHES)
    caplog.set_level(logging.INFO, logger="config.cache")
    for _ in range(3):
        cache.get("anything")

    assert len(redis_attempts) == 3
    assert len(cache_warnings(caplog)) == 1


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL)")
def test_it_goes_back_to_redis_when_it_answers_again(redis_down, settings, monkeypatch, caplog):
    settings.CACHES = retrying_at_once(caches_for(os.environ["REDIS_URL"]))
    get_client = RedisCacheClient.get_client
    failures = [RedisConnectionError("Connection refused.")]

    def down_once(self, *args, **kwargs):
        if failures:
            raise failures.pop()
        return get_client(self, *args, **kwargs)

    monkeypatch.setattr(RedisCacheClient, "get_client", down_once)
    caplog.set_level(logging.INFO, logger="config.cache")
    key = f"where-{uuid.uuid4()}"  # the Redis may be shared with other test runs
    cache.set(key, "database", 60)
    cache.set(key, "redis", 60)

    assert caches["database"].get(key) == "database"
    assert cache.get(key) == "redis"
    assert cache_warnings(caplog)[-1] == "Redis cache answers again; back to Redis."
    cache.delete(key)
