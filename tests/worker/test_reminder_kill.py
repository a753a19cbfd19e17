"""A worker PROCESS killed with SIGKILL in the middle of a batch, and a new one
started: every trainee still gets exactly one email.

Two `celery worker` processes in turn consume a queue of the test's own on Redis
and share the test database, so this needs PostgreSQL and Redis (CI has both).
The first worker's email backend stops before its 15th message (the 5th of the
second batch, which it claimed whole) and the test kills the whole process
group. The killed task's message is never acknowledged and the rest of its batch
stays claimed; the second worker takes the remaining batches, and a dispatcher run
after the claim lease (as beat would make) re-enqueues what is left. Each email
is a file named after its recipient, so duplicates and gaps are both visible."""

import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.prompts.sync import prompts_sync
from reflect.reminders.dispatch import reminders_dispatch
from tests.reminders.factories import many_trainees
from tests.worker.broker import queue_of_our_own, wait_until
from tests.worker.faults import due_now
from tests.worker.processes import Workers, forget_unacknowledged, wait_for_other_sessions_to_end, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

TRAINEES = 60
BATCH = 10
PAUSE_AT = 15  # mid-way through the second batch
LEASE = 5  # seconds: claim lease, and the broker's visibility timeout
WAIT = 60  # longest any single wait may take


@pytest.fixture
def kill_queue(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run in CI")
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL): run in CI")
    with queue_of_our_own(settings.REDIS_URL, prefix="test-kill") as queue:
        yield queue
        forget_unacknowledged(settings.REDIS_URL, queue)


def kill_env(settings, mail: Path) -> dict[str, str]:
    return worker_env(
        settings,
        EMAIL_BACKEND="tests.worker.mail_backends.PausingFileBackend",
        REFLECT_TEST_MAIL_DIR=str(mail),
        CELERY_VISIBILITY_TIMEOUT=str(LEASE),
        OUTBOX_CLAIM_LEASE_SECONDS=str(LEASE),
        # Time limits below the visibility timeout, as in production.
        OUTBOX_TASK_SOFT_TIME_LIMIT="3",
        OUTBOX_TASK_TIME_LIMIT="4",
    )


def mail_files(folder: Path) -> Counter:
    return Counter(path.name.split("--")[0] for path in folder.glob("*.eml"))


def statuses() -> Counter:
    return Counter(Delivery.objects.values_list("status", flat=True))


def test_a_worker_killed_mid_batch_and_a_new_one_give_every_trainee_one_email(kill_queue, settings, cohort, tmp_path):
    settings.OUTBOX_SEND_BATCH = BATCH
    settings.OUTBOX_CLAIM_LEASE_SECONDS = LEASE
    prompts_sync()  # a transactional test empties the tables the migrations filled
    due_now(cohort)
    trainees = many_trainees(cohort, TRAINEES)
    mail = tmp_path / "mail"
    mail.mkdir()
    workers = Workers(kill_queue, tmp_path, kill_env(settings, mail))
    try:
        assert reminders_dispatch().enqueued == TRAINEES
        first = workers.start("first", REFLECT_TEST_PAUSE_AT=str(PAUSE_AT))
        assert wait_until((mail / "paused").exists, WAIT), workers.logs()
        workers.kill(first)
        killed_at = time.monotonic()

        # The killed worker sent the first batch and part of the second; it had
        # claimed the rest of that batch, and its message was never acknowledged.
        assert sum(mail_files(mail).values()) == PAUSE_AT - 1
        assert statuses() == {
            DeliveryStatus.SENT: PAUSE_AT - 1,
            DeliveryStatus.SENDING: 2 * BATCH - (PAUSE_AT - 1),
            DeliveryStatus.PENDING: TRAINEES - 2 * BATCH,
        }

        workers.start("second")
        assert wait_until(lambda: statuses()[DeliveryStatus.SENT] >= TRAINEES - BATCH, WAIT), workers.logs()
        time.sleep(max(0.0, killed_at + LEASE + 0.5 - time.monotonic()))
        assert reminders_dispatch().created == 0  # beat's next tick, after the lease
        assert wait_until(lambda: statuses() == {DeliveryStatus.SENT: TRAINEES}, WAIT), (statuses(), workers.logs())
        time.sleep(1)  # let any duplicate task run: it must find nothing to send
    finally:
        workers.kill_all()
        wait_for_other_sessions_to_end()

    assert mail_files(mail) == Counter(trainee.email for trainee in trainees)
    assert not list(mail.glob(".*.part"))
    # Claimed by the killed worker but not sent, then taken over after the lease.
    taken_over = Delivery.objects.filter(attempts=2)
    assert taken_over.count() == 2 * BATCH - (PAUSE_AT - 1)
    assert set(taken_over.values_list("status", flat=True)) == {DeliveryStatus.SENT}
