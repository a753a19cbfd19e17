"""When is a weekly reminder due? Pure functions of UTC `now`, a weekday, a local
time and a time zone, so that daylight-saving changes can be tested directly."""

import datetime
import zoneinfo

from reflect.cohorts.weeks import local_week_start

# How long after its scheduled moment a reminder may still go out: long enough to
# ride out a stopped beat or broker, short enough never to arrive a day late.
CATCH_UP = datetime.timedelta(hours=6)


def local_occurrence(
    monday: datetime.date, weekday: int, at: datetime.time, tz: zoneinfo.ZoneInfo
) -> datetime.datetime:
    """The UTC instant of `weekday` at local `at` in the week starting `monday`.

    A local time skipped by a spring-forward change resolves to the instant the
    clocks jumped to (02:30 on a night that skips 02:00–03:00 means 03:30); an
    ambiguous one in a fall-back change resolves to its first occurrence. Either
    way each week has exactly one occurrence, so a reminder is neither skipped
    nor doubled."""
    naive = datetime.datetime.combine(monday + datetime.timedelta(days=weekday), at)
    # fold=0 (PEP 495): a skipped time takes the offset from before the jump, which
    # lands just after it; an ambiguous time takes its first occurrence.
    return naive.replace(tzinfo=tz, fold=0).astimezone(datetime.UTC)


def week_key(monday: datetime.date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def due_occurrence(
    now: datetime.datetime,
    weekday: int,
    at: datetime.time,
    tz: zoneinfo.ZoneInfo,
    catch_up: datetime.timedelta = CATCH_UP,
) -> tuple[str, datetime.datetime] | None:
    """(period key, scheduled instant) if a weekly reminder is due at `now`, else None."""
    this_monday = local_week_start(now, tz)
    for monday in (this_monday, this_monday - datetime.timedelta(weeks=1)):
        scheduled = local_occurrence(monday, weekday, at, tz)
        if scheduled <= now < scheduled + catch_up:
            return week_key(monday), scheduled
    return None
