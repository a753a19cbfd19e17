"""Celery's autodiscovery looks for `<app>.tasks`; the tasks live by capability."""

from reflect.journal.tasks import purge_trash

__all__ = ["purge_trash"]
