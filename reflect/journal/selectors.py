"""Reads of other people's journals for staff pages and emails: counts, dates and
what is new to read, always through `visible_to` for anything with text."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import TruncWeek

from reflect.cohorts.models import Cohort
from reflect.journal.models import AccessEvent, EntryQuerySet, JournalEntry, Status


def unread_shared(cohort: Cohort, tutor) -> EntryQuerySet:
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
