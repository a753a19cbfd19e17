"""When a person's weekly prompt arrives: the one rule, used by the dispatcher
(which sends it) and the calendar feed (which shows it).

Their own weekday and time, in their own time zone, when they set both;
otherwise their cohort's schedule, in the cohort's time zone; otherwise Sunday
18:00 cohort time. A cohort whose schedule is switched off sends none."""

import datetime
import zoneinfo

from django.db.models import Q

from reflect.access import memberships_as
from reflect.cohorts.models import Role, read_write_q

DEFAULT_PROMPT_AT = (6, datetime.time(18, 0))  # Sunday 18:00, cohort time

# The values() a membership row needs for `prompt_time` and `wants`.
PROMPT_FIELDS = (
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


def tz_or_utc(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def wants(row: dict, category: str) -> bool:
    value = row.get(f"user__preferences__{category}")
    return value is None or value  # no preferences row: everything on


def sends_prompts_q() -> Q:
    """Memberships whose cohort sends the weekly prompt (no schedule yet means the default one)."""
    return Q(cohort__reminder_schedule__isnull=True) | Q(cohort__reminder_schedule__enabled=True)


def prompt_time(row: dict) -> tuple[int, datetime.time, zoneinfo.ZoneInfo]:
    """(weekday, local time, time zone) of the weekly prompt for one membership row (PROMPT_FIELDS)."""
    if row["user__preferences__prompt_weekday"] is not None and row["user__preferences__prompt_time"]:
        return (
            row["user__preferences__prompt_weekday"],
            row["user__preferences__prompt_time"],
            tz_or_utc(row["user__time_zone"]),
        )
    weekday = row["cohort__reminder_schedule__weekday"]
    at = row["cohort__reminder_schedule__local_time"]
    if weekday is None or at is None:
        weekday, at = DEFAULT_PROMPT_AT
    return weekday, at, tz_or_utc(row["cohort__time_zone"])


def prompt_rows(user) -> list[dict]:
    """This person's trainee memberships that bring them the weekly prompt: the
    cohort is not archived and sends it, and they want it. Rows of PROMPT_FIELDS
    plus the cohort's dates (the dispatcher sends only while a cohort runs)."""
    rows = (
        memberships_as(user, Role.TRAINEE)
        .filter(read_write_q("cohort"), sends_prompts_q())
        .values(*PROMPT_FIELDS, "cohort__start_date", "cohort__end_date")
        .order_by("cohort_id")
    )
    return [row for row in rows if wants(row, "weekly_prompt")]
