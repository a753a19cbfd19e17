"""Sending ledger rows: claim a batch, build each email, send it, mark it.

The claim is one conditional update that stamps the rows with a token of this
call's own, so of two tasks holding the same rows each row is sent by one of
them only; a claim older than the lease (its worker died) can be taken over.
A row is marked sent right after the mail server accepts it, and that mark is
retried through a database outage (not given up, and never a reason to send
again), so the one window that can still give a duplicate is a worker dying
between the server's accept and the mark. A batch shares one mail-server
connection and what its kind's `context` fetches once, so its cost per email
is about one query and the email itself."""

import contextlib
import datetime
import logging
import random
import time
import uuid
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from reflect.outbox.kinds import _nothing, kind_of
from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.outbox.smtp import Refusal, classify

log = logging.getLogger(__name__)

TAKEN = "taken"  # another task holds the row, or it is already done


@dataclass
class BatchOutcome:
    statuses: dict[int, str] = field(default_factory=dict)  # delivery id -> status, or TAKEN
    retry: dict[int, str] = field(default_factory=dict)  # delivery id -> the server's answer, for rows due again later
    unreachable: bool = False  # the server itself failed (no connection), not one address

    @property
    def sent(self) -> int:
        return sum(1 for status in self.statuses.values() if status == DeliveryStatus.SENT)


def backoff(attempts: int) -> float:
    """Seconds before trying a refused-for-now row again: OUTBOX_RETRY_SECONDS,
    doubling with each attempt, capped at OUTBOX_MAX_BACKOFF, plus up to half as
    much again at random so that many rows spread out."""
    wait = min(settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0), settings.OUTBOX_MAX_BACKOFF)
    return wait + random.uniform(0, wait / 2)


def deliveries_claim(*, delivery_ids: list[int], now: datetime.datetime | None = None) -> list[Delivery]:
    """Claim the rows that are due, unsent and not held by a live claim; return
    them (users and their preferences loaded), in the order of delivery_ids.
    Expiry is the sweep's to decide (sweep.deliveries_expire), so a task that was
    queued in time still sends."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    token = uuid.uuid4()
    due = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    claimed = (
        Delivery.objects.filter(pk__in=delivery_ids)
        .filter(due | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale))
        .update(status=DeliveryStatus.SENDING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1)
    )
    if not claimed:
        return []
    rows = Delivery.objects.filter(pk__in=delivery_ids, claim_token=token, status=DeliveryStatus.SENDING)
    by_id = {row.pk: row for row in rows.select_related("user", "user__preferences")}
    return [by_id[pk] for pk in dict.fromkeys(delivery_ids) if pk in by_id]


def deliveries_send(*, delivery_ids: list[int]) -> BatchOutcome:
    """Send every row of the batch that is still due. Rows the mail server could
    not take now go back to pending with a later `next_attempt_at` (in `retry`)."""
    outcome = BatchOutcome(statuses=dict.fromkeys(delivery_ids, TAKEN))
    claimed = deliveries_claim(delivery_ids=delivery_ids)
    if not claimed:
        return outcome
    contexts: dict[str, object] = {}
    waiting = [row.pk for row in claimed]
    mail = get_connection()
    try:
        for delivery in claimed:
            waiting.remove(delivery.pk)
            kind = kind_of(delivery.kind)
            if delivery.kind not in contexts:
                contexts[delivery.kind] = kind.context([row for row in claimed if row.kind == delivery.kind])
            message = kind.build(delivery, contexts[delivery.kind])
            status = _send(delivery, message, mail, outcome)
            outcome.statuses[delivery.pk] = status
            if outcome.unreachable:
                # The server itself is away, not one address: the rest of the batch waits too.
                _later(waiting, outcome.retry[delivery.pk], attempts=delivery.attempts, outcome=outcome)
                waiting = []
                break
    finally:
        # Stopped early (time limit, database error): rows not yet tried go back at once.
        with contextlib.suppress(DatabaseError):
            _give_back(waiting)
        mail.close()
    return outcome


def delivery_send(*, delivery_id: int) -> str:
    """Send one row if it is still due: its resulting status, or TAKEN."""
    return deliveries_send(delivery_ids=[delivery_id]).statuses[delivery_id]


def _send(delivery: Delivery, message, mail, outcome: BatchOutcome) -> str:
    if message is None:
        return _mark(delivery, DeliveryStatus.SKIPPED)
    try:
        mail.open()  # once: a connection opened here stays open for the batch
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:  # noqa: BLE001 - no connection: the server is away, not this address
        outcome.unreachable = True
        return _not_now(delivery, classify(exc), mail, outcome)
    try:
        mail.send_messages([message])
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is classified; none may lose the row
        refusal = classify(exc)
        if refusal.permanent:
            _address_refused(delivery, refusal)
            return _mark(delivery, DeliveryStatus.FAILED, refusal.reason)
        return _not_now(delivery, refusal, mail, outcome)
    return _durably(lambda: _mark(delivery, DeliveryStatus.SENT))


def _not_now(delivery: Delivery, refusal: Refusal, mail, outcome: BatchOutcome) -> str:
    mail.close()  # it may be broken; the next message opens a new one
    log.warning("Email %s not sent for now: %s", delivery.pk, refusal.reason)
    _later([delivery.pk], refusal.reason, attempts=delivery.attempts, outcome=outcome)
    kind_of(delivery.kind).on_outcome(delivery, DeliveryStatus.PENDING, refusal.reason)
    return DeliveryStatus.PENDING


def _mark(delivery: Delivery, status: str, error: str = "") -> str:
    """Record how a claimed row ended, with its kind's consequences in the same
    transaction. The plain case is one statement written out: compiling the
    equivalent ORM update cost more than the database's own work (bench/README.md)."""
    hook = kind_of(delivery.kind).on_outcome
    if hook is _nothing:
        _finish(delivery.pk, status, error)
    else:
        with transaction.atomic():
            _finish(delivery.pk, status, error)
            hook(delivery, status, error)
    return status


