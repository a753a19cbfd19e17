"""The dispatcher: works out who is due for which email now, writes one outbox
row per person, kind and period (duplicates are ignored by the unique
constraint), and enqueues send tasks in batches (reflect.outbox.sweep).

It reads people in chunks and writes with bulk_create, so its query count is a
constant plus one per chunk, whatever the number of trainees. Running it twice
creates nothing new the second time, and a run that starts while another is
still going (two beats, a backlog of queued runs) skips: it holds a lease."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from reflect.access import trainees_of, tutors_of
from reflect.assessment.models import Checkpoint, Submission, SubmissionStatus
from reflect.cohorts.models import Membership, Role, read_write_q
from reflect.cohorts.weeks import local_week_start
from reflect.feedback.models import Notification
from reflect.outbox.lease import lease_acquire, lease_release
from reflect.outbox.models import Delivery, DeliveryKind
from reflect.outbox.sweep import outbox_sweep
from reflect.prompts.services import prompt_id_for_week, rotation
from reflect.reminders.prompt_time import PROMPT_FIELDS, prompt_time, sends_prompts_q, tz_or_utc, wants
from reflect.reminders.schedule import due_occurrence

CHUNK = 2000
DEFAULT_DIGEST_AT = (0, datetime.time(8, 0))  # Monday 08:00, cohort time
DEADLINE_WINDOW = datetime.timedelta(days=1)
NOTIFICATION_BATCH_WINDOW = datetime.timedelta(minutes=10)
NOTIFICATION_MAX_AGE = datetime.timedelta(days=7)


LEASE = "reminders-dispatch"
OVERDUE_LIST_KEEPS = datetime.timedelta(days=7)
DIGEST_KEEPS = datetime.timedelta(weeks=1)


@dataclass
class DispatchReport:
    planned: list[Delivery] = field(default_factory=list)
    created: int = 0
    enqueued: int = 0
    skipped: bool = False  # another run held the lease


def _active_memberships(now: datetime.datetime, role: str):
    today = now.date()
    return Membership.objects.filter(
        read_write_q("cohort"),
        role=role,
        user__is_active=True,
        user__email_failed_at__isnull=True,
        cohort__start_date__lte=today + datetime.timedelta(days=1),
        cohort__end_date__gte=today - datetime.timedelta(days=1),
    )


def weekly_prompts(now: datetime.datetime) -> list[Delivery]:
    prompt_ids = rotation()
    if not prompt_ids:
        return []
    rows = (
        _active_memberships(now, Role.TRAINEE)
        .filter(sends_prompts_q())
        .values(*PROMPT_FIELDS)
        .order_by("user_id", "cohort_id")
        .iterator(chunk_size=CHUNK)
    )
    planned = []
    for row in rows:
        if not wants(row, "weekly_prompt"):
            continue
        weekday, at, tz = prompt_time(row)
        due = due_occurrence(now, weekday, at, tz)
        if due is None:
            continue
        period, scheduled = due
        monday = local_week_start(scheduled, tz)
        payload = {
            "prompt_id": prompt_id_for_week(monday, prompt_ids),
            "cohort_id": row["cohort_id"],
            "week_start": monday.isoformat(),
        }
        # A week's prompt is no use after its week: dropped then (and counted), never sent late.
        expires = datetime.datetime.combine(monday + datetime.timedelta(weeks=1), datetime.time.min, tzinfo=tz)
        planned.append(
            _delivery(row["user_id"], DeliveryKind.WEEKLY_PROMPT, period, payload, row["cohort_id"], expires)
        )
    return planned


def deadline_reminders(now: datetime.datetime) -> list[Delivery]:
    """Trainees who have not submitted, `days_before` each configured offset; and,
    just after the deadline, one list for each tutor of who has not submitted."""
    # A closed checkpoint takes no submissions, so nobody is reminded to make one.
    open_checkpoints = Checkpoint.objects.filter(read_write_q("cohort"), closed_at__isnull=True)
    checkpoints = list(
        open_checkpoints.filter(due_at__gt=now - DEADLINE_WINDOW).values("id", "cohort_id", "due_at", "reminder_days")
    )
    planned = []
    for cp in checkpoints:
        if cp["due_at"] <= now:
            planned += _overdue_lists(cp)
            continue
        for days in sorted({int(d) for d in (cp["reminder_days"] or []) if str(d).isdigit()}):
            mark = cp["due_at"] - datetime.timedelta(days=days)
            if mark <= now < mark + DEADLINE_WINDOW:
                planned += _deadline_for(cp, days)
    return planned


def _deadline_for(cp: dict, days: int) -> list[Delivery]:
    submitted = Submission.objects.filter(checkpoint_id=cp["id"], status=SubmissionStatus.SUBMITTED).values(
        "trainee_id"
    )
    rows = (
        trainees_of(cp["cohort_id"])
        .filter(user__is_active=True)
        .filter(user__email_failed_at__isnull=True)
        .exclude(user_id__in=submitted)
        .values("user_id", "user__preferences__deadlines")
    )
    payload = {"checkpoint_id": cp["id"], "days_before": days}
    period = f"checkpoint-{cp['id']}-{days}d"
    return [
        _delivery(r["user_id"], DeliveryKind.DEADLINES, period, payload, cp["cohort_id"], cp["due_at"])
        for r in rows
        if wants(r, "deadlines")
    ]


def _overdue_lists(cp: dict) -> list[Delivery]:
    rows = (
        tutors_of(cp["cohort_id"])
        .filter(user__is_active=True)
        .filter(user__email_failed_at__isnull=True)
        .values("user_id", "user__preferences__deadlines")
    )
    payload = {"checkpoint_id": cp["id"], "overdue": True}
    period, expires = f"checkpoint-{cp['id']}-overdue", cp["due_at"] + OVERDUE_LIST_KEEPS
    return [
        _delivery(r["user_id"], DeliveryKind.DEADLINES, period, payload, cp["cohort_id"], expires)
        for r in rows
        if wants(r, "deadlines")
    ]


def digests(now: datetime.datetime) -> list[Delivery]:
    rows = (
        _active_memberships(now, Role.TUTOR)
        .values(
            "user_id",
            "cohort_id",
            "cohort__time_zone",
            "cohort__reminder_schedule__digest_weekday",
            "cohort__reminder_schedule__digest_time",
            "user__preferences__digest",
        )
        .order_by("user_id", "cohort_id")
        .iterator(chunk_size=CHUNK)
    )
    planned = []
    for row in rows:
        if not wants(row, "digest"):
            continue
        weekday = row["cohort__reminder_schedule__digest_weekday"]
        at = row["cohort__reminder_schedule__digest_time"]
        if weekday is None or at is None:
            weekday, at = DEFAULT_DIGEST_AT
        due = due_occurrence(now, weekday, at, tz_or_utc(row["cohort__time_zone"]))
        if due is None:
            continue
        period, scheduled = due
        payload = {"cohort_id": row["cohort_id"], "since": (scheduled - datetime.timedelta(weeks=1)).isoformat()}
        planned.append(
            _delivery(
                row["user_id"],
                DeliveryKind.DIGEST,
                f"{period}-cohort-{row['cohort_id']}",
                payload,
                row["cohort_id"],
                scheduled + DIGEST_KEEPS,  # by then the next digest says it all again
            )
        )
    return planned


def notification_batches(now: datetime.datetime) -> list[Delivery]:
    """One email for everything that arrived since the first unemailed notice,
    once that first one is NOTIFICATION_BATCH_WINDOW old."""
    rows = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=now - NOTIFICATION_MAX_AGE)
        .filter(user__is_active=True, user__email_failed_at__isnull=True)
        .filter(Q(user__preferences__isnull=True) | Q(user__preferences__notifications=True))
        .values("user_id")
        .annotate(first=Min("created_at"), first_id=Min("id"), up_to=Max("id"))
        .filter(first__lte=now - NOTIFICATION_BATCH_WINDOW)
        .order_by("user_id")
    )
    return [
        _delivery(
            r["user_id"],
            DeliveryKind.NOTIFICATIONS,
            f"from-{r['first_id']}",
            {"up_to": r["up_to"]},
            None,
            r["first"] + NOTIFICATION_MAX_AGE,  # the in-app list has them all the while
        )
        for r in rows
    ]


def _delivery(user_id, kind, period, payload, cohort_id, expires_at) -> Delivery:
    return Delivery(
        user_id=user_id, kind=kind, period=period, payload=payload, cohort_id=cohort_id, expires_at=expires_at
    )


def plan(now: datetime.datetime) -> list[Delivery]:
    return weekly_prompts(now) + deadline_reminders(now) + digests(now) + notification_batches(now)


def reminders_dispatch(*, now: datetime.datetime | None = None, dry_run: bool = False) -> DispatchReport:
    """Record who is due and enqueue their emails. With dry_run, only report.
    Skips (report.skipped) while another run holds the dispatcher's lease."""
    now = now or timezone.now()
    if dry_run:
        return DispatchReport(planned=plan(now))
    token = lease_acquire(LEASE, seconds=settings.REMINDER_DISPATCH_LEASE_SECONDS)
    if token is None:
        return DispatchReport(skipped=True)
    try:
        report = DispatchReport(planned=plan(now))
        report.created = _record(report.planned, now)
        report.enqueued = outbox_sweep(now=now)
    finally:
        lease_release(LEASE, token)
    return report


def _record(planned: list[Delivery], now: datetime.datetime) -> int:
    """Write the rows (those already there are left alone) and count the new ones.
    Rows made now have higher ids than any before, and carry this run's created_at:
    counting them stays cheap however long the ledger grows, and rows other code
    wrote meanwhile (an invitation) are not counted."""
    with transaction.atomic():
        before = Delivery.objects.aggregate(last=Max("pk"))["last"] or 0
        for row in planned:
            row.created_at = now
        for start in range(0, len(planned), CHUNK):
            Delivery.objects.bulk_create(planned[start : start + CHUNK], ignore_conflicts=True)
        return Delivery.objects.filter(pk__gt=before, created_at=now).count()
