"""Faults inside one send batch, in-process: a database error after the server
accepted (a retried mark, not a resend), a server that cannot be reached (the
whole batch waits), a broker that is down (nothing raised; the sweep enqueues
later), and 5xx/4xx answers (who gets marked, and for how long)."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from reflect.outbox import sending
from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.outbox.sending import deliveries_send
from reflect.outbox.sweep import deliveries_enqueue, outbox_sweep

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def ids() -> list[int]:
    return list(Delivery.objects.order_by("id").values_list("id", flat=True))


def statuses() -> dict[str, int]:
    from collections import Counter

    return dict(Counter(Delivery.objects.values_list("status", flat=True)))


def after_the_lease(settings) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS + 1)


def test_a_database_error_after_the_server_accepted_is_retried_as_a_mark_not_a_resend(
    prompts_due, monkeypatch, settings
):
    prompts_due(3)
    real_finish, failures = sending._finish, [2]

    def finish_after_an_outage(delivery_id, status, error):
        if status == DeliveryStatus.SENT and failures[0]:
            failures[0] -= 1
            raise OperationalError("terminating connection due to administrator command")
        return real_finish(delivery_id, status, error)

    monkeypatch.setattr(sending, "_finish", finish_after_an_outage)
    monkeypatch.setattr(sending.time, "sleep", lambda seconds: None)
    outcome = deliveries_send(delivery_ids=ids())
    assert outcome.sent == 3 and failures == [0]
    assert statuses() == {DeliveryStatus.SENT: 3}
    outbox_sweep(now=after_the_lease(settings))
    assert len(mail.outbox) == 3


def test_a_mark_that_cannot_be_made_within_its_budget_fails_the_task_and_leaves_the_row_claimed(
    prompts_due, monkeypatch, settings
):
    settings.OUTBOX_MARK_RETRY_SECONDS = 0
    prompts_due(2)

    def database_gone(delivery_id, status, error):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(sending, "_finish", database_gone)
    with pytest.raises(OperationalError):
        deliveries_send(delivery_ids=ids())
    # The one whose mark failed stays claimed (its email went: only the lease
    # can tell); the one not yet tried is free again at once.
    assert statuses() == {DeliveryStatus.SENDING: 1, DeliveryStatus.PENDING: 1}
    assert len(mail.outbox) == 1


def test_a_server_that_cannot_be_reached_sends_the_whole_batch_to_wait(prompts_due, monkeypatch):
    prompts_due(4)
    opened = []

    def refuse(self):
        opened.append(1)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(f"{LOCMEM}.open", refuse)
    outcome = deliveries_send(delivery_ids=ids())
    assert opened == [1]  # one try, not one per email
    assert statuses() == {DeliveryStatus.PENDING: 4} and len(outcome.retry) == 4
    assert all(row.next_attempt_at > timezone.now() for row in Delivery.objects.all())
    assert set(Delivery.objects.values_list("error", flat=True)) == {"[Errno 111] Connection refused"}


def test_rows_waiting_for_their_backoff_are_not_sent_early_and_go_once_it_passes(prompts_due, monkeypatch):
    prompts_due(2)
    monkeypatch.setattr(f"{LOCMEM}.open", lambda self: (_ for _ in ()).throw(ConnectionRefusedError(111, "down")))
    deliveries_send(delivery_ids=ids())
    monkeypatch.undo()
    assert outbox_sweep() == 0 and mail.outbox == []
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert outbox_sweep() == 2
    assert len(mail.outbox) == 2 and statuses() == {DeliveryStatus.SENT: 2}


def test_a_broker_that_is_down_raises_nothing_and_the_next_sweep_enqueues(prompts_due, monkeypatch):
    from reflect.outbox import tasks

    prompts_due(3)
    real_delay = tasks.send_deliveries.delay

    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_deliveries, "delay", down)
    assert deliveries_enqueue(ids()) == 0
    assert not Delivery.objects.filter(enqueued_at__isnull=False).exists()  # nothing waits for a lease
    monkeypatch.setattr(tasks.send_deliveries, "delay", real_delay)
    assert outbox_sweep() == 3
    assert len(mail.outbox) == 3


def test_a_permanent_refusal_marks_the_person_with_the_servers_answer(prompts_due, monkeypatch):
    (trainee, *_) = prompts_due(2)

    def refuse(self, messages):
        if messages[0].to == [trainee.email]:
            raise smtplib.SMTPRecipientsRefused({trainee.email: (550, b"5.1.1 No such user")})
        return len(messages)

    monkeypatch.setattr(f"{LOCMEM}.send_messages", refuse)
    deliveries_send(delivery_ids=ids())
    trainee.refresh_from_db()
    assert trainee.email_failed_at is not None and trainee.email_failure == "550 5.1.1 No such user"
    row = Delivery.objects.get(user=trainee)
    assert (row.status, row.error) == (DeliveryStatus.FAILED, "550 5.1.1 No such user")


def test_a_temporary_refusal_marks_nobody_and_the_row_waits(prompts_due, monkeypatch):
    (trainee, *_) = prompts_due(1)

    def greylist(self, messages):
        raise smtplib.SMTPRecipientsRefused({trainee.email: (451, b"4.7.1 Greylisted, try again later")})

    monkeypatch.setattr(f"{LOCMEM}.send_messages", greylist)
    deliveries_send(delivery_ids=ids())
    trainee.refresh_from_db()
    assert trainee.email_failed_at is None
    row = Delivery.objects.get(user=trainee)
    assert row.status == DeliveryStatus.PENDING and row.error == "451 4.7.1 Greylisted, try again later"


def test_backoff_doubles_with_each_attempt_up_to_its_cap(settings):
    settings.OUTBOX_RETRY_SECONDS, settings.OUTBOX_MAX_BACKOFF = 60, 1800
    for attempts, base in [(1, 60), (2, 120), (3, 240), (6, 1800), (20, 1800)]:
        assert base <= sending.backoff(attempts) <= base * 1.5
