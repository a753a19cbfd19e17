"""Weeks run Monday to Sunday, in one time zone: the cohort's or the reader's.

The journal streak, the cohort dashboard, the reports, the weekly prompt and
the reminder schedule all count in these weeks, so they share this one rule."""

import datetime
import zoneinfo


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the week that `day` falls in."""
    return day - datetime.timedelta(days=day.weekday())


def local_week_start(moment: datetime.datetime, tz: zoneinfo.ZoneInfo) -> datetime.date:
    """The Monday of the week that an instant falls in, on the calendar of `tz`:
    late on Sunday in UTC can already be Monday in Auckland."""
    return week_start(moment.astimezone(tz).date())


def week_starts_back(last: datetime.date, weeks: int) -> list[datetime.date]:
    """The Mondays of `weeks` weeks ending with the week of `last`, oldest first."""
    monday = week_start(last)
    return [monday - datetime.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def week_starts_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The Mondays of the weeks from `first` to `last`, both included; none if last < first."""
    start, end = week_start(first), week_start(last)
    return [start + datetime.timedelta(weeks=n) for n in range((end - start).days // 7 + 1)] if end >= start else []


def first_counted_week(start_date: datetime.date, joined_at: datetime.datetime | None, tz: zoneinfo.ZoneInfo):
    """The Monday from which a trainee's weeks count: the later of the cohort's start
    and the day they joined (in the cohort's time zone). The engagement report and
    the tutor dashboard both count from here, so they never disagree."""
    joined = joined_at.astimezone(tz).date() if joined_at else start_date
    return week_start(max(start_date, joined))
