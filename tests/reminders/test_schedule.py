"""Due-time calculation: time zones, daylight saving, custom weekdays, prompt rotation."""

import datetime
import zoneinfo

import pytest

from reflect.prompts.services import week_number
from reflect.reminders.schedule import due_occurrence, local_occurrence

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
SUNDAY = 6
UTC = datetime.UTC


def ticks(start: datetime.datetime, end: datetime.datetime, every=datetime.timedelta(minutes=5)):
    t = start
    while t < end:
        yield t
        t += every


def due_ticks(tz, weekday, at, start, end):
    """Every tick at which a reminder is due, as (period, scheduled) -> first tick."""
    first = {}
    for now in ticks(start, end):
        due = due_occurrence(now, weekday, at, tz)
        if due:
            first.setdefault(due, now)
    return first


@pytest.mark.parametrize(
    ("tz", "sunday", "at", "expected_utc"),
    [
        # Spring forward: the local time is skipped, the reminder comes just after the jump.
        (LONDON, datetime.date(2026, 3, 29), datetime.time(1, 30), datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        (NEW_YORK, datetime.date(2026, 3, 8), datetime.time(2, 30), datetime.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
        # Fall back: the local time happens twice; the reminder comes at the first.
        (LONDON, datetime.date(2026, 10, 25), datetime.time(1, 30), datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        (NEW_YORK, datetime.date(2026, 11, 1), datetime.time(1, 30), datetime.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        # An ordinary evening time on the change weekends follows the new offset.
        (LONDON, datetime.date(2026, 3, 29), datetime.time(18, 0), datetime.datetime(2026, 3, 29, 17, 0, tzinfo=UTC)),
        (LONDON, datetime.date(2026, 10, 25), datetime.time(18, 0), datetime.datetime(2026, 10, 25, 18, 0, tzinfo=UTC)),
        (NEW_YORK, datetime.date(2026, 3, 8), datetime.time(18, 0), datetime.datetime(2026, 3, 8, 22, 0, tzinfo=UTC)),
        (NEW_YORK, datetime.date(2026, 11, 1), datetime.time(18, 0), datetime.datetime(2026, 11, 1, 23, 0, tzinfo=UTC)),
    ],
)
def test_dst_weekends_neither_skip_nor_double(tz, sunday, at, expected_utc):
    start = datetime.datetime.combine(sunday - datetime.timedelta(days=2), datetime.time(0), tzinfo=UTC)
    end = start + datetime.timedelta(days=4)
    first = due_ticks(tz, SUNDAY, at, start, end)
    assert len(first) == 1, f"expected one reminder that weekend, got {first}"
    (period, scheduled), first_tick = next(iter(first.items()))
    assert scheduled == expected_utc
    assert first_tick == expected_utc  # the first 5-minute tick at or after it
    monday = sunday - datetime.timedelta(days=6)
    assert period == f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"


def test_every_week_of_a_year_gets_exactly_one_reminder_in_both_zones():
    for tz in (LONDON, NEW_YORK):
        start = datetime.datetime(2026, 1, 5, tzinfo=UTC)
        first = due_ticks(tz, SUNDAY, datetime.time(1, 30), start, start + datetime.timedelta(weeks=52))
        periods = [p for p, _ in first]
        assert len(periods) == len(set(periods)) == 52


def test_custom_weekday_and_time():
    wednesday = datetime.date(2026, 11, 18)
    due = local_occurrence(wednesday - datetime.timedelta(days=2), 2, datetime.time(7, 15), LONDON)
    assert due == datetime.datetime(2026, 11, 18, 7, 15, tzinfo=UTC)
    assert due_occurrence(due - datetime.timedelta(minutes=1), 2, datetime.time(7, 15), LONDON) is None
    assert due_occurrence(due, 2, datetime.time(7, 15), LONDON)[1] == due


def test_a_late_dispatcher_still_sends_within_the_catch_up_window_but_not_days_later():
    scheduled = datetime.datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    assert due_occurrence(scheduled + datetime.timedelta(hours=5), SUNDAY, datetime.time(18), LONDON)
    assert due_occurrence(scheduled + datetime.timedelta(hours=7), SUNDAY, datetime.time(18), LONDON) is None


def test_week_number_grows_by_one_every_week_across_year_ends():
    day = datetime.date(2020, 12, 20)
    previous = week_number(day)
    for _ in range(400):
        day += datetime.timedelta(weeks=1)
        assert week_number(day) == previous + 1
        previous = week_number(day)
