"""The dispatcher: who is due, exactly one ledger row each, batches, and dry runs."""

import datetime
import math

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import EmailCategory, NotificationPreferences
from reflect.assessment.models import Checkpoint, Rubric, Submission, SubmissionStatus
from reflect.feedback.models import Notification
from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.reminders.dispatch import reminders_dispatch
from reflect.reminders.models import ReminderSchedule
from tests.reminders.factories import SUNDAY_EVENING, london_sunday_schedule, many_trainees

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cohort_dates(cohort):
    cohort.start_date, cohort.end_date = datetime.date(2026, 9, 1), datetime.date(2027, 7, 1)
    cohort.save()
    london_sunday_schedule(cohort)


def weekly(user):
    return Delivery.objects.filter(user=user, kind=EmailCategory.WEEKLY_PROMPT)


def test_weekly_prompt_is_due_at_the_cohort_time_and_recorded_once(trainee, trainee2, tutor, cohort):
    assert reminders_dispatch(now=SUNDAY_EVENING - datetime.timedelta(minutes=5)).created == 0
    report = reminders_dispatch(now=SUNDAY_EVENING)
    assert report.created == 2 and report.enqueued == 2
    assert weekly(trainee).get().period == "2026-W47"
    assert not weekly(tutor).exists()
    again = reminders_dispatch(now=SUNDAY_EVENING + datetime.timedelta(minutes=5))
    assert (again.created, again.enqueued) == (0, 0)
    assert Delivery.objects.count() == 2


def test_schedule_changes_apply_at_the_next_run(trainee, cohort):
    ReminderSchedule.objects.filter(cohort=cohort).update(weekday=0, local_time=datetime.time(9, 0))
    assert reminders_dispatch(now=SUNDAY_EVENING).created == 0
    monday_nine = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    assert reminders_dispatch(now=monday_nine).created == 1
    assert weekly(trainee).get().period == "2026-W48"


def test_disabled_schedule_sends_no_prompts(trainee, cohort):
    ReminderSchedule.objects.filter(cohort=cohort).update(enabled=False)
    assert reminders_dispatch(now=SUNDAY_EVENING).created == 0


def test_preferences_turn_the_prompt_off_or_move_it(trainee, trainee2, cohort):
    NotificationPreferences.objects.create(user=trainee, weekly_prompt=False)
    NotificationPreferences.objects.create(
        user=trainee2, prompt_weekday=2, prompt_time=datetime.time(7, 30)
    )  # Wednesday 07:30 in trainee2's own time zone (Europe/London)
    assert reminders_dispatch(now=SUNDAY_EVENING).created == 0
    wednesday = datetime.datetime(2026, 11, 25, 7, 31, tzinfo=datetime.UTC)
    reminders_dispatch(now=wednesday)
    assert weekly(trainee2).get().period == "2026-W48"
    assert not weekly(trainee).exists()


def test_consecutive_weeks_get_different_prompts(trainee, cohort):
    reminders_dispatch(now=SUNDAY_EVENING)
    reminders_dispatch(now=SUNDAY_EVENING + datetime.timedelta(weeks=1))
    prompts = list(weekly(trainee).order_by("period").values_list("payload__prompt_id", flat=True))
    assert len(prompts) == 2 and prompts[0] != prompts[1]


def test_a_failing_address_is_left_out(trainee, trainee2, cohort):
    type(trainee).objects.filter(pk=trainee.pk).update(email_failed_at=SUNDAY_EVENING)
    reminders_dispatch(now=SUNDAY_EVENING)
    assert not weekly(trainee).exists() and weekly(trainee2).exists()


