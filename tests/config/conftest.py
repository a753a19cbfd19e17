import socket

import pytest

import config.cache
from config.settings import caches_for
from tests.conftest import PASSWORD


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis address where nothing listens: a free port, found by binding to it and letting go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def redis_down(settings, monkeypatch, dead_redis_url):
    """The site configured as production runs it (the cache settings for a REDIS_URL,
    django-allauth's own rate limits), while its Redis is down."""
    monkeypatch.setattr(config.cache, "_outages", {})  # each test sees its outage begin
    settings.CACHES = caches_for(dead_redis_url)
    del settings.ACCOUNT_RATE_LIMITS


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through django-allauth's login form, as a person does."""
    return client.post("/accounts/login/", {"login": email, "password": password})
