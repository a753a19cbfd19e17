"""Nothing is lost to a long outage, and nothing is sent too late: each kind's
row stays due until it is sent or its own deadline passes, then it is dropped
and counted. The dispatcher never overlaps itself and reports what it created."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from reflect.manage import mailing
from reflect.manage.models import CohortInvitation
from reflect.outbox.lease import lease_acquire
from reflect.outbox.models import Delivery, DeliveryKind, DeliveryStatus
from reflect.outbox.reports import cohort_delivery_counts
from reflect.outbox.sweep import outbox_sweep
from reflect.reminders.dispatch import LEASE, reminders_dispatch
from tests.reflect.assessment_factories import make_checkpoint
from tests.reminders.factories import SUNDAY_EVENING, london_sunday_schedule, many_trainees

pytestmark = pytest.mark.django_db

MONDAY_MIDNIGHT_LONDON = datetime.datetime(2026, 11, 30, 0, 0, tzinfo=datetime.UTC)  # GMT in November


def server_down(monkeypatch):
    def refuse(self):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.open", refuse)


def test_a_weekly_prompt_waits_through_an_outage_until_the_end_of_its_week_then_is_dropped(
    cohort, monkeypatch, settings
):
    london_sunday_schedule(cohort)
    many_trainees(cohort, 2)
    server_down(monkeypatch)
    reminders_dispatch(now=SUNDAY_EVENING)
    rows = Delivery.objects.filter(kind=DeliveryKind.WEEKLY_PROMPT)
    # The week of Sunday 22 November ends at midnight, London time, on Monday 30th.
    assert set(rows.values_list("expires_at", flat=True)) == {MONDAY_MIDNIGHT_LONDON - datetime.timedelta(days=7)}
    last_minute = MONDAY_MIDNIGHT_LONDON - datetime.timedelta(days=7, minutes=1)
    outbox_sweep(now=last_minute)
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    outbox_sweep(now=last_minute + datetime.timedelta(minutes=1))
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.EXPIRED}
    assert all("Connection refused" in row.error for row in rows)  # the last answer is kept
    assert cohort_delivery_counts(cohort.pk, now=SUNDAY_EVENING)["dropped"] == 2
    assert mail.outbox == []


def test_a_deadline_reminder_is_dropped_at_the_deadline_and_the_overdue_list_a_week_later(
    cohort, trainee, tutor, monkeypatch
):
    checkpoint = make_checkpoint(cohort, due_in_days=2)
    checkpoint.reminder_days = [2]
    checkpoint.save()
    server_down(monkeypatch)
    reminders_dispatch()
    reminder = Delivery.objects.get(kind=DeliveryKind.DEADLINES, user=trainee)
    assert reminder.expires_at == checkpoint.due_at
    reminders_dispatch(now=checkpoint.due_at + datetime.timedelta(minutes=1))
    reminder.refresh_from_db()
    assert reminder.status == DeliveryStatus.EXPIRED
    overdue = Delivery.objects.get(kind=DeliveryKind.DEADLINES, user=tutor)
    assert overdue.expires_at == checkpoint.due_at + datetime.timedelta(days=7)


def test_an_invitation_is_retried_until_the_invitation_expires(
    cohort, course_admin, monkeypatch, django_capture_on_commit_callbacks
):
    invitation = CohortInvitation.objects.create(
        cohort=cohort, email="nina@example.org", invited_by=course_admin, sent_at=timezone.now()
    )
    server_down(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        mailing.cohort_emails_enqueue(cohort=cohort, invitation_ids=[invitation.pk], added=[])
    row = Delivery.objects.get(kind=DeliveryKind.INVITATION)
    assert (row.to, row.user, row.expires_at) == ("nina@example.org", None, invitation.expires_at)
    outbox_sweep(now=invitation.expires_at - datetime.timedelta(minutes=1))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING


def test_a_dispatcher_run_while_another_holds_the_lease_skips(cohort, trainee, settings):
    london_sunday_schedule(cohort)
    assert lease_acquire(LEASE, seconds=settings.REMINDER_DISPATCH_LEASE_SECONDS)
    report = reminders_dispatch(now=SUNDAY_EVENING)
    assert report.skipped and report.created == 0
    assert not Delivery.objects.exists()


def test_the_dispatcher_counts_only_the_rows_it_created(cohort, trainee, course_admin, monkeypatch):
    london_sunday_schedule(cohort)
    real_bulk_create, written = Delivery.objects.bulk_create, []

    def an_invitation_is_written_meanwhile(rows, **kwargs):
        if not written:  # the dispatcher's insert; the invitation's own comes through here too
            written.append(CohortInvitation.objects.create(cohort=cohort, email="x@example.org"))
            mailing.cohort_emails_enqueue(cohort=cohort, invitation_ids=[written[0].pk], added=[])
        return real_bulk_create(rows, **kwargs)

    monkeypatch.setattr(Delivery.objects, "bulk_create", an_invitation_is_written_meanwhile)
    assert reminders_dispatch(now=SUNDAY_EVENING).created == 1
    assert Delivery.objects.count() == 2


def test_the_dispatch_task_expires_so_runs_queued_behind_a_stopped_worker_never_pile_up(settings):
    from reflect.outbox.tasks import sweep_outbox
    from reflect.reminders.tasks import dispatch_reminders

    assert dispatch_reminders.expires == settings.REMINDER_DISPATCH_SECONDS
    assert sweep_outbox.expires == settings.OUTBOX_SWEEP_SECONDS


def test_the_command_says_when_another_run_holds_the_lease(settings, capsys):
    from django.core.management import call_command

    assert lease_acquire(LEASE, seconds=settings.REMINDER_DISPATCH_LEASE_SECONDS)
    call_command("send_due_reminders")
    assert "Another dispatcher run is in progress" in capsys.readouterr().out
