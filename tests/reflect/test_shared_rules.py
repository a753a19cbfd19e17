"""Rules that used to be copied between modules now live in one place each; these
pin down what each one promises to every caller."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.mail import render_mail
from reflect.assessment import services
from reflect.assessment.models import Assessment, Submission
from reflect.cohorts.guards import READ_ONLY_MESSAGE, ReadOnlyCohort, refuse_if_read_only
from reflect.cohorts.models import Cohort
from reflect.cohorts.weeks import local_week_start, week_start, week_starts_back, week_starts_between
from reflect.outbox.models import Delivery
from reflect.prompts.models import Prompt, Theme
from reflect.prompts.services import prompt_for_week, prompt_id_for_week, rotation
from reflect.reminders.dispatch import reminders_dispatch
from tests.reflect.assessment_factories import make_checkpoint, make_submission, mark
from tests.reminders.factories import SUNDAY_EVENING, london_sunday_schedule

LONDON = zoneinfo.ZoneInfo("Europe/London")
AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")


# --- weeks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (datetime.date(2026, 11, 23), datetime.date(2026, 11, 23)),  # a Monday is its own week's start
        (datetime.date(2026, 11, 29), datetime.date(2026, 11, 23)),  # Sunday belongs to the week before
        (datetime.date(2027, 1, 1), datetime.date(2026, 12, 28)),  # the week runs across the year end
        (datetime.date(2024, 2, 29), datetime.date(2024, 2, 26)),  # leap day
    ],
)
def test_week_start_is_the_monday_of_the_week(day, monday):
    assert week_start(day) == monday


def test_local_week_start_follows_the_calendar_of_the_time_zone():
    late_sunday_utc = datetime.datetime(2026, 11, 29, 20, 0, tzinfo=datetime.UTC)
    assert local_week_start(late_sunday_utc, LONDON) == datetime.date(2026, 11, 23)
    assert local_week_start(late_sunday_utc, AUCKLAND) == datetime.date(2026, 11, 30)  # already Monday there


def test_weeks_across_daylight_saving_changes_are_still_seven_days_apart():
    # London springs forward on 29 March 2026 and falls back on 25 October 2026.
    spring = week_starts_back(datetime.date(2026, 4, 1), 3)
    autumn = week_starts_between(datetime.date(2026, 10, 20), datetime.date(2026, 11, 3))
    assert spring == [datetime.date(2026, 3, 16), datetime.date(2026, 3, 23), datetime.date(2026, 3, 30)]
    assert autumn == [datetime.date(2026, 10, 19), datetime.date(2026, 10, 26), datetime.date(2026, 11, 2)]
    just_after_fall_back = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC)  # 01:30 GMT, Sunday
    assert local_week_start(just_after_fall_back, LONDON) == datetime.date(2026, 10, 19)


def test_weeks_between_are_empty_when_the_end_comes_first():
    assert week_starts_between(datetime.date(2026, 11, 30), datetime.date(2026, 11, 1)) == []


# --- the weekly prompt -------------------------------------------------------------


def test_prompt_rotation_never_repeats_two_weeks_running_across_a_year_end():
    ids = [1, 2, 3]
    weeks = week_starts_between(datetime.date(2026, 12, 14), datetime.date(2027, 1, 18))
    picks = [prompt_id_for_week(monday, ids) for monday in weeks]
    assert all(a != b for a, b in zip(picks, picks[1:], strict=False))
    assert prompt_id_for_week(datetime.date(2026, 12, 31), []) is None


@pytest.mark.django_db
def test_the_home_page_and_the_email_offer_the_same_prompt(trainee, cohort):
    Prompt.objects.bulk_create(Prompt(theme=Theme.ATTUNEMENT, text=f"Prompt {n}") for n in range(5))
    london_sunday_schedule(cohort)
    reminders_dispatch(now=SUNDAY_EVENING)
    emailed = Delivery.objects.get(user=trainee).payload["prompt_id"]
    assert emailed == prompt_for_week(SUNDAY_EVENING.date()).pk == prompt_id_for_week(SUNDAY_EVENING.date(), rotation())


# --- an archived cohort is read-only -----------------------------------------------


@pytest.mark.django_db
def test_an_archived_cohort_is_read_only_and_the_guard_says_so_plainly(cohort):
    refuse_if_read_only(cohort)  # open: nothing happens
    cohort.archived_at = timezone.now()
    assert cohort.is_read_only
    with pytest.raises(ReadOnlyCohort, match="archived"):
        refuse_if_read_only(cohort)
    with pytest.raises(ValueError, match=READ_ONLY_MESSAGE):
        refuse_if_read_only(cohort, error=ValueError)


@pytest.mark.django_db
def test_active_cohorts_are_the_ones_that_are_not_read_only(cohort, other_cohort):
    Cohort.objects.filter(pk=other_cohort.pk).update(archived_at=timezone.now())
    assert list(Cohort.objects.active()) == [cohort]


# --- one renderer for every email ----------------------------------------------------


def test_render_mail_gives_text_and_html_with_the_extra_headers(settings):
    settings.SITE_URL = "https://reflect.example"
    context = {"user": "Alice", "cohort": "Autumn", "programme": "PG Dip", "role": "trainee"}
    context["dashboard_url"] = "https://reflect.example/"
    message = render_mail("cohort_added", "alice@example.test", context, headers={"X-Test": "1"})
    assert message.to == ["alice@example.test"] and "\n" not in message.subject
    assert message.extra_headers == {"Auto-Submitted": "auto-generated", "X-Test": "1"}
    assert message.alternatives[0].mimetype == "text/html"
    assert "\n\n\n" not in message.body
    message.send()
    assert len(mail.outbox) == 1


# --- latest attempt and released outcome ---------------------------------------------


@pytest.mark.django_db
def test_the_latest_attempt_and_its_released_outcome(trainee, tutor, cohort):
    checkpoint = make_checkpoint(cohort)
    first = make_submission(checkpoint, trainee)
    services.assessment_release(assessment=mark(first, tutor, outcome="refer"), by=tutor)
    second = make_submission(checkpoint, trainee, submit=False)
    assert second.attempt == 2
    assert list(Submission.objects.filter(trainee=trainee).latest_attempts()) == [second]
    assert services.latest_submission(checkpoint=checkpoint, trainee=trainee) == second
    assert Assessment.objects.released_outcomes() == {first.pk: "refer"}
    assert services.released_outcome(first) == "refer" and services.released_outcome(second) is None
    assert list(Submission.objects.filter(pk=first.pk).without_release()) == []
