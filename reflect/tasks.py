"""Celery's autodiscovery looks for `<app>.tasks`; the tasks live by capability."""

from reflect.journal.tasks import purge_trash
from reflect.manage.tasks import send_cohort_emails
from reflect.reminders.tasks import dispatch_reminders, send_deliveries

__all__ = ["dispatch_reminders", "purge_trash", "send_cohort_emails", "send_deliveries"]
