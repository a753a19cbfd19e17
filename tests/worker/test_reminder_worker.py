"""Weekly prompts through a real Celery worker (an in-process thread) consuming a
queue of its own on the configured broker: Redis in CI, memory otherwise.

The worker sees what the test commits (transactional tests), and Django's locmem
outbox is shared with the worker thread. On PostgreSQL the worker runs four
threads, so duplicate tasks race for the same ledger rows; SQLite's shared
in-memory test database allows one writer at a time, so there it runs one
(solo) and the test only reads the database once the worker has stopped."""

import contextlib
import datetime
import math
import threading
import time
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import EmailCategory, User
from config.celery import app
from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.outbox.sweep import outbox_sweep
from reflect.outbox.tasks import send_deliveries
from reflect.prompts.sync import prompts_sync
from reflect.reminders.dispatch import reminders_dispatch
from tests.reminders.factories import SUNDAY_EVENING, london_sunday_schedule, many_trainees
from tests.worker.broker import wait_until
from tests.worker.mail_backends import FlakyBackend

pytestmark = pytest.mark.django_db(transaction=True)

TRAINEES = 30
BATCH = 10
SEND_TASK = send_deliveries.name


@pytest.fixture
def finished_tasks():
    """How many send tasks the worker has finished (including runs that ended in a retry)."""
    done = Counter()
    lock = threading.Lock()

    def count(sender=None, **kwargs):
        if getattr(sender, "name", None) == SEND_TASK:
            with lock:
                done["runs"] += 1

    task_postrun.connect(count, weak=False)
    yield done
    task_postrun.disconnect(count)


@pytest.fixture
def due_trainees(settings, cohort) -> list[User]:
    settings.OUTBOX_SEND_BATCH = BATCH
    settings.EMAIL_BACKEND = "tests.worker.mail_backends.FlakyBackend"
    prompts_sync()  # a transactional test empties the tables the migrations filled
    london_sunday_schedule(cohort)
    return many_trainees(cohort, TRAINEES)


@contextlib.contextmanager
def worker(queue: str):
    threads = connection.vendor == "postgresql"
    with start_worker(
        app,
        pool="threads" if threads else "solo",
        concurrency=4 if threads else 1,
        queues=[queue],
        perform_ping_check=False,
        shutdown_timeout=20,
    ):
        yield


def outbox_count() -> Counter:
    return Counter(recipient for message in mail.outbox for recipient in message.to)


def statuses() -> Counter:
    return Counter(Delivery.objects.values_list("status", flat=True))


def test_dispatching_twice_and_duplicate_tasks_send_one_email_each(own_queue, finished_tasks, due_trainees, settings):
    first = reminders_dispatch(now=SUNDAY_EVENING)
    assert (first.created, first.enqueued) == (TRAINEES, TRAINEES)
    second = reminders_dispatch(now=SUNDAY_EVENING + datetime.timedelta(minutes=5))
    assert (second.created, second.enqueued) == (0, 0)
    # A beat after the lease re-enqueues every row still waiting, and a task
    # delivered twice by the broker runs twice: both race with the first tasks.
    after_lease = SUNDAY_EVENING + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS + 1)
    assert reminders_dispatch(now=after_lease).enqueued == TRAINEES
    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True))
    send_deliveries.delay(ids)
    tasks = 2 * math.ceil(TRAINEES / BATCH) + 1

    with worker(own_queue):
        assert wait_until(lambda: finished_tasks["runs"] >= tasks), finished_tasks

    assert finished_tasks["runs"] == tasks
    assert outbox_count() == Counter(u.email for u in due_trainees)
    assert statuses() == {DeliveryStatus.SENT: TRAINEES}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sent = Delivery.objects.filter(kind=EmailCategory.WEEKLY_PROMPT, sent_at__isnull=False)
    assert sent.count() == TRAINEES


def test_a_transient_smtp_failure_is_retried_and_sent_once(
    own_queue, finished_tasks, due_trainees, settings, monkeypatch
):
    flaky = due_trainees[12]
    monkeypatch.setattr(FlakyBackend, "transient", {flaky.email})
    reminders_dispatch(now=SUNDAY_EVENING)
    batches = math.ceil(TRAINEES / BATCH)

    with worker(own_queue):
        assert wait_until(lambda: finished_tasks["runs"] >= batches), finished_tasks
        waiting = Delivery.objects.get(user=flaky)
        assert waiting.status == DeliveryStatus.PENDING and waiting.next_attempt_at > timezone.now()
        # Its backoff passes, and beat's next sweep enqueues it alone. (The row's
        # week is SUNDAY_EVENING's, long past on the real clock the sweep reads.)
        in_its_week = timezone.now() + datetime.timedelta(days=1)
        Delivery.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now(), expires_at=in_its_week)
        assert outbox_sweep() == 1
        assert wait_until(lambda: finished_tasks["runs"] >= batches + 1), finished_tasks
        time.sleep(0.2)  # nothing else may follow
    tasks = batches + 1

    assert finished_tasks["runs"] == tasks
    assert FlakyBackend.transient == set()  # it did fail once
    assert outbox_count() == Counter(u.email for u in due_trainees)
    assert statuses() == {DeliveryStatus.SENT: TRAINEES}
    retried = Delivery.objects.get(user=flaky)
    assert retried.attempts == 2 and retried.error == ""
    assert set(Delivery.objects.exclude(user=flaky).values_list("attempts", flat=True)) == {1}


def test_a_refused_address_is_marked_and_does_not_block_the_others(
    own_queue, finished_tasks, due_trainees, monkeypatch
):
    refused = due_trainees[3]
    monkeypatch.setattr(FlakyBackend, "refused", {refused.email})
    reminders_dispatch(now=SUNDAY_EVENING)
    tasks = math.ceil(TRAINEES / BATCH)

    with worker(own_queue):
        assert wait_until(lambda: finished_tasks["runs"] >= tasks), finished_tasks
        time.sleep(0.2)

    assert finished_tasks["runs"] == tasks
    assert outbox_count() == Counter(u.email for u in due_trainees if u != refused)
    assert statuses() == {DeliveryStatus.SENT: TRAINEES - 1, DeliveryStatus.FAILED: 1}
    failed = Delivery.objects.get(user=refused)
    assert failed.status == DeliveryStatus.FAILED and "No such user" in failed.error
    refused.refresh_from_db()
    assert refused.email_failed_at is not None and "No such user" in refused.email_failure
    # The next week's dispatch leaves the failing address out.
    assert reminders_dispatch(now=SUNDAY_EVENING + datetime.timedelta(weeks=1)).created == TRAINEES - 1
