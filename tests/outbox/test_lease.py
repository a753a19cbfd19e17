"""The dispatcher's lease: one holder at a time, freed by release or by time."""

import datetime

import pytest
from django.utils import timezone

from reflect.outbox.lease import lease_acquire, lease_release
from reflect.outbox.models import Lease

pytestmark = pytest.mark.django_db


def test_a_held_lease_refuses_a_second_holder_until_released():
    token = lease_acquire("job", seconds=60)
    assert token and lease_acquire("job", seconds=60) is None
    lease_release("job", token)
    assert lease_acquire("job", seconds=60)


def test_a_holder_that_died_frees_the_lease_by_time():
    assert lease_acquire("job", seconds=60)
    Lease.objects.filter(name="job").update(until=timezone.now() - datetime.timedelta(seconds=1))
    assert lease_acquire("job", seconds=60)


def test_releasing_with_a_stale_token_does_not_free_another_holders_lease():
    first = lease_acquire("job", seconds=60)
    Lease.objects.filter(name="job").update(until=timezone.now() - datetime.timedelta(seconds=1))
    second = lease_acquire("job", seconds=60)
    lease_release("job", first)
    assert second and lease_acquire("job", seconds=60) is None