def _finish(delivery_id: int, status: str, error: str) -> None:
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now() if status == DeliveryStatus.SENT else None)
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, error = %s, sent_at = COALESCE(%s, sent_at) "  # noqa: S608 - our table
            "WHERE id = %s AND status = %s",
            [status, error[:300], sent_at, delivery_id, DeliveryStatus.SENDING],
        )


def _durably(work):
    """Run a database write that must happen because an email has gone: through a
    dropped connection or an outage, reconnect and try again (for up to
    OUTBOX_MARK_RETRY_SECONDS) instead of failing the task, whose rows would then
    be sent again after the lease. A soft time limit that strikes meanwhile waits
    until the write is done."""
    deadline = time.monotonic() + settings.OUTBOX_MARK_RETRY_SECONDS
    pause, interrupted = 0.2, None
    while True:
        try:
            result = work()
            break
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("The database is unavailable (%s); recording a sent email again in %.1f s", exc, pause)
            if not connection.in_atomic_block:  # (closing inside one would doom the caller's transaction)
                with contextlib.suppress(Exception):
                    connection.close()
            try:
                time.sleep(pause)
            except SoftTimeLimitExceeded as exc:
                interrupted = exc
            pause = min(pause * 2, 5.0)
        except SoftTimeLimitExceeded as exc:
            interrupted = exc
    if interrupted is not None:
        raise interrupted
    return result


def _later(delivery_ids: list[int], error: str, *, attempts: int, outcome: BatchOutcome) -> None:
    """Pending again, due after a backoff; the sweep (reflect.outbox.sweep) enqueues
    it then. enqueued_at is cleared so the sweep does not wait for the lease."""
    if not delivery_ids:
        return
    due = timezone.now() + datetime.timedelta(seconds=backoff(attempts))
    Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=due, enqueued_at=None, error=error[:300]
    )
    for pk in delivery_ids:
        outcome.retry[pk] = error
        outcome.statuses[pk] = DeliveryStatus.PENDING


def _give_back(delivery_ids: list[int]) -> None:
    if delivery_ids:
        Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, enqueued_at=None
        )


def _address_refused(delivery: Delivery, refusal: Refusal) -> None:
    """Stop emailing a person whose address the server refuses for good, until they
    or a course admin clear the mark (accounts.email_status)."""
    from accounts.models import User

    if delivery.user_id is None:
        return
    marked = User.objects.filter(pk=delivery.user_id, email__iexact=delivery.address).update(
        email_failed_at=timezone.now(), email_failure=refusal.reason[:300]
    )
    if marked:
        log.warning("Email to user #%s refused for good: %s", delivery.user_id, refusal.reason)
