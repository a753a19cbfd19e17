import datetime

import pytest
from django.utils import timezone

from config.celery import app
from reflect.reminders.dispatch import reminders_dispatch
from tests.reminders.factories import SUNDAY_EVENING, london_sunday_schedule, many_trainees


@pytest.fixture(autouse=True)
def _tasks_run_at_once():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def prompts_due(cohort):
    """`prompts_due(n)`: n trainees whose weekly prompt rows SUNDAY_EVENING's
    dispatch has recorded (and, tasks running at once, tried to send)."""

    def make(count: int = 3, *, send: bool = False):
        london_sunday_schedule(cohort)
        trainees = many_trainees(cohort, count)
        if send:
            reminders_dispatch(now=SUNDAY_EVENING)
        else:
            from reflect.outbox.models import Delivery
            from reflect.reminders.dispatch import plan

            Delivery.objects.bulk_create(plan(SUNDAY_EVENING))
        # SUNDAY_EVENING's week is long past on the real clock that sweeps and
        # claims read: keep the rows in date, as if it were that week now.
        Delivery.objects.update(expires_at=timezone.now() + datetime.timedelta(days=1))
        return trainees

    return make
