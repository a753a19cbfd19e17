import pytest
from django.db import transaction

from config.celery import app
from tests.access.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world, built once per module inside a transaction that is rolled back
    when the module ends. Each test runs in a savepoint inside it (the `db`
    fixture), so whatever an allowed request changes is undone after the test."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            built = build_world()
            yield built
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _tasks_run_at_once():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
