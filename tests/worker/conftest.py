import shutil
import time
from dataclasses import fields

import pytest
from django.db import connection

from tests.worker.broker import queue_of_our_own
from tests.worker.faults import RESULTS, Tally
from tests.worker.outages import PrivateRedis
from tests.worker.processes import forget_unacknowledged
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


@pytest.fixture
def fault_services(settings):
    """Worker subprocesses share the test database and a broker: PostgreSQL and
    Redis only (CI has both)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run in CI")
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL): run in CI")


@pytest.fixture
def fault_queue(fault_services, settings):
    """A queue of the test's own on $REDIS_URL, for the fault tests' workers."""
    with queue_of_our_own(settings.REDIS_URL, prefix="test-fault") as queue:
        yield queue
        forget_unacknowledged(settings.REDIS_URL, queue)


@pytest.fixture
def started() -> float:
    return time.monotonic()


def pytest_terminal_summary(terminalreporter):
    """The fault tests' measured numbers, as a table for the README."""
    if not RESULTS:
        return
    terminalreporter.section("outbox faults: emails per recipient at the SMTP server")
    terminalreporter.write_line("| " + " | ".join(f.name for f in fields(Tally)) + " |")
    terminalreporter.write_line("|" + "---|" * len(fields(Tally)))
    for result in RESULTS:
        terminalreporter.write_line(result.row())
