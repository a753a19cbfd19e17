"""A real Celery worker (in-process thread) consuming from the configured broker:
Redis in CI, memory otherwise."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app
from reflect.journal.models import JournalEntry
from reflect.journal.tasks import purge_trash
from tests.worker.broker import wait_until


@pytest.mark.django_db(transaction=True)
def test_worker_purges_old_trash(own_queue, trainee, cohort, make_entry):
    old = make_entry(trainee, cohort, title="old")
    kept = make_entry(trainee, cohort, title="kept")
    JournalEntry.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=45))
    # Name the queue: the app caches its default queues from whichever test first asked.
    with start_worker(app, pool="solo", queues=[own_queue], perform_ping_check=False, shutdown_timeout=10):
        purge_trash.apply_async(queue=own_queue)
        assert wait_until(lambda: not JournalEntry.objects.filter(pk=old.pk).exists())
    assert JournalEntry.objects.filter(pk=kept.pk).exists()
