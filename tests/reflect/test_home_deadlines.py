"""A trainee's home page lists the deadlines they still have to meet."""

import datetime

import pytest
from django.utils import timezone

from reflect.assessment.models import Checkpoint
from reflect.cohorts.models import Membership, Role
from reflect.templatetags.reflect_tags import due_phrase
from tests.reflect.assessment_factories import make_checkpoint, make_rubric, make_submission

pytestmark = pytest.mark.django_db


def deadlines_on_home(client) -> str:
    """The "Next deadlines" section of the home page."""
    page = client.get("/").content.decode()
    return page.split('id="deadlines-heading"', 1)[1].split('id="recent-heading"', 1)[0]


def test_it_lists_the_next_deadlines_soonest_first_with_links(trainee, cohort, client_for):
    rubric = make_rubric(cohort.programme)
    later = make_checkpoint(cohort, rubric, due_in_days=20, title="Second portfolio")
    sooner = make_checkpoint(cohort, rubric, due_in_days=3, title="First portfolio")
    section = deadlines_on_home(client_for(trainee))
    assert section.index("First portfolio") < section.index("Second portfolio")
    assert "due in 3 days" in section and "due in 2 weeks" in section
    assert f'href="/checkpoints/{sooner.pk}/"' in section and f'href="/checkpoints/{later.pk}/"' in section


def test_the_deadline_is_shown_in_the_trainees_time_zone(trainee, cohort, client_for):
    checkpoint = make_checkpoint(cohort)
    Checkpoint.objects.filter(pk=checkpoint.pk).update(due_at=datetime.datetime(2027, 1, 15, 17, tzinfo=datetime.UTC))
    trainee.time_zone = "America/New_York"
    trainee.save()
    section = deadlines_on_home(client_for(trainee))
    assert "Friday 15 January 2027, 12:00" in section
    assert "America/New_York" in section


def test_submitted_closed_and_other_cohorts_deadlines_are_not_listed(
    trainee, cohort, other_cohort, user_factory, client_for
):
    rubric = make_rubric(cohort.programme)
    make_checkpoint(cohort, rubric, title="Still to do")
    make_submission(make_checkpoint(cohort, rubric, title="Already submitted"), trainee)
    prepared = make_checkpoint(cohort, rubric, title="Being prepared")
    make_submission(prepared, trainee, submit=False)
    closed = make_checkpoint(cohort, rubric, title="Closed one")
    Checkpoint.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    make_checkpoint(other_cohort, rubric, title="Spring cohort's")
    section = deadlines_on_home(client_for(trainee))
    assert "Still to do" in section and "Being prepared" in section
    for absent in ("Already submitted", "Closed one", "Spring cohort"):
        assert absent not in section


def test_a_passed_deadline_stays_listed_as_overdue_until_submitted_or_closed(trainee, cohort, client_for):
    make_checkpoint(cohort, due_in_days=-2, title="Late one")
    section = deadlines_on_home(client_for(trainee))
    assert "Late one" in section and "Overdue" in section and "was due 2 days ago" in section


def test_an_archived_cohorts_deadlines_are_not_listed(trainee, cohort, client_for):
    make_checkpoint(cohort, title="First portfolio")
    cohort.archived_at = timezone.now()
    cohort.save()
    assert "First portfolio" not in deadlines_on_home(client_for(trainee))


def test_it_says_so_when_nothing_is_due(trainee, cohort, client_for):
    assert "Nothing due right now" in deadlines_on_home(client_for(trainee))


def test_a_tutor_sees_no_deadlines_section(tutor, cohort, client_for):
    make_checkpoint(cohort, title="First portfolio")
    assert "Next deadlines" not in client_for(tutor).get("/").content.decode()


def test_the_cohort_is_named_when_the_trainee_is_in_several(trainee, cohort, other_cohort, client_for):
    Membership.objects.create(user=trainee, cohort=other_cohort, role=Role.TRAINEE)
    make_checkpoint(other_cohort, title="Spring portfolio")
    assert "Spring portfolio</a>" in (section := deadlines_on_home(client_for(trainee)))
    assert "· Spring" in section


@pytest.mark.parametrize(
    "days, phrase",
    [
        (0, "today"),
        (1, "tomorrow"),
        (3, "in 3 days"),
        (13, "in 13 days"),
        (14, "in 2 weeks"),
        (45, "in 6 weeks"),
        (90, "in 3 months"),
        (-1, "yesterday"),
        (-2, "2 days ago"),
    ],
)
def test_due_phrase_counts_calendar_days(days, phrase):
    today = datetime.date(2026, 12, 3)
    moment = datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(12), tzinfo=datetime.UTC)
    with timezone.override("UTC"):
        assert due_phrase(moment, today) == phrase


def test_due_phrase_counts_days_where_the_reader_is():
    # 01:00 UTC on the 4th is still the evening of the 3rd in New York: "today" there.
    moment = datetime.datetime(2026, 12, 4, 1, tzinfo=datetime.UTC)
    with timezone.override("America/New_York"):
        assert due_phrase(moment, datetime.date(2026, 12, 3)) == "today"
    with timezone.override("UTC"):
        assert due_phrase(moment, datetime.date(2026, 12, 3)) == "tomorrow"
