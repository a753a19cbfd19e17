"""No reader is ever silent: the trainee's home page names everyone who can read
their shared writing and why (tutors by the assignment rule, allocated markers
by checkpoint), and an entry shows one line per reader with the last time and
how often."""

import datetime
import re

import pytest

from reflect.journal.models import AccessEvent
from tests.reflect.assessment_factories import (
    add_tutor,
    allocate,
    assign,
    make_checkpoint,
    make_rubric,
    make_submission,
)

pytestmark = pytest.mark.django_db

# The home page for a trainee: session, user, unread count, memberships, recent entries, the week's prompt (2),
# the streak, the staff-cohort list and its counts (2), then the reader panel: tutors with their assignments (2)
# and markers (submissions, checkpoints, allocations), and the next deadlines. The same whatever the number of
# tutors, checkpoints and allocations. (test_query_counts counts 15: with no tutor one of these is never asked.)
HOME_QUERIES = 16


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def readers_panel(content: str) -> list[str]:
    """The lines of the home page's "Who can read your shared writing" panel."""
    panel = re.search(r'<section[^>]*id="readers".*?</section>', content, re.S)
    assert panel, "no reader panel on the home page"
    listed = re.search(r'<ul[^>]*data-testid="readers"[^>]*>(.*?)</ul>', panel.group(0), re.S)
    return [text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", listed.group(1), re.S)] if listed else []


@pytest.fixture
def tutor_b(user_factory, cohort):
    return add_tutor(user_factory, cohort, "hana@example.test", "Hana Tutor")


@pytest.fixture
def second(user_factory, cohort):
    return add_tutor(user_factory, cohort, "frank@example.test", "Frank Second")


@pytest.fixture
def moderator(user_factory, cohort):
    return add_tutor(user_factory, cohort, "gail@example.test", "Gail Moderator")


def test_the_home_page_names_assigned_tutors_and_allocated_markers_with_the_reason(
    trainee, trainee2, cohort, tutor, tutor_b, second, moderator, client_for
):
    assign(tutor_b, cohort, trainee)
    checkpoint = make_checkpoint(cohort, title="First portfolio")
    allocate(checkpoint, by=tutor, second=second, moderator=moderator)

    assert readers_panel(client_for(trainee).get("/").content.decode()) == [
        "Hana Tutor, your assigned tutor in Autumn",
        "Frank Second, second marker for your portfolio “First portfolio”",
        "Gail Moderator, moderator for your portfolio “First portfolio”",
    ]
    # With no assigned tutor every tutor of the cohort reads Bob, and says so.
    assert readers_panel(client_for(trainee2).get("/").content.decode()) == [
        "Charlie Tutor, a tutor of Autumn",
        "Frank Second, a tutor of Autumn",
        "Gail Moderator, a tutor of Autumn",
        "Hana Tutor, a tutor of Autumn",
        "Frank Second, second marker for your portfolio “First portfolio”",
        "Gail Moderator, moderator for your portfolio “First portfolio”",
    ]


def test_the_home_page_names_a_submissions_own_marker_instead_of_the_checkpoints(
    trainee, cohort, tutor, tutor_b, second, client_for
):
    assign(tutor_b, cohort, trainee)
    checkpoint = make_checkpoint(cohort, title="First portfolio")
    allocate(checkpoint, by=tutor, second=second)
    allocate(make_submission(checkpoint, trainee), by=tutor_b, second=tutor)
    lines = readers_panel(client_for(trainee).get("/").content.decode())
    assert "Charlie Tutor, second marker for your portfolio “First portfolio”" in lines
    assert not [line for line in lines if line.startswith("Frank Second")]


@pytest.mark.parametrize("size", [1, 6])
def test_home_page_queries_do_not_grow_with_tutors_or_allocations(
    trainee, cohort, programme, user_factory, client_for, django_assert_num_queries, size
):
    tutors = [add_tutor(user_factory, cohort, f"tutor{n}@example.test", f"Tutor {n:02}") for n in range(2 * size)]
    assign(tutors[0], cohort, trainee)
    for tutor in tutors[1:size]:
        assign(tutor, cohort, trainee)
    rubric = make_rubric(programme)
    for n in range(size):
        checkpoint = make_checkpoint(cohort, rubric, title=f"Portfolio {n}")
        allocate(checkpoint, by=tutors[0], second=tutors[n], moderator=tutors[-1 - n])
        if n % 2:  # some portfolios submitted, with their own second marker
            allocate(make_submission(checkpoint, trainee), by=tutors[0], second=tutors[size + n])
    client = client_for(trainee)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")
    # The assigned tutors, and a second marker and a moderator per checkpoint.
    assert len(readers_panel(response.content.decode())) == size + 2 * size


# --- who has read this entry ----------------------------------------------------------


def test_an_entry_shows_one_line_per_reader_with_the_last_time_and_the_count(
    trainee, tutor, second, cohort, make_entry, client_for
):
    entry = make_entry(trainee, cohort, title="Rupture and repair", visibility="shared")
    for _ in range(4):
        assert client_for(tutor).get(f"/journal/{entry.pk}/").status_code == 200
    client_for(second).get(f"/journal/{entry.pk}/")
    # Fix the times: Charlie last read it on 3 Nov, Frank on 5 Nov (London is on UTC in November).
    day = datetime.datetime(2026, 11, 1, 9, 30, tzinfo=datetime.UTC)
    for n, event in enumerate(AccessEvent.objects.filter(user=tutor).order_by("pk")):
        AccessEvent.objects.filter(pk=event.pk).update(at=day + datetime.timedelta(days=n / 1.5))
    AccessEvent.objects.filter(user=second).update(at=datetime.datetime(2026, 11, 5, 16, 0, tzinfo=datetime.UTC))

    content = client_for(trainee).get(f"/journal/{entry.pk}/").content.decode()  # the author's own visit isn't listed
    listed = re.search(r'<ul[^>]*id="entry-readers"[^>]*>(.*?)</ul>', content, re.S)
    lines = [text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", listed.group(1), re.S)]
    assert lines == [
        "Frank Second: last opened 5 Nov 2026, 16:00, once",
        "Charlie Tutor: last opened 3 Nov 2026, 09:30, 4 times in all",
    ]
