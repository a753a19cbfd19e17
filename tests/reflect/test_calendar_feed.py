"""A person's private calendar feed: deadlines and the weekly prompt, at a secret
address that works without signing in and stops working when reset."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from accounts.models import NotificationPreferences, Weekday
from reflect.reminders.models import ReminderSchedule
from tests.reflect.assessment_factories import make_checkpoint, make_submission

pytestmark = pytest.mark.django_db


def feed_url(user) -> str:
    return reverse("reflect:calendar-feed", kwargs={"token": user.calendar_token})


def fetch(client, user) -> Calendar:
    response = client.get(feed_url(user))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_it_serves_the_trainees_deadlines_without_signing_in(client, trainee, cohort):
    checkpoint = make_checkpoint(cohort, due_in_days=10, title="First portfolio")
    found = events(fetch(client, trainee))
    deadline = found["Portfolio due: First portfolio"]
    assert deadline.decoded("DTSTART") == checkpoint.due_at.replace(microsecond=0)
    assert str(deadline["URL"]).endswith(f"/checkpoints/{checkpoint.pk}/")


def test_it_carries_no_journal_text_and_nothing_from_other_cohorts(
    client, trainee, cohort, other_cohort, other_tutor, make_entry
):
    checkpoint = make_checkpoint(cohort, title="First portfolio")
    make_checkpoint(other_cohort, title="Spring portfolio")
    make_entry(trainee, cohort, title="qzEntryTitle", body="qzEntryBody", visibility="shared")
    make_submission(checkpoint, trainee, summary="qzSummaryText")
    body = client.get(feed_url(trainee)).content.decode()
    assert "Portfolio due: First portfolio (submitted)" in body  # a calendar keeps its past
    for secret in ("qzEntryTitle", "qzEntryBody", "qzSummaryText", "Spring portfolio"):
        assert secret not in body
    assert "First portfolio" not in client.get(feed_url(other_tutor)).content.decode()


def test_a_tutor_gets_the_deadlines_of_the_cohorts_they_tutor(client, tutor, cohort, other_cohort):
    make_checkpoint(cohort, title="First portfolio")
    make_checkpoint(other_cohort, title="Spring portfolio")
    found = events(fetch(client, tutor))
    assert list(found) == ["Portfolio deadline: First portfolio (Autumn)"]  # no weekly prompt: not a trainee


def test_an_archived_cohorts_deadlines_leave_the_feed(client, trainee, cohort):
    make_checkpoint(cohort, title="First portfolio")
    cohort.archived_at = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    cohort.save()
    assert not [e for e in fetch(client, trainee).walk("VEVENT") if "portfolio" in str(e["SUMMARY"])]


def test_the_weekly_prompt_repeats_at_the_cohorts_local_time(client, trainee, cohort):
    ReminderSchedule.objects.create(cohort=cohort, weekday=Weekday.TUESDAY, local_time=datetime.time(19, 30))
    calendar = fetch(client, trainee)
    prompt = events(calendar)["Weekly reflection"]
    start = prompt.decoded("DTSTART")
    assert (start.tzinfo.key, start.weekday(), start.time()) == ("Europe/London", 1, datetime.time(19, 30))
    assert start.date() == datetime.date(2026, 9, 1)  # the cohort's first Tuesday
    rule = prompt["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU"]
    assert rule["UNTIL"] == [datetime.datetime(2027, 7, 1, 22, 59, 59, tzinfo=datetime.UTC)]  # end day, BST
    # The time zone's rules travel with the feed, so 19:30 stays 19:30 across the clock changes.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert "DTSTART;TZID=Europe/London:20260901T193000" in calendar.to_ical().decode()


def test_the_weekly_prompt_follows_the_persons_own_day_time_and_time_zone(client, trainee, cohort):
    trainee.time_zone = "Asia/Tokyo"
    trainee.save()
    NotificationPreferences.objects.create(user=trainee, prompt_weekday=Weekday.FRIDAY, prompt_time=datetime.time(7))
    prompt = events(fetch(client, trainee))["Weekly reflection"]
    start = prompt.decoded("DTSTART")
    assert (start.tzinfo.key, start.weekday(), start.time()) == ("Asia/Tokyo", 4, datetime.time(7))
    assert prompt["RRULE"]["BYDAY"] == ["FR"]


def test_no_weekly_prompt_event_for_someone_who_gets_no_prompt(client, trainee, trainee2, cohort):
    NotificationPreferences.objects.create(user=trainee, weekly_prompt=False)
    assert "Weekly reflection" not in events(fetch(client, trainee))
    assert "Weekly reflection" in events(fetch(client, trainee2))
    ReminderSchedule.objects.create(cohort=cohort, enabled=False)
    assert "Weekly reflection" not in events(fetch(client, trainee2))


def test_an_unknown_token_is_not_found(client, trainee):
    response = client.get(reverse("reflect:calendar-feed", kwargs={"token": "no-such-token"}))
    assert response.status_code == 404


def test_resetting_the_link_stops_the_old_one_at_once(client_for, trainee):
    old = feed_url(trainee)
    client = client_for(trainee)
    assert client.get(reverse("accounts:calendar-reset")).status_code == 200  # asks first
    trainee.refresh_from_db()
    assert client.get(old).status_code == 200

    response = client.post(reverse("accounts:calendar-reset"))
    assert response.status_code == 302 and response["Location"].endswith("/accounts/preferences/#calendar")
    trainee.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(trainee)).status_code == 200
    assert feed_url(trainee) in client.get(reverse("accounts:preferences")).content.decode()


def test_the_feed_of_a_deactivated_account_is_not_found(client, trainee):
    trainee.is_active = False
    trainee.save()
    assert client.get(feed_url(trainee)).status_code == 404


def test_the_feed_is_never_cached(client, trainee):
    response = client.get(feed_url(trainee))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("checkpoints", [1, 12])
def test_the_feed_costs_the_same_queries_however_many_deadlines(client, trainee, cohort, checkpoints):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(checkpoints):
        make_checkpoint(cohort, due_in_days=10 + n, title=f"Portfolio {n}")
    with CaptureQueriesContext(connection) as queries:
        found = events(fetch(client, trainee))
    assert sum(1 for summary in found if summary.startswith("Portfolio due")) == checkpoints
    # The token's person, their checkpoints (one query, with what they submitted), their prompt times.
    assert len(queries) == FEED_QUERIES


FEED_QUERIES = 3
