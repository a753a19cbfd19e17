"""A real Celery worker (in-process thread) consuming from the configured broker:
Redis in CI, memory otherwise."""

import datetime
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from config.celery import app
from reflect.journal.models import JournalEntry
from reflect.journal.tasks import purge_trash


@pytest.fixture
def worker_app():
    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous = {k: app.conf[k] for k in ("broker_url", "task_default_queue", "task_always_eager")}
    app.conf.update(broker_url=settings.REDIS_URL or "memory://", task_default_queue=queue, task_always_eager=False)
    yield app
    app.conf.update(previous)


def wait_until(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_purges_old_trash(worker_app, trainee, cohort, make_entry):
    old = make_entry(trainee, cohort, title="old")
    kept = make_entry(trainee, cohort, title="kept")
    JournalEntry.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=45))
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        purge_trash.apply_async(queue=worker_app.conf.task_default_queue)
        assert wait_until(lambda: not JournalEntry.objects.filter(pk=old.pk).exists())
    assert JournalEntry.objects.filter(pk=kept.pk).exists()
