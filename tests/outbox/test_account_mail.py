"""allauth's emails through the outbox: sent at once as before, but a mail
server that refuses for now no longer loses the email (or shows an error): the
sweep sends it later, and the rendered email (a reset link) is not kept once done."""

import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from reflect.outbox.models import Delivery, DeliveryKind, DeliveryStatus
from reflect.outbox.sweep import outbox_sweep

pytestmark = pytest.mark.django_db

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def ask_for_a_reset(client, trainee):
    return client.post("/accounts/password/reset/", {"email": trainee.email})


def test_a_password_reset_email_goes_at_once_and_its_link_is_not_kept(client, trainee):
    response = ask_for_a_reset(client, trainee)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [trainee.email] and "/accounts/password/reset/key/" in message.body
    row = Delivery.objects.get(kind=DeliveryKind.ACCOUNT)
    assert (row.status, row.to, row.payload) == (DeliveryStatus.SENT, trainee.email, {})


def test_a_greylisted_reset_email_is_sent_by_a_later_sweep(client, trainee, monkeypatch):
    def greylist(self, messages):
        raise smtplib.SMTPRecipientsRefused({trainee.email: (451, b"4.7.1 Greylisted, try again later")})

    monkeypatch.setattr(LOCMEM_SEND, greylist)
    response = ask_for_a_reset(client, trainee)
    assert response.status_code == 302 and mail.outbox == []  # no error page: it is on its way
    row = Delivery.objects.get(kind=DeliveryKind.ACCOUNT)
    assert row.status == DeliveryStatus.PENDING and "/accounts/password/reset/key/" in row.payload["body"]
    trainee.refresh_from_db()
    assert trainee.email_failed_at is None
    monkeypatch.undo()
    Delivery.objects.update(next_attempt_at=timezone.now())
    from config.celery import app

    previous, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        outbox_sweep()
    finally:
        app.conf.task_always_eager = previous
    (message,) = mail.outbox
    assert "/accounts/password/reset/key/" in message.body
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.payload == {}


def test_account_emails_come_from_reflect_not_example_com(client, trainee):
    ask_for_a_reset(client, trainee)
    (message,) = mail.outbox
    assert "Hello from Reflect!" in message.body and "example.com!" not in message.body
