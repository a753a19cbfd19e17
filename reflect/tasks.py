"""Celery's autodiscovery looks for `<app>.tasks`; the tasks live by capability."""

from reflect.journal.tasks import purge_trash
from reflect.outbox.tasks import send_deliveries, sweep_outbox
from reflect.reminders.tasks import dispatch_reminders

__all__ = ["dispatch_reminders", "purge_trash", "send_deliveries", "sweep_outbox"]
