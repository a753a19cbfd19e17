"""Keeping the ledger moving: enqueue rows that are due, re-enqueue rows whose
task was lost (a worker or the broker died), and drop rows that are too late to
be useful. Beat runs `outbox_sweep` every minute (config.settings); nothing
else is needed for a row to be sent in the end, however long an outage lasts."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError

from reflect.outbox.kinds import kind_of
from reflect.outbox.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

TOO_LATE = "Too late to be useful, so it was not sent"
BROKER_DOWN = (OperationalError, KombuError, ConnectionError, OSError)


def outbox_sweep(*, now: datetime.datetime | None = None) -> int:
    """Expire what is too late, then enqueue what is due. Returns how many rows
    were enqueued."""
    now = now or timezone.now()
    deliveries_expire(now=now)
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    not_queued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale)
    ids = list(
        Delivery.objects.filter(
            (Q(status=DeliveryStatus.PENDING) & due & not_queued)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    return deliveries_enqueue(ids, now=now)


def deliveries_expire(*, now: datetime.datetime) -> int:
    """Rows past their kind's deadline (models.Delivery.expires_at) are dropped
    and counted, never sent late: a weekly prompt after its week, a deadline
    reminder after the deadline, an invitation after it expired."""
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    late = Delivery.objects.filter(expires_at__lte=now).filter(
        Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    )
    rows = list(late.select_related("user"))
    for row in rows:
        with transaction.atomic():
            error = f"{TOO_LATE}. Last answer: {row.error}" if row.error else TOO_LATE
            done = Delivery.objects.filter(pk=row.pk, status=row.status).update(
                status=DeliveryStatus.EXPIRED, error=error[:300]
            )
            if done:
                kind_of(row.kind).on_outcome(row, DeliveryStatus.EXPIRED, TOO_LATE)
    if rows:
        log.warning("Dropped %s emails that were too late to send", len(rows))
    return len(rows)


def deliveries_enqueue(delivery_ids: list[int], *, now: datetime.datetime | None = None) -> int:
    """Stamp the rows as enqueued and hand them to the send task in batches. With
    the broker down nothing is raised: the stamp is cleared again, and the next
    sweep tries once the broker is back."""
    from reflect.outbox.tasks import send_deliveries

    if not delivery_ids:
        return 0
    now = now or timezone.now()
    Delivery.objects.filter(pk__in=delivery_ids).update(enqueued_at=now)
    batch = settings.OUTBOX_SEND_BATCH
    for start in range(0, len(delivery_ids), batch):
        chunk = delivery_ids[start : start + batch]
        try:
            send_deliveries.delay(chunk)
        except BROKER_DOWN as exc:
            rest = delivery_ids[start:]
            Delivery.objects.filter(pk__in=rest, enqueued_at=now).update(enqueued_at=None)
            log.warning("The task broker is unavailable (%s): %s emails wait for the next sweep", exc, len(rest))
            return start
    return len(delivery_ids)


def deliveries_enqueue_on_commit(delivery_ids: list[int]) -> None:
    """Enqueue once the rows are committed; the sweep covers a crash before then."""
    if delivery_ids:
        transaction.on_commit(lambda: deliveries_enqueue(list(delivery_ids)))
