"""Figures for a cohort's page, in a fixed number of queries whatever its size."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from reflect.assessment.models import Submission, SubmissionStatus
from reflect.cohorts.models import Cohort
from reflect.journal.models import AccessEvent, JournalEntry, Status

WEEKS = 12


def week_starts(cohort: Cohort, today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays of the last WEEKS weeks in the cohort's time zone, oldest first."""
    today = today or timezone.localtime(timezone=cohort.tz).date()
    this_monday = today - datetime.timedelta(days=today.weekday())
    return [this_monday - datetime.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def weekly_counts(cohort: Cohort, trainee_ids: list[int], weeks: list[datetime.date]) -> dict[int, list[int]]:
    """Published entries per trainee per week: counts only, never titles or text."""
    start = datetime.datetime.combine(weeks[0], datetime.time.min, tzinfo=cohort.tz)
    rows = (
        JournalEntry.objects.alive()
        .filter(cohort=cohort, status=Status.PUBLISHED, author_id__in=trainee_ids, created_at__gte=start)
        .annotate(week=TruncWeek("created_at", tzinfo=cohort.tz))
        .values("author_id", "week")
        .annotate(n=Count("id"))
    )
    index = {week: i for i, week in enumerate(weeks)}
    counts = {pk: [0] * len(weeks) for pk in trainee_ids}
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], datetime.datetime) else row["week"]
        if week in index and row["author_id"] in counts:
            counts[row["author_id"]][index[week]] += row["n"]
    return counts


def unread_shared(cohort: Cohort, tutor) -> "JournalEntry.objects":
    """Shared entries this tutor may read and has not opened yet."""
    opened = AccessEvent.objects.filter(entry=OuterRef("pk"), user=tutor)
    return (
        JournalEntry.objects.visible_to(tutor)
        .filter(cohort=cohort)
        .exclude(author=tutor)
        .exclude(Exists(opened))
        .select_related("author")
        .order_by("-published_at", "-id")
    )


def awaiting_assessment(cohort: Cohort, tutor):
    """Submitted submissions in this cohort with no released feedback yet."""
    return (
        Submission.objects.visible_to(tutor)
        .filter(checkpoint__cohort=cohort, status=SubmissionStatus.SUBMITTED)
        .exclude(assessments__released_at__isnull=False)
        .select_related("trainee", "checkpoint")
        .order_by("submitted_at")
        .distinct()
    )


def admin_figures(cohort: Cohort, trainee_ids: list[int]) -> dict[int, dict]:
    """Per trainee: published entries in this cohort and the date of the last one."""
    published = Q(entries__status=Status.PUBLISHED, entries__deleted_at__isnull=True, entries__cohort=cohort)
    rows = (
        get_user_model()
        .objects.filter(pk__in=trainee_ids)
        .values("pk")
        .annotate(n=Count("entries", filter=published), last=Max("entries__created_at", filter=published))
    )
    return {row["pk"]: row for row in rows}
