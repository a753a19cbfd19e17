"""Named leases (models.Lease): a lock that frees itself when its holder dies."""

import datetime
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from reflect.outbox.models import Lease


def lease_acquire(name: str, *, seconds: int) -> str | None:
    """A token if this caller now holds the lease, None if someone else does."""
    now = timezone.now()
    token, until = uuid.uuid4().hex, now + datetime.timedelta(seconds=seconds)
    if Lease.objects.filter(name=name, until__lt=now).update(holder=token, until=until):
        return token
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=token, until=until)
    except IntegrityError:  # it exists, and someone holds it
        return None
    return token


def lease_release(name: str, token: str) -> None:
    Lease.objects.filter(name=name, holder=token).update(holder="", until=timezone.now())
