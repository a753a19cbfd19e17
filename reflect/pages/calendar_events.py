"""What a person's calendar feed holds, as an iCalendar (RFC 5545) calendar:
the deadlines of the checkpoints they submit to or tutor, and a weekly event
at the time their weekly prompt arrives.

Calendars are synced to other services and shown on lock screens, so the feed
names checkpoints and cohorts only: never journal text, never an entry's title."""

import datetime
import zoneinfo
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.models import User
from reflect.access import trainees_of
from reflect.assessment import policy
from reflect.assessment.models import Checkpoint
from reflect.assessment.selectors import has_submitted
from reflect.cohorts.models import read_write_q
from reflect.reminders.prompt_time import prompt_rows, prompt_time

REFRESH = datetime.timedelta(hours=1)  # how often we ask calendar apps to fetch the feed again
PROMPT_LENGTH = datetime.timedelta(minutes=30)
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

Link = Callable[..., str]  # (URL name, **kwargs) -> absolute address


def feed_calendar(*, user: User, link: Link) -> Calendar:
    """The whole feed for this person. Two queries."""
    calendar = Calendar.new(
        prodid="-//Reflect//Calendar feed//EN",
        name="Reflect",
        description="Portfolio deadlines and your weekly reflection time, from Reflect.",
        refresh_interval=REFRESH,
        uid=_uid(f"calendar-{user.pk}"),  # the same at every fetch: one calendar, updated
    )
    calendar.add("x-published-ttl", "PT1H")  # Outlook's name for REFRESH-INTERVAL
    for checkpoint in _checkpoints(user):
        calendar.add_component(_deadline(checkpoint, link))
    prompts = _prompt_times(user)
    for (weekday, at, tz_name), (first, last) in prompts.items():
        calendar.add_component(_weekly_prompt(user, weekday, at, zoneinfo.ZoneInfo(tz_name), first, last, link))
    if prompts:
        # Time-zone rules for the span the events cover (deadlines are in UTC).
        starts, ends = zip(*prompts.values(), strict=True)
        calendar.add_missing_timezones(min(starts), max(ends) + datetime.timedelta(days=7))
    return calendar


def _checkpoints(user: User):
    """Checkpoints they submit to or tutor, in cohorts not archived; marked
    as_trainee, and submitted where their latest attempt is."""
    mine = policy.checkpoints_to_submit(user) | policy.checkpoints_tutored_by(user)
    return (
        mine.filter(read_write_q("cohort"))
        .annotate(
            as_trainee=Exists(trainees_of(OuterRef("cohort")).filter(user=user)),
            submitted=has_submitted(user),
        )
        .select_related("cohort")
        .order_by("due_at", "id")
    )


def _uid(name: str) -> str:
    return f"{name}@{urlsplit(settings.SITE_URL).hostname or 'reflect'}"


def _deadline(checkpoint: Checkpoint, link: Link) -> Event:
    url = link("reflect:checkpoint-detail", pk=checkpoint.pk)
    if checkpoint.as_trainee:
        # It stays after submitting (a calendar keeps its past), saying so.
        done = " (submitted)" if checkpoint.submitted else ""
        summary = f"Portfolio due: {checkpoint.title}{done}"
        note = "Submit your portfolio in Reflect"
    else:
        summary = f"Portfolio deadline: {checkpoint.title} ({checkpoint.cohort.name})"
        note = "Submissions and marking in Reflect"
    return Event.new(
        uid=_uid(f"checkpoint-{checkpoint.pk}"),
        summary=summary,
        description=f"{checkpoint.cohort.name}. {note}: {url}",
        start=checkpoint.due_at,
        end=checkpoint.due_at,  # a moment, not a block of time
        stamp=timezone.now(),
        url=url,
        transparency="TRANSPARENT",  # shows as free: a deadline is not a meeting
    )


def _prompt_times(user: User) -> dict[tuple, tuple[datetime.date, datetime.date]]:
    """(weekday, time, time zone) -> (first day, last day) of the cohorts sending
    the prompt then. Cohorts with the same time share one event."""
    times: dict[tuple, tuple[datetime.date, datetime.date]] = {}
    for row in prompt_rows(user):
        weekday, at, tz = prompt_time(row)
        key = (weekday, at, tz.key)
        first, last = row["cohort__start_date"], row["cohort__end_date"]
        if key in times:
            first, last = min(first, times[key][0]), max(last, times[key][1])
        times[key] = (first, last)
    return times


def _weekly_prompt(user, weekday, at, tz, first: datetime.date, last: datetime.date, link: Link) -> Event:
    """Every week on `weekday` at local `at` in `tz` (so it keeps its local time
    across daylight-saving changes), from the first such day of the cohort to its
    last day."""
    day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
    start = datetime.datetime.combine(day, at, tzinfo=tz)
    # RFC 5545: with a DTSTART in a time zone, UNTIL is given in UTC.
    until = datetime.datetime.combine(last, datetime.time(23, 59, 59), tzinfo=tz).astimezone(datetime.UTC)
    event = Event.new(
        uid=_uid(f"weekly-prompt-{user.pk}-{weekday}-{at:%H%M}-{tz.key.replace('/', '-')}"),
        summary="Weekly reflection",
        description=(
            "Reflect emails you this week's prompt now. A few lines are enough: "
            f"what stayed with you this week? {link('reflect:entry-new')}"
        ),
        start=start,
        end=start + PROMPT_LENGTH,
        stamp=timezone.now(),
        transparency="TRANSPARENT",
    )
    event.add("rrule", {"freq": "weekly", "byday": BYDAY[weekday], "until": until})
    return event
