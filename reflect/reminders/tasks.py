"""Celery entry points: thin wrappers over the dispatcher and delivery services."""

from celery import shared_task
from django.conf import settings

from reflect.reminders import delivery
from reflect.reminders.dispatch import reminders_dispatch
from reflect.retry import backoff_with_jitter

MAX_RETRIES = 5


@shared_task(ignore_result=True)
def dispatch_reminders() -> int:
    """Beat ticks this every few minutes; it only plans and enqueues."""
    return reminders_dispatch().enqueued


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.REMINDER_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.REMINDER_TASK_TIME_LIMIT,
)
def send_deliveries(self, delivery_ids: list[int]) -> int:
    """Send a batch. Deliveries that fail for now are retried on their own, with
    exponential backoff and jitter, so one slow address never holds up the rest."""
    outcome = delivery.deliveries_send(delivery_ids=delivery_ids)
    if outcome.retry:
        if self.request.retries >= MAX_RETRIES:
            for delivery_id, error in outcome.retry.items():
                delivery.delivery_give_up(delivery_id=delivery_id, error=error)
        else:
            raise self.retry(args=[list(outcome.retry)], countdown=backoff_with_jitter(self.request.retries))
    return outcome.sent
