"""The dispatcher: works out who is due for which email now, writes one ledger row
per person, category and period (duplicates are ignored by the unique
constraint), and enqueues send tasks in batches.

It reads people in chunks and writes with bulk_create, so its query count is a
constant plus one per chunk, whatever the number of trainees. Running it twice,
or from two beats, creates nothing new the second time."""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from accounts.models import EmailCategory
from reflect.access import trainees_of, tutors_of
from reflect.assessment.models import Checkpoint, Submission, SubmissionStatus
from reflect.cohorts.models import Membership, Role, read_write_q
from reflect.cohorts.weeks import local_week_start
from reflect.feedback.models import Notification
from reflect.prompts.services import prompt_id_for_week, rotation
from reflect.reminders.models import DeliveryStatus, ReminderDelivery
from reflect.reminders.schedule import due_occurrence

CHUNK = 2000
DEFAULT_PROMPT_AT = (6, datetime.time(18, 0))  # Sunday 18:00, cohort time
DEFAULT_DIGEST_AT = (0, datetime.time(8, 0))  # Monday 08:00, cohort time
DEADLINE_WINDOW = datetime.timedelta(days=1)
NOTIFICATION_BATCH_WINDOW = datetime.timedelta(minutes=10)
NOTIFICATION_MAX_AGE = datetime.timedelta(days=7)


@dataclass
class DispatchReport:
    planned: list[ReminderDelivery] = field(default_factory=list)
    created: int = 0
    enqueued: int = 0


def _tz(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _wants(row: dict, category: str) -> bool:
    value = row.get(f"user__preferences__{category}")
    return value is None or value  # no preferences row: everything on


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


def weekly_prompts(now: datetime.datetime) -> list[ReminderDelivery]:
    prompt_ids = rotation()
    if not prompt_ids:
        return []
    rows = (
        _active_memberships(now, Role.TRAINEE)
        .filter(Q(cohort__reminder_schedule__isnull=True) | Q(cohort__reminder_schedule__enabled=True))
        .values(
            "user_id",
            "cohort_id",
            "user__time_zone",
            "cohort__time_zone",
            "cohort__reminder_schedule__weekday",
            "cohort__reminder_schedule__local_time",
            "user__preferences__weekly_prompt",
            "user__preferences__prompt_weekday",
            "user__preferences__prompt_time",
        )
        .order_by("user_id", "cohort_id")
        .iterator(chunk_size=CHUNK)
    )
    planned = []
    for row in rows:
        if not _wants(row, "weekly_prompt"):
            continue
        if row["user__preferences__prompt_weekday"] is not None and row["user__preferences__prompt_time"]:
            weekday, at = row["user__preferences__prompt_weekday"], row["user__preferences__prompt_time"]
            tz = _tz(row["user__time_zone"])
        else:
            weekday = row["cohort__reminder_schedule__weekday"]
            at = row["cohort__reminder_schedule__local_time"]
            if weekday is None or at is None:
                weekday, at = DEFAULT_PROMPT_AT
            tz = _tz(row["cohort__time_zone"])
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
        planned.append(_delivery(row["user_id"], EmailCategory.WEEKLY_PROMPT, period, payload))
    return planned


def deadline_reminders(now: datetime.datetime) -> list[ReminderDelivery]:
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


def _deadline_for(cp: dict, days: int) -> list[ReminderDelivery]:
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
    return [
        _delivery(r["user_id"], EmailCategory.DEADLINES, f"checkpoint-{cp['id']}-{days}d", payload)
        for r in rows
        if _wants(r, "deadlines")
    ]


def _overdue_lists(cp: dict) -> list[ReminderDelivery]:
    rows = (
        tutors_of(cp["cohort_id"])
        .filter(user__is_active=True)
        .filter(user__email_failed_at__isnull=True)
        .values("user_id", "user__preferences__deadlines")
    )
    payload = {"checkpoint_id": cp["id"], "overdue": True}
    return [
        _delivery(r["user_id"], EmailCategory.DEADLINES, f"checkpoint-{cp['id']}-overdue", payload)
        for r in rows
        if _wants(r, "deadlines")
    ]


def digests(now: datetime.datetime) -> list[ReminderDelivery]:
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
        if not _wants(row, "digest"):
            continue
        weekday = row["cohort__reminder_schedule__digest_weekday"]
        at = row["cohort__reminder_schedule__digest_time"]
        if weekday is None or at is None:
            weekday, at = DEFAULT_DIGEST_AT
        due = due_occurrence(now, weekday, at, _tz(row["cohort__time_zone"]))
        if due is None:
            continue
        period, scheduled = due
        payload = {"cohort_id": row["cohort_id"], "since": (scheduled - datetime.timedelta(weeks=1)).isoformat()}
        planned.append(_delivery(row["user_id"], EmailCategory.DIGEST, f"{period}-cohort-{row['cohort_id']}", payload))
    return planned


def notification_batches(now: datetime.datetime) -> list[ReminderDelivery]:
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
        _delivery(r["user_id"], EmailCategory.NOTIFICATIONS, f"from-{r['first_id']}", {"up_to": r["up_to"]})
        for r in rows
    ]


def _delivery(user_id: int, category: str, period: str, payload: dict) -> ReminderDelivery:
    return ReminderDelivery(user_id=user_id, category=category, period=period, payload=payload)


def plan(now: datetime.datetime) -> list[ReminderDelivery]:
    return weekly_prompts(now) + deadline_reminders(now) + digests(now) + notification_batches(now)


def reminders_dispatch(*, now: datetime.datetime | None = None, dry_run: bool = False) -> DispatchReport:
    """Record who is due and enqueue their emails. With dry_run, only report."""
    now = now or timezone.now()
    report = DispatchReport(planned=plan(now))
    if dry_run:
        return report
    with transaction.atomic():
        # Rows made now have higher ids than any before; counting them by id
        # stays cheap however long the ledger grows.
        before = ReminderDelivery.objects.aggregate(last=Max("pk"))["last"] or 0
        for start in range(0, len(report.planned), CHUNK):
            ReminderDelivery.objects.bulk_create(report.planned[start : start + CHUNK], ignore_conflicts=True)
        report.created = ReminderDelivery.objects.filter(pk__gt=before).count()
        report.enqueued = enqueue_waiting(now=now)
    return report


def enqueue_waiting(*, now: datetime.datetime) -> int:
    """Enqueue pending deliveries not yet enqueued, and re-enqueue any whose task
    was lost (a worker killed mid-batch): pending and enqueued, or claimed, longer
    ago than the lease. Sending claims each row, so a duplicate task sends nothing."""
    from reflect.reminders.tasks import send_deliveries

    stale = now - datetime.timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)
    unsent = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    # Stamp them in one statement, then read back what this run stamped.
    stamped = ReminderDelivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, enqueued_at__isnull=True)
        | Q(status=DeliveryStatus.PENDING, enqueued_at__lt=stale)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
    ).update(enqueued_at=now)
    if not stamped:
        return 0
    waiting = ReminderDelivery.objects.filter(enqueued_at=now, status__in=unsent)
    ids = list(waiting.order_by("id").values_list("id", flat=True))
    batch = settings.REMINDER_SEND_BATCH
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        transaction.on_commit(lambda chunk=chunk: send_deliveries.delay(chunk))
    return len(ids)