def test_deadline_reminders_go_to_trainees_who_have_not_submitted(trainee, trainee2, tutor, cohort):
    rubric = Rubric.objects.create(programme=cohort.programme, title="R")
    due = SUNDAY_EVENING + datetime.timedelta(days=7, hours=1)
    checkpoint = Checkpoint.objects.create(cohort=cohort, rubric=rubric, title="CP", due_at=due, reminder_days=[7, 1])
    Submission.objects.create(checkpoint=checkpoint, trainee=trainee2, status=SubmissionStatus.SUBMITTED)
    ReminderSchedule.objects.filter(cohort=cohort).update(enabled=False)
    assert reminders_dispatch(now=due - datetime.timedelta(days=7, minutes=1)).created == 0
    reminders_dispatch(now=due - datetime.timedelta(days=7))
    reminders_dispatch(now=due - datetime.timedelta(days=1))
    periods = set(Delivery.objects.filter(user=trainee).values_list("period", flat=True))
    assert periods == {f"checkpoint-{checkpoint.pk}-7d", f"checkpoint-{checkpoint.pk}-1d"}
    assert not Delivery.objects.filter(user=trainee2).exists()
    reminders_dispatch(now=due + datetime.timedelta(minutes=5))
    overdue = Delivery.objects.get(user=tutor)
    assert overdue.payload == {"checkpoint_id": checkpoint.pk, "overdue": True}


def test_tutor_digest_is_planned_weekly_per_cohort(tutor, cohort):
    monday_eight = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
    reminders_dispatch(now=monday_eight)
    digest = Delivery.objects.get(user=tutor, kind=EmailCategory.DIGEST)
    assert digest.payload["cohort_id"] == cohort.pk


def test_notifications_are_batched_for_ten_minutes(trainee, cohort):
    first = SUNDAY_EVENING - datetime.timedelta(hours=3)
    for minute in range(5):
        Notification.objects.create(
            user=trainee, kind="comment", summary="x", url="/", created_at=first + datetime.timedelta(minutes=minute)
        )
    ReminderSchedule.objects.filter(cohort=cohort).update(enabled=False)
    assert reminders_dispatch(now=first + datetime.timedelta(minutes=9)).created == 0
    reminders_dispatch(now=first + datetime.timedelta(minutes=10))
    batch = Delivery.objects.get(user=trainee, kind=EmailCategory.NOTIFICATIONS)
    assert batch.payload["up_to"] == Notification.objects.latest("id").pk


def test_a_lost_task_is_re_enqueued_after_the_lease(trainee, cohort, settings):
    reminders_dispatch(now=SUNDAY_EVENING)
    Delivery.objects.update(status=DeliveryStatus.SENDING, claimed_at=SUNDAY_EVENING)
    assert reminders_dispatch(now=SUNDAY_EVENING + datetime.timedelta(minutes=5)).enqueued == 0
    later = SUNDAY_EVENING + datetime.timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS + 1)
    assert reminders_dispatch(now=later).enqueued == 1


def test_dry_run_prints_who_would_get_what_and_records_nothing(trainee, cohort, capsys, monkeypatch):
    monkeypatch.setattr("reflect.reminders.dispatch.timezone.now", lambda: SUNDAY_EVENING)
    call_command("send_due_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "weekly_prompt" in out and trainee.email in out
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("size", [100, 2000])
def test_dispatcher_queries_are_a_constant_plus_one_per_insert_batch(cohort, settings, size):
    settings.OUTBOX_SEND_BATCH = 500
    many_trainees(cohort, size)
    reminders_dispatch(now=SUNDAY_EVENING - datetime.timedelta(days=2))  # beat's earlier runs: the lease row exists
    with CaptureQueriesContext(connection) as queries:
        report = reminders_dispatch(now=SUNDAY_EVENING)
    assert report.created == report.enqueued == size
    fields = [f for f in Delivery._meta.concrete_fields if not f.primary_key]
    per_insert = min(connection.ops.bulk_batch_size(fields, [None] * size) or size, 2000)
    inserts = math.ceil(size / per_insert)
    assert len(queries) == CONSTANT_QUERIES + inserts


# Taking and releasing the lease; prompts, weekly rows, checkpoints, tutor rows,
# notifications; the last id before and the count after, in a transaction (two
# statements of its own); the sweep's expired rows, due rows and their stamp.
# Send tasks go to the broker, not the database.
CONSTANT_QUERIES = 14
