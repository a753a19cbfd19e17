import datetime

from django.db import models

from accounts.models import Weekday
from reflect.cohorts.models import Cohort


class ReminderSchedule(models.Model):
    """A cohort's default time for the weekly prompt (and the tutors' digest),
    in the cohort's own time zone. Read at every dispatch, so changes need no restart."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="reminder_schedule")
    enabled = models.BooleanField(default=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.SUNDAY)
    local_time = models.TimeField(default=datetime.time(18, 0))
    digest_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    digest_time = models.TimeField(default=datetime.time(8, 0))

    def __str__(self) -> str:
        return f"Reminder schedule of cohort #{self.cohort_id}"
