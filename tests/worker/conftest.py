import pytest

from tests.worker.broker import queue_of_our_own


@pytest.fixture
def own_queue(settings):
    """Tasks go to a queue of this test's own, on Redis when REDIS_URL is set."""
    with queue_of_our_own(settings.REDIS_URL or "memory://") as queue:
        yield queue
