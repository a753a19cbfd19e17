"""Outbox faults, part 3: what the mail server answers.

As in part 1 (test_outbox_faults_worker): a `celery worker` subprocess, a real
SMTP server, the test sweeping as beat, emails counted per recipient. A 4xx or
no server at all is "not now": tried again after a backoff, for as long as it
takes, and nobody is marked as refusing email. A 5xx at RCPT or DATA is "never"
for that address: its row fails with the server's answer, and its person is
marked, once."""

import pytest

from accounts.models import User
from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.reminders.dispatch import reminders_dispatch
from tests.worker.faults import Timings, all_done, drive, due_trainees, fault_env, settle, tally
from tests.worker.processes import Workers, wait_for_other_sessions_to_end

pytestmark = pytest.mark.django_db(transaction=True)

TRAINEES = 30


@pytest.fixture
def worker(fault_queue, smtp_server, settings, tmp_path):
    """Starts one worker with the given timings (and waits for it)."""
    workers = Workers(fault_queue, tmp_path, {})

    def start(timings: Timings) -> Workers:
        timings.apply(settings)
        workers.env.update(fault_env(settings, smtp_server, timings))
        workers.start("worker")
        assert workers.wait_ready("worker"), workers.logs()
        return workers

    yield start
    workers.kill_all()
    wait_for_other_sessions_to_end()


def test_greylisting_is_waited_out_and_nobody_is_marked(worker, smtp_server, cohort, started):
    addresses = due_trainees(cohort, TRAINEES)
    workers = worker(Timings(retry=0.3, max_backoff=1))
    smtp_server.at_rcpt("451 4.7.1 Greylisted, try again later", first_attempts=1)
    assert reminders_dispatch().enqueued == TRAINEES
    assert drive(all_done(TRAINEES)), workers.logs()
    settle()

    note = "2 RCPTs per address, nobody marked"
    result, missing, extra = tally(
        "greylisting (451 at RCPT, first try)", addresses, smtp_server.counts(), started, note
    )
    assert (missing, extra) == ([], {}), result
    assert smtp_server.rcpt_attempts() == dict.fromkeys(addresses, 2)
    assert not User.objects.filter(email_failed_at__isnull=False).exists()
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 2)}


def test_a_5xx_fails_that_row_for_good_and_marks_its_person(worker, smtp_server, cohort, started):
    addresses = due_trainees(cohort, TRAINEES)
    no_such_user, rejected = addresses[3], addresses[17]
    workers = worker(Timings())
    smtp_server.at_rcpt("550 5.1.1 No such user", no_such_user)
    smtp_server.at_data("554 5.6.0 Message rejected", rejected)
    assert reminders_dispatch().enqueued == TRAINEES
    assert drive(all_done(TRAINEES)), workers.logs()
    settle(3)  # several sweeps: none may try the failed rows again

    others = [a for a in addresses if a not in (no_such_user, rejected)]
    note = "2 rows FAILED, 2 people marked, 0 retries"
    result, missing, extra = tally("550 at RCPT + 554 at DATA", others, smtp_server.counts(), started, note)
    assert (missing, extra) == ([], {}), result
    for address, code in [(no_such_user, "550"), (rejected, "554")]:
        row = Delivery.objects.select_related("user").get(user__email=address)
        assert (row.status, row.attempts, row.error[:3]) == (DeliveryStatus.FAILED, 1, code)
        assert row.user.email_failed_at is not None and row.user.email_failure.startswith(code)
        assert smtp_server.rcpt_attempts()[address] == 1
    assert User.objects.filter(email_failed_at__isnull=False).count() == 2


def test_an_outage_longer_than_the_old_retry_budget_is_waited_out(worker, smtp_server, cohort, started):
    """Connections refused for 8 s while the backoff is 0.1 s doubling to 0.5 s:
    each row is tried about ten times, well past the five retries a task once
    had, and none is given up."""
    addresses = due_trainees(cohort, TRAINEES)
    workers = worker(Timings(retry=0.1, max_backoff=0.5))
    with smtp_server.down():
        assert reminders_dispatch().enqueued == TRAINEES
        drive(lambda: False, timeout=8, step=0.1)
    assert drive(all_done(TRAINEES)), workers.logs()
    settle()

    attempts = list(Delivery.objects.values_list("attempts", flat=True))
    note = f"attempts per row {min(attempts)}-{max(attempts)}"
    result, missing, extra = tally("SMTP server down 8 s", addresses, smtp_server.counts(), started, note)
    assert (missing, extra) == ([], {}), result
    assert min(attempts) > 6, attempts
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
