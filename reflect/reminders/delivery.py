"""Sending ledger rows: claim a batch, build each email, send it, mark it sent.

The claim is one conditional update that stamps the rows with a token of this
call's own, so of two tasks holding the same rows each row is sent by one of
them only. A claim older than the lease (its worker died) can be taken over.
Each row is marked sent right after the mail server accepts its message, so the
one window that can still give a duplicate is a worker dying in the instant
between the two. A batch shares one mail-server connection and one set of
look-ups (`emails.Lookups`), so its cost per email is one query and the email."""

import contextlib
import datetime
import logging
import smtplib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.utils import timezone

from reflect.reminders.models import DeliveryStatus, ReminderDelivery

log = logging.getLogger(__name__)

# Refusals that will not change on retry: the address is bad.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)
TAKEN = "taken"  # another task holds the row, or it is already done


class TransientSendError(Exception):
    """The mail server could not take the message now; try again later."""


@dataclass
class BatchOutcome:
    statuses: dict[int, str] = field(default_factory=dict)  # delivery id -> status, or TAKEN
    retry: dict[int, str] = field(default_factory=dict)  # delivery id -> error, for rows given back

    @property
    def sent(self) -> int:
        return sum(1 for status in self.statuses.values() if status == DeliveryStatus.SENT)


def deliveries_claim(*, delivery_ids: list[int], now: datetime.datetime | None = None) -> list[ReminderDelivery]:
    """Claim the rows that are unsent and not held by a live claim; return them
    (users and their preferences loaded), in the order of delivery_ids."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)
    token = uuid.uuid4()
    claimed = (
        ReminderDelivery.objects.filter(pk__in=delivery_ids)
        .filter(Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale))
        .update(status=DeliveryStatus.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    )
    if not claimed:
        return []
    rows = ReminderDelivery.objects.filter(pk__in=delivery_ids, claim_token=token, status=DeliveryStatus.SENDING)
    by_id = {row.pk: row for row in rows.select_related("user", "user__preferences")}
    return [by_id[pk] for pk in dict.fromkeys(delivery_ids) if pk in by_id]


def deliveries_send(*, delivery_ids: list[int]) -> BatchOutcome:
    """Send every row of the batch that is still unsent. Rows the mail server
    could not take now are given back (pending) and listed in `retry`."""
    from reflect.reminders.emails import Lookups, build_message

    outcome = BatchOutcome(statuses=dict.fromkeys(delivery_ids, TAKEN))
    claimed = deliveries_claim(delivery_ids=delivery_ids)
    if not claimed:
        return outcome
    lookups = Lookups(claimed)
    waiting = [row.pk for row in claimed]
    connection = get_connection()
    try:
        for delivery in claimed:
            waiting.remove(delivery.pk)
            message = build_message(delivery, lookups)
            outcome.statuses[delivery.pk] = _send(delivery, message, connection, outcome)
    finally:
        # Stopped early (time limit, database error): rows not yet tried go back at once.
        with contextlib.suppress(DatabaseError):
            _give_back(waiting, "")
        connection.close()
    return outcome


def delivery_send(*, delivery_id: int) -> str:
    """Send one row if it is still unsent. Returns the resulting status, or TAKEN
    if another task holds it. Raises TransientSendError to be retried."""
    outcome = deliveries_send(delivery_ids=[delivery_id])
    if delivery_id in outcome.retry:
        raise TransientSendError(outcome.retry[delivery_id])
    return outcome.statuses[delivery_id]


def _send(delivery: ReminderDelivery, message, connection, outcome: BatchOutcome) -> str:
    from reflect.reminders.emails import notifications_mark_emailed

    if message is None:
        if delivery.category == "notifications":
            # The dispatcher batches from the oldest unemailed notice; one left
            # unmarked here would hold back every later one.
            notifications_mark_emailed(delivery)
        return _finish(delivery.pk, DeliveryStatus.SKIPPED)
    try:
        connection.open()  # once: a connection opened here stays open for the batch
        connection.send_messages([message])
    except PERMANENT_ERRORS as exc:
        _address_failed(delivery, str(exc))
        return _finish(delivery.pk, DeliveryStatus.FAILED, str(exc))
    except (smtplib.SMTPException, OSError) as exc:
        connection.close()  # it may be broken; the next message opens a new one
        _give_back([delivery.pk], str(exc))
        outcome.retry[delivery.pk] = str(exc)
        return DeliveryStatus.PENDING
    _finish(delivery.pk, DeliveryStatus.SENT)
    if delivery.category == "notifications":
        notifications_mark_emailed(delivery)
    return DeliveryStatus.SENT


def _finish(delivery_id: int, status: str, error: str = "") -> str:
    """Mark a claimed row done. This runs once per email in the send loop; it is
    one statement written out because compiling the equivalent ORM update cost
    more than the database's own work (bench/README.md)."""
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now() if status == DeliveryStatus.SENT else None)
    table = connection.ops.quote_name(ReminderDelivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, error = %s, sent_at = COALESCE(%s, sent_at) "  # noqa: S608 - our table
            "WHERE id = %s AND status = %s",
            [status, error[:300], sent_at, delivery_id, DeliveryStatus.SENDING],
        )
    return status


def _give_back(delivery_ids: list[int], error: str) -> None:
    """Back to pending, so that a retry (or the next dispatch) can claim them."""
    if delivery_ids:
        ReminderDelivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, enqueued_at=timezone.now(), error=error[:300]
        )


def delivery_give_up(*, delivery_id: int, error: str) -> None:
    """After the last retry: record the failure so course admins can see it."""
    ReminderDelivery.objects.filter(pk=delivery_id).exclude(status=DeliveryStatus.SENT).update(
        status=DeliveryStatus.FAILED, error=error[:300]
    )


def _address_failed(delivery: ReminderDelivery, reason: str) -> None:
    from accounts.models import User

    User.objects.filter(pk=delivery.user_id).update(email_failed_at=timezone.now(), email_failure=reason[:300])
    log.warning("Email to user #%s refused for good: %s", delivery.user_id, reason)
