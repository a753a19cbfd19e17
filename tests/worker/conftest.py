import shutil

import pytest

from tests.worker.broker import queue_of_our_own
from tests.worker.outages import PrivateRedis
from tests.worker.smtp_server import SmtpServer


@pytest.fixture
def own_queue(settings):
    """Tasks go to a queue of this test's own, on Redis when REDIS_URL is set."""
    with queue_of_our_own(settings.REDIS_URL or "memory://") as queue:
        yield queue


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (tests/worker/smtp_server.py); `.env()`
    gives a worker subprocess the settings to send to it."""
    server = SmtpServer()
    server.start()
    yield server
    server.release()  # a pause still held would only delay stop()
    server.stop()


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own that it may kill and restart (`.url`)."""
    if not shutil.which("redis-server"):
        pytest.skip("needs the redis-server binary")
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.kill()
