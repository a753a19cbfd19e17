"""Celery entry point: a thin wrapper over the dispatcher. The emails it plans
are sent by the outbox (reflect.outbox.tasks)."""

from celery import shared_task
from django.conf import settings

from reflect.reminders.dispatch import reminders_dispatch


# A run queued behind a stopped worker is dropped when the next is due, so an
# outage never leaves a pile of runs to work through; the lease makes a run that
# overlaps another skip.
@shared_task(ignore_result=True, expires=settings.REMINDER_DISPATCH_SECONDS)
def dispatch_reminders() -> int:
    return reminders_dispatch().enqueued
