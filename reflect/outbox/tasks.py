"""Celery entry points for the outbox: thin wrappers over sending and sweep."""

from celery import shared_task
from django.conf import settings

from reflect.outbox.sending import deliveries_send
from reflect.outbox.sweep import outbox_sweep


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.OUTBOX_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.OUTBOX_TASK_TIME_LIMIT,
)
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send a batch. Rows refused for now are due again after a backoff and the
    sweep enqueues them then, so no retry is held in the broker (where an outage
    would lose it)."""
    return deliveries_send(delivery_ids=delivery_ids).sent


# A run queued behind a stopped worker is dropped rather than piling up: the next
# tick does the same work.
@shared_task(ignore_result=True, expires=settings.OUTBOX_SWEEP_SECONDS)
def sweep_outbox() -> int:
    return outbox_sweep()
