"""The Celery app. Tasks live next to the domain code they call."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("reflect")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _require_secret_key(**kwargs) -> None:
    """Refuse to start. SystemExit, because Celery logs and carries on after an
    ordinary exception in a signal handler."""
    from config.startup import missing

    if why := missing():
        raise SystemExit(why)
