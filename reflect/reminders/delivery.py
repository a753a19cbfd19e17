"""Sending one ledger row: claim it, build the email, send, mark it sent.

The claim is a conditional update, so of two tasks holding the same row only one
sends. A claim older than the lease (its worker died) can be taken over. The
one window that can still give a duplicate is a worker dying in the instant
between the mail server accepting a message and the row being marked sent."""

import datetime
import logging
import smtplib

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from reflect.reminders.models import DeliveryStatus, ReminderDelivery

log = logging.getLogger(__name__)

# Refusals that will not change on retry: the address is bad.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)


class TransientSendError(Exception):
    """The mail server could not take the message now; try again later."""


def delivery_claim(*, delivery_id: int, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)
    return bool(
        ReminderDelivery.objects.filter(pk=delivery_id)
        .filter(Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale))
        .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _finish(delivery_id: int, status: str, error: str = "") -> None:
    fields = {"status": status, "error": error[:300]}
    if status == DeliveryStatus.SENT:
        fields["sent_at"] = timezone.now()
    ReminderDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(**fields)


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is still unsent. Returns the resulting status, or
    "taken" if another task holds it. Raises TransientSendError to be retried."""
    from reflect.reminders.emails import build_message, notifications_mark_emailed

    if not delivery_claim(delivery_id=delivery_id):
        return "taken"
    delivery = ReminderDelivery.objects.select_related("user").get(pk=delivery_id)
    message = build_message(delivery)
    if message is None:
        _finish(delivery_id, DeliveryStatus.SKIPPED)
        return DeliveryStatus.SKIPPED
    try:
        message.send()
    except PERMANENT_ERRORS as exc:
        _address_failed(delivery, str(exc))
        _finish(delivery_id, DeliveryStatus.FAILED, str(exc))
        return DeliveryStatus.FAILED
    except (smtplib.SMTPException, OSError) as exc:
        # Give the row back so a retry (or the next dispatch) can claim it.
        ReminderDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.PENDING, enqueued_at=timezone.now(), error=str(exc)[:300]
        )
        raise TransientSendError(str(exc)) from exc
    _finish(delivery_id, DeliveryStatus.SENT)
    if delivery.category == "notifications":
        notifications_mark_emailed(delivery)
    return DeliveryStatus.SENT


def delivery_give_up(*, delivery_id: int, error: str) -> None:
    """After the last retry: record the failure so course admins can see it."""
    ReminderDelivery.objects.filter(pk=delivery_id).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.FAILED, error=error[:300]
    )


def _address_failed(delivery: ReminderDelivery, reason: str) -> None:
    from accounts.models import User

    User.objects.filter(pk=delivery.user_id).update(email_failed_at=timezone.now(), email_failure=reason[:300])
    log.warning("Email to user #%s refused for good: %s", delivery.user_id, reason)
