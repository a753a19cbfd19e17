"""Figures about a trainee's own journal, computed without loading entry text."""

import datetime

from django.utils import timezone

from reflect.cohorts.weeks import week_start
from reflect.journal.models import JournalEntry, Status


def weekly_streak(*, author, today: datetime.date | None = None) -> int:
    """Consecutive weeks (Monday to Sunday) with at least one published entry,
    counting back from this week; a week not yet written in doesn't break it."""
    today = today or timezone.localdate()
    created = (
        JournalEntry.objects.alive().filter(author=author, status=Status.PUBLISHED).values_list("created_at", flat=True)
    )
    weeks = {week_start(timezone.localtime(dt).date()) for dt in created}
    current = week_start(today)
    if current not in weeks:
        current -= datetime.timedelta(weeks=1)
    streak = 0
    while current in weeks:
        streak += 1
        current -= datetime.timedelta(weeks=1)
    return streak
