import functools

import pytest

from config.celery import app


@pytest.fixture(autouse=True)
def _tasks_run_at_once():
    """Celery tasks run in the test's own thread when they are enqueued."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what waits for the transaction to commit (the
    emails a roster change sends) when the block ends, as a real commit would."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)
