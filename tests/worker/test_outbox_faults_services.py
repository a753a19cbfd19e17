"""Outbox faults, part 2: the services a worker needs go away mid-batch.

As in part 1 (test_outbox_faults_worker): `celery worker` subprocesses, a real
SMTP server, the test sweeping as beat, emails counted per recipient. Here no
process dies, so nobody may get a second email."""

import time

import pytest

from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.reminders.dispatch import reminders_dispatch
from tests.worker.broker import queue_of_our_own
from tests.worker.faults import WAIT, Timings, all_done, drive, due_trainees, fault_env, settle, statuses, tally
from tests.worker.outages import database_unavailable, terminate_other_backends
from tests.worker.processes import Workers, forget_unacknowledged, wait_for_other_sessions_to_end

pytestmark = pytest.mark.django_db(transaction=True)

TRAINEES = 40


def test_the_broker_killed_mid_fan_out_and_restarted(
    fault_services, private_redis, smtp_server, settings, cohort, tmp_path, started
):
    """A Redis without persistence loses every queued task (and the unacked one)
    when it dies; the ledger still knows what is unsent, and once Redis is back
    the sweeps enqueue it again, after the lease."""
    addresses = due_trainees(cohort, TRAINEES)
    timings = Timings(batch=5).apply(settings)
    env = fault_env(settings, smtp_server, timings, REDIS_URL=private_redis.url)
    with queue_of_our_own(private_redis.url, prefix="test-fault") as queue:
        workers = Workers(queue, tmp_path, env)
        try:
            smtp_server.pause_before_accepting(8)  # in the second of eight batches
            assert reminders_dispatch().enqueued == TRAINEES
            workers.start("worker")
            assert smtp_server.paused.wait(WAIT), workers.logs()
            private_redis.kill()  # six batches were still queued
            smtp_server.release()  # the batch in hand goes on, and its rows are marked
            lost = {DeliveryStatus.SENT: 10, DeliveryStatus.PENDING: TRAINEES - 10}
            assert drive(lambda: statuses() == lost, timeout=5), statuses()
            assert smtp_server.total == 10  # the rest died with Redis
            private_redis.start()
            assert drive(all_done(TRAINEES)), workers.logs()
            settle()
        finally:
            workers.kill_all()
            wait_for_other_sessions_to_end()
            forget_unacknowledged(private_redis.url, queue)

    note = "30 queued sends lost with Redis, re-enqueued by sweeps"
    result, missing, extra = tally("Redis (broker) killed, restarted", addresses, smtp_server.counts(), started, note)
    assert (missing, extra) == ([], {}), result


# The soft time limit strikes while the mark is being retried (it waits for the
# mark); the hard limit and the lease stay beyond the outage.
OUTAGE = Timings(soft_limit=3, hard_limit=10, lease=12, mark_retry=20)


@pytest.mark.parametrize("fault", ["connection cut", "outage 4 s"])
def test_the_database_lost_between_the_servers_accept_and_the_mark(
    fault, fault_queue, smtp_server, settings, cohort, tmp_path, started
):
    """The server has accepted message 5 and the worker's database connection
    goes: the mark is retried until the database answers, so the email is not
    sent again after the lease (it was, when the task failed on the mark)."""
    addresses = due_trainees(cohort, TRAINEES)
    timings = OUTAGE.apply(settings)
    workers = Workers(fault_queue, tmp_path, fault_env(settings, smtp_server, timings))
    try:
        smtp_server.pause_after_accepting(5)
        assert reminders_dispatch().enqueued == TRAINEES
        workers.start("worker")
        assert smtp_server.paused.wait(WAIT), workers.logs()
        if fault == "connection cut":
            assert terminate_other_backends() >= 1
            smtp_server.release()
        else:
            with database_unavailable():
                smtp_server.release()
                time.sleep(4)
        # Past the lease: a row left "sending" would be taken over and sent again.
        assert drive(all_done(TRAINEES)), workers.logs()
        settle()
    finally:
        workers.kill_all()
        wait_for_other_sessions_to_end()

    note = f"{smtp_server.held.rcpt_tos[0]} (held, accepted) marked sent on attempt 1"
    result, missing, extra = tally(f"database {fault} before the mark", addresses, smtp_server.counts(), started, note)
    assert (missing, extra) == ([], {}), (result, workers.logs())
    held = Delivery.objects.get(user__email=smtp_server.held.rcpt_tos[0])
    assert (held.status, held.attempts) == (DeliveryStatus.SENT, 1)
