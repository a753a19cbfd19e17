"""Sending one ledger row: claim, send once, mark; failures recorded, not repeated."""

import smtplib

import pytest
from django.core import mail

from reflect.reminders import delivery
from reflect.reminders.dispatch import reminders_dispatch
from reflect.reminders.models import DeliveryStatus, ReminderDelivery
from reflect.reminders.tasks import send_deliveries
from tests.reminders.factories import SUNDAY_EVENING, london_sunday_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(trainee, cohort):
    cohort.start_date, cohort.end_date = (
        SUNDAY_EVENING.date().replace(month=9),
        SUNDAY_EVENING.date().replace(year=2027),
    )
    cohort.save()
    london_sunday_schedule(cohort)
    reminders_dispatch(now=SUNDAY_EVENING)
    return ReminderDelivery.objects.get(user=trainee)


def test_sending_twice_gives_one_email(due, trainee):
    assert delivery.delivery_send(delivery_id=due.pk) == DeliveryStatus.SENT
    assert delivery.delivery_send(delivery_id=due.pk) == "taken"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [trainee.email]
    due.refresh_from_db()
    assert due.status == DeliveryStatus.SENT and due.sent_at is not None


def test_the_task_sends_a_batch(due):
    assert send_deliveries.apply(args=[[due.pk, due.pk]]).get() == 1
    assert len(mail.outbox) == 1


def test_a_refused_address_is_marked_and_not_retried(due, trainee, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({trainee.email: (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    assert delivery.delivery_send(delivery_id=due.pk) == DeliveryStatus.FAILED
    trainee.refresh_from_db()
    assert trainee.email_failed_at is not None
    assert delivery.delivery_send(delivery_id=due.pk) == "taken"


def test_a_temporary_failure_gives_the_row_back_for_a_retry(due, monkeypatch):
    def disconnect(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("try later")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", disconnect)
    with pytest.raises(delivery.TransientSendError):
        delivery.delivery_send(delivery_id=due.pk)
    due.refresh_from_db()
    assert due.status == DeliveryStatus.PENDING and "try later" in due.error
    monkeypatch.undo()
    assert delivery.delivery_send(delivery_id=due.pk) == DeliveryStatus.SENT
