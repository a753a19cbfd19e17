"""For the worker tests: a queue of the test's own on a broker, and a polling wait."""

import contextlib
import time
import uuid

from config.celery import app

_SWAPPED = ("broker_url", "task_default_queue", "task_always_eager")


def _reset_producers() -> None:
    # The app caches its broker connections; drop them so a changed broker_url is used.
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def queue_of_our_own(broker_url: str, prefix: str = "test"):
    """Point the app at broker_url with a fresh default queue; delete the queue
    (and whatever is left in it) afterwards, and restore the app's settings."""
    queue = f"{prefix}-{uuid.uuid4().hex[:8]}"
    previous = {key: app.conf[key] for key in _SWAPPED}
    app.conf.update(broker_url=broker_url, task_default_queue=queue, task_always_eager=False)
    _reset_producers()
    try:
        yield queue
    finally:
        with contextlib.suppress(Exception), app.connection_for_write() as conn:
            bound = app.amqp.queues[queue](conn.default_channel)
            bound.declare()  # makes the binding known to this connection, so delete() removes it and its messages
            bound.delete()
        app.conf.update(previous)
        _reset_producers()


def wait_until(condition, timeout: float = 30.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())
