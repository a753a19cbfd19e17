"""The course admin's reminder schedule page for a cohort."""

import datetime

import pytest
from django.utils import timezone

from reflect.reminders.models import ReminderSchedule
from reflect.reminders.schedule_views import describe, next_occurrence

pytestmark = pytest.mark.django_db


def url(cohort) -> str:
    return f"/cohorts/{cohort.pk}/schedule/"


def form(**overrides) -> dict:
    data = {
        "enabled": "on",
        "weekday": "6",
        "local_time": "18:00",
        "digest_weekday": "0",
        "digest_time": "08:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_course_admin_sees_the_default_schedule_and_its_next_time(course_admin, cohort, client_for):
    response = client_for(course_admin).get(url(cohort))
    assert response.status_code == 200
    page = response.content.decode()
    schedule = ReminderSchedule.objects.get(cohort=cohort)
    assert (schedule.weekday, schedule.local_time) == (6, datetime.time(18, 0))
    expected = describe(next_occurrence(6, datetime.time(18, 0), cohort))
    assert f"{expected}" in page and expected.startswith("Sunday ") and expected.endswith(", 18:00 Europe/London")
    assert "Europe/London" in page
    assert "next run" in page and "restart" in page


def test_course_admin_changes_the_schedule(course_admin, cohort, client_for):
    client = client_for(course_admin)
    response = client.post(url(cohort), form(weekday="2", local_time="07:30", digest_weekday="4", digest_time="16:00"))
    assert response.status_code == 302 and response["Location"] == url(cohort)
    schedule = ReminderSchedule.objects.get(cohort=cohort)
    assert (schedule.weekday, schedule.local_time) == (2, datetime.time(7, 30))
    assert (schedule.digest_weekday, schedule.digest_time) == (4, datetime.time(16, 0))
    assert schedule.enabled
    page = client.get(url(cohort)).content.decode()
    assert "Schedule saved" in page and "Wednesday " in page and ", 07:30 Europe/London" in page
    client.post(url(cohort), form(enabled=None))
    schedule.refresh_from_db()
    assert not schedule.enabled
    assert "Weekly prompts are turned off" in client.get(url(cohort)).content.decode()


def test_an_invalid_time_is_refused(course_admin, cohort, client_for):
    response = client_for(course_admin).post(url(cohort), form(local_time="25:99"))
    assert response.status_code == 400
    assert ReminderSchedule.objects.get(cohort=cohort).local_time == datetime.time(18, 0)


@pytest.mark.parametrize("persona", ["trainee", "tutor", "other_tutor", "stranger"])
def test_everyone_but_the_cohorts_course_admins_gets_404(persona, request, cohort, client_for, user_factory):
    user = user_factory("zoe@example.test") if persona == "stranger" else request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(url(cohort)).status_code == 404
    assert client.post(url(cohort), form(weekday="1")).status_code == 404
    assert not ReminderSchedule.objects.filter(cohort=cohort).exists()


def test_an_admin_of_another_programme_gets_404(user_factory, cohort, client_for):
    import datetime

    from reflect.cohorts.models import Cohort, Membership, Programme, Role

    elsewhere = Cohort.objects.create(
        programme=Programme.objects.create(name="Another diploma"),
        name="Elsewhere",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2027, 1, 1),
    )
    admin = user_factory("frank@example.test", "Frank Admin")
    Membership.objects.create(user=admin, cohort=elsewhere, role=Role.COURSE_ADMIN)
    Membership.objects.create(user=admin, cohort=cohort, role=Role.TUTOR)
    assert client_for(admin).get(url(cohort)).status_code == 404
    assert client_for(admin).get(url(elsewhere)).status_code == 200


def test_a_programme_admin_sets_the_schedule_of_every_cohort_of_the_programme(
    user_factory, cohort, other_cohort, client_for
):
    # Programme.admins has a course admin's rights on every cohort of the programme (issue 9).
    admin = user_factory("pat@example.test", "Pat Programme")
    cohort.programme.admins.add(admin)
    assert other_cohort.programme_id == cohort.programme_id
    assert client_for(admin).get(url(cohort)).status_code == 200
    assert client_for(admin).get(url(other_cohort)).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(cohort, client):
    response = client.get(url(cohort))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_failing_addresses_are_listed_with_their_reason(
    course_admin, trainee, trainee2, other_tutor, cohort, client_for
):
    when = timezone.now()
    type(trainee).objects.filter(pk__in=[trainee.pk, other_tutor.pk]).update(
        email_failed_at=when, email_failure="550 5.1.1 mailbox unavailable"
    )
    page = client_for(course_admin).get(url(cohort)).content.decode()
    assert "Alice Trainee" in page and "alice@example.test" in page and "550 5.1.1 mailbox unavailable" in page
    assert "Bob Trainee" not in page  # working address
    assert "Dana Tutor" not in page  # not a member of this cohort


def test_next_occurrence_crosses_into_next_week_and_keeps_local_time_over_dst(cohort):
    # Saturday 24 October 2026, noon UTC: the next Sunday 18:00 London is after the clocks go back.
    now = datetime.datetime(2026, 10, 24, 12, 0, tzinfo=datetime.UTC)
    moment = next_occurrence(6, datetime.time(18, 0), cohort, now=now)
    assert describe(moment) == "Sunday 25 October, 18:00 Europe/London"
    assert moment.astimezone(datetime.UTC).hour == 18
    just_after = datetime.datetime(2026, 10, 25, 18, 1, tzinfo=datetime.UTC)
    assert describe(next_occurrence(6, datetime.time(18, 0), cohort, now=just_after)) == (
        "Sunday 1 November, 18:00 Europe/London"
    )
