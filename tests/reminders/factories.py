import datetime

from accounts.models import User
from reflect.cohorts.models import Membership, Role
from reflect.reminders.models import ReminderSchedule

# Sunday 22 November 2026, 18:00 in London (GMT) is 18:00 UTC.
SUNDAY_EVENING = datetime.datetime(2026, 11, 22, 18, 2, tzinfo=datetime.UTC)


def london_sunday_schedule(cohort, at=datetime.time(18, 0)) -> ReminderSchedule:
    schedule, _ = ReminderSchedule.objects.update_or_create(
        cohort=cohort, defaults={"weekday": 6, "local_time": at, "enabled": True}
    )
    return schedule


def many_trainees(cohort, count: int, prefix: str = "t") -> list[User]:
    User.objects.bulk_create(
        User(email=f"{prefix}{n}@example.test", display_name=f"Trainee {n}", password="!") for n in range(count)
    )
    users = list(User.objects.filter(email__startswith=prefix, email__endswith="@example.test").order_by("pk"))
    Membership.objects.bulk_create(Membership(user=u, cohort=cohort, role=Role.TRAINEE) for u in users)
    return users
