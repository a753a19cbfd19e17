"""How long a Celery task waits before it tries a failed email again."""

import random

from django.conf import settings


def backoff_with_jitter(retries: int) -> float:
    """A minute, doubling with each retry, capped at REMINDER_MAX_BACKOFF, plus up
    to half as much again at random so that retries of many tasks spread out."""
    backoff = min(60 * 2**retries, settings.REMINDER_MAX_BACKOFF)
    return backoff + random.uniform(0, backoff / 2)
