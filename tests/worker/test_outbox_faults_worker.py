"""Outbox faults, part 1: worker processes killed mid-batch.

`celery worker` subprocesses send weekly prompts (or invitations) to a real SMTP
server on 127.0.0.1 and share the test database; the test plays beat by
sweeping the outbox, and counts what the server accepted per recipient.

The server holds its reply to the Nth message, either before recording it (the
sender dies before the server has accepted anything: no duplicate) or after
(the server has accepted it; the sender dies before it can mark the row, so
after the claim lease that one message goes again: exactly one duplicate, of
exactly that recipient). Everyone else gets exactly one email."""

import os
import signal

import pytest
from django.db import transaction
from django.utils import timezone

from reflect.cohorts.models import Role
from reflect.manage.mailing import cohort_emails_enqueue
from reflect.manage.models import CohortInvitation
from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.reminders.dispatch import reminders_dispatch
from tests.worker.faults import WAIT, Timings, all_done, drive, due_trainees, fault_env, sender_pid, settle, tally
from tests.worker.processes import Workers, children_of, wait_for_other_sessions_to_end

pytestmark = pytest.mark.django_db(transaction=True)

TRAINEES = 40
PAUSE_AT = 15  # mid-way through the second batch of ten


def hold(smtp_server, when: str) -> None:
    getattr(smtp_server, f"pause_{when}_accepting")(PAUSE_AT)


def held_address(smtp_server) -> str:
    assert smtp_server.paused.wait(WAIT), "no message reached the pause"
    return smtp_server.held.rcpt_tos[0]


def expected_extra(when: str, address: str) -> dict[str, int]:
    """Accepted but not marked: sent once more after the lease. Not accepted: never."""
    return {address: 1} if when == "after" else {}


def held_note(when: str, address: str) -> str:
    return f"{address} (held, accepted) twice" if when == "after" else f"{address} (held, not accepted) once"


def kill_holder(workers: Workers, proc, smtp_server) -> int:
    """SIGKILL the pool process that sent the held message (of two, the one that
    holds the SMTP connection), leaving the worker to replace it."""
    pid = sender_pid(smtp_server.held)
    assert pid in children_of(proc.pid), (pid, children_of(proc.pid))
    os.kill(pid, signal.SIGKILL)
    return pid


def finish(workers: Workers, smtp_server, count: int) -> None:
    """Beat until every row is done (past the lease when a claim was left behind).
    The held message is released only once the server has seen its sender go:
    released earlier, it would be accepted after all, on a socket nobody reads."""
    assert smtp_server.abandoned.wait(WAIT), workers.logs()
    smtp_server.release()
    try:
        assert drive(all_done(count)), workers.logs()
        settle()
    finally:
        workers.kill_all()
        wait_for_other_sessions_to_end()


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_worker_killed_mid_batch_then_a_new_one(when, fault_queue, smtp_server, settings, cohort, tmp_path, started):
    addresses = due_trainees(cohort, TRAINEES)
    timings = Timings().apply(settings)
    workers = Workers(fault_queue, tmp_path, fault_env(settings, smtp_server, timings))
    hold(smtp_server, when)
    assert reminders_dispatch().enqueued == TRAINEES
    first = workers.start("first")
    address = held_address(smtp_server)
    workers.kill(first)
    workers.start("second")
    finish(workers, smtp_server, TRAINEES)

    fault, note = f"worker SIGKILL, {when} accepting", held_note(when, address)
    result, missing, extra = tally(fault, addresses, smtp_server.counts(), started, note)
    assert (missing, extra) == ([], expected_extra(when, address)), result
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == TRAINEES


@pytest.mark.parametrize("when", ["after", "before"])
def test_one_pool_process_killed_mid_batch(when, fault_queue, smtp_server, settings, cohort, tmp_path, started):
    addresses = due_trainees(cohort, TRAINEES)
    timings = Timings().apply(settings)
    workers = Workers(fault_queue, tmp_path, fault_env(settings, smtp_server, timings), concurrency=2)
    proc = workers.start("pool")
    assert workers.wait_ready("pool"), workers.logs()  # else a killed child is not replaced
    hold(smtp_server, when)
    assert reminders_dispatch().enqueued == TRAINEES
    address = held_address(smtp_server)
    kill_holder(workers, proc, smtp_server)
    finish(workers, smtp_server, TRAINEES)

    fault, note = f"pool process SIGKILL, {when} accepting", held_note(when, address)
    result, missing, extra = tally(fault, addresses, smtp_server.counts(), started, note)
    assert (missing, extra) == ([], expected_extra(when, address)), result
    assert proc.returncode == -signal.SIGKILL  # it lived on until the test's own kill


def invite(cohort, by, count: int) -> list[str]:
    now = timezone.now()
    addresses = [f"invitee{n}@example.test" for n in range(count)]
    invitations = CohortInvitation.objects.bulk_create(
        CohortInvitation(cohort=cohort, email=a, role=Role.TRAINEE, invited_by=by, sent_at=now) for a in addresses
    )
    with transaction.atomic():  # enqueued when it commits, as a roster change is
        cohort_emails_enqueue(cohort=cohort, invitation_ids=[i.pk for i in invitations], added=[])
    return addresses


def test_invitations_with_the_pool_process_killed_mid_batch(
    fault_queue, smtp_server, settings, cohort, course_admin, tmp_path, started
):
    timings = Timings().apply(settings)
    workers = Workers(fault_queue, tmp_path, fault_env(settings, smtp_server, timings))
    proc = workers.start("pool")
    assert workers.wait_ready("pool"), workers.logs()
    hold(smtp_server, "after")
    addresses = invite(cohort, course_admin, TRAINEES)
    address = held_address(smtp_server)
    kill_holder(workers, proc, smtp_server)
    finish(workers, smtp_server, TRAINEES)

    fault, note = "invitations, pool process SIGKILL", held_note("after", address)
    result, missing, extra = tally(fault, addresses, smtp_server.counts(), started, note)
    assert (missing, extra) == ([], {address: 1}), result
    # The invitation's own record says it went (the kind's hook ran with the mark).
    assert set(CohortInvitation.objects.values_list("send_error", flat=True)) == {""}
