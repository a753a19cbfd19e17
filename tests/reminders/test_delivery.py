"""Sending one ledger row: claim, send once, mark; failures recorded, not repeated."""

import datetime
import smtplib

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from reflect.outbox import sending as delivery
from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.outbox.sending import TAKEN, deliveries_send
from reflect.outbox.tasks import send_deliveries
from reflect.reminders.dispatch import reminders_dispatch
from tests.reminders.factories import SUNDAY_EVENING, london_sunday_schedule, many_trainees

pytestmark = pytest.mark.django_db

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def prompt_due(cohort) -> None:
    """Every trainee of the cohort gets a ledger row for SUNDAY_EVENING's prompt."""
    cohort.start_date, cohort.end_date = (
        SUNDAY_EVENING.date().replace(month=9),
        SUNDAY_EVENING.date().replace(year=2027),
    )
    cohort.save()
    london_sunday_schedule(cohort)
    reminders_dispatch(now=SUNDAY_EVENING)


@pytest.fixture
def due(trainee, cohort):
    prompt_due(cohort)
    return Delivery.objects.get(user=trainee)


def test_sending_twice_gives_one_email(due, trainee):
    assert delivery.delivery_send(delivery_id=due.pk) == DeliveryStatus.SENT
    assert delivery.delivery_send(delivery_id=due.pk) == "taken"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [trainee.email]
    due.refresh_from_db()
    assert due.status == DeliveryStatus.SENT
    assert abs(due.sent_at - timezone.now()) < datetime.timedelta(minutes=1)


def test_the_task_sends_a_batch(due):
    assert send_deliveries.apply(args=[[due.pk, due.pk]]).get() == 1
    assert len(mail.outbox) == 1


def test_a_refused_address_is_marked_and_not_retried(due, trainee, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({trainee.email: (550, b"No such user")})

    monkeypatch.setattr(LOCMEM_SEND, refuse)
    assert delivery.delivery_send(delivery_id=due.pk) == DeliveryStatus.FAILED
    trainee.refresh_from_db()
    assert trainee.email_failed_at is not None
    assert delivery.delivery_send(delivery_id=due.pk) == "taken"


def test_a_temporary_failure_gives_the_row_back_for_a_retry(due, monkeypatch):
    def disconnect(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("try later")

    monkeypatch.setattr(LOCMEM_SEND, disconnect)
    assert delivery.delivery_send(delivery_id=due.pk) == DeliveryStatus.PENDING
    due.refresh_from_db()
    assert due.status == DeliveryStatus.PENDING and "try later" in due.error
    assert due.next_attempt_at > timezone.now()
    monkeypatch.undo()
    assert delivery.delivery_send(delivery_id=due.pk) == TAKEN  # not before its backoff
    Delivery.objects.filter(pk=due.pk).update(next_attempt_at=timezone.now())
    assert delivery.delivery_send(delivery_id=due.pk) == DeliveryStatus.SENT


@pytest.fixture
def due_many(cohort):
    def make(count: int) -> list[int]:
        cohort.start_date, cohort.end_date = (
            SUNDAY_EVENING.date().replace(month=9),
            SUNDAY_EVENING.date().replace(year=2027),
        )
        cohort.save()
        london_sunday_schedule(cohort)
        many_trainees(cohort, count)
        reminders_dispatch(now=SUNDAY_EVENING)
        return list(Delivery.objects.order_by("id").values_list("id", flat=True))

    return make


@pytest.mark.parametrize("size", [3, 12])
def test_a_batch_costs_a_constant_plus_one_query_per_email(due_many, size, django_assert_num_queries):
    ids = due_many(size)
    # Claim, read the claimed rows, prompts, cohorts, who wrote this week; then one mark per email.
    with django_assert_num_queries(5 + size):
        outcome = deliveries_send(delivery_ids=ids)
    assert outcome.sent == size and len(mail.outbox) == size


def test_a_batch_uses_one_mail_server_connection(due_many, settings):
    settings.EMAIL_BACKEND = "tests.reminders.test_delivery.CountingBackend"
    CountingBackend.opened = 0
    deliveries_send(delivery_ids=due_many(5))
    assert CountingBackend.opened == 1 and len(mail.outbox) == 5


def test_overlapping_batches_send_each_row_once(due_many):
    a, b, c = due_many(3)
    first = deliveries_send(delivery_ids=[a, b])
    second = deliveries_send(delivery_ids=[b, c])
    assert (first.sent, second.sent) == (2, 1)
    assert second.statuses[b] == TAKEN
    assert sorted(m.to[0] for m in mail.outbox) == sorted(set(m.to[0] for m in mail.outbox))


def test_a_transient_failure_gives_back_only_that_row(due_many, monkeypatch):
    ids = due_many(3)
    flaky = Delivery.objects.select_related("user").get(pk=ids[1]).user.email
    send = LocmemBackend.send_messages

    def fail_for_one(self, messages):
        if messages[0].to == [flaky]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return send(self, messages)

    monkeypatch.setattr(LOCMEM_SEND, fail_for_one)
    outcome = deliveries_send(delivery_ids=ids)
    assert outcome.sent == 2 and list(outcome.retry) == [ids[1]]
    assert len(mail.outbox) == 2 and flaky not in {m.to[0] for m in mail.outbox}
    statuses = dict(Delivery.objects.values_list("id", "status"))
    assert statuses == {ids[0]: DeliveryStatus.SENT, ids[1]: DeliveryStatus.PENDING, ids[2]: DeliveryStatus.SENT}


def test_rows_not_yet_tried_go_back_when_a_batch_stops_early(due_many, monkeypatch):
    ids = due_many(3)

    def time_is_up(self, messages):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(LOCMEM_SEND, time_is_up)
    with pytest.raises(SoftTimeLimitExceeded):
        deliveries_send(delivery_ids=ids)
    statuses = dict(Delivery.objects.values_list("id", "status"))
    # The row being sent may or may not have reached the server: it waits for
    # the lease. The rest are free for the next task at once.
    assert statuses == {ids[0]: DeliveryStatus.SENDING, ids[1]: DeliveryStatus.PENDING, ids[2]: DeliveryStatus.PENDING}


class CountingBackend(LocmemBackend):
    opened = 0

    def open(self):
        if getattr(self, "_open", False):
            return False
        self._open = True
        type(self).opened += 1
        return True

    def close(self):
        self._open = False
