"""Pages cost the same number of queries whatever the size of the journal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reflect.assessment.models import Checkpoint
from reflect.journal import services
from reflect.journal.models import AccessEvent, JournalEntry, Status, Visibility
from tests.reflect.assessment_factories import make_rubric

pytestmark = pytest.mark.django_db

# Each count includes the session, the user and the unread-notification count; the dashboard includes two for
# the week's prompt (count, then the one prompt).
LIST_QUERIES = 7
# The entry page also marks the reader's notifications about the entry read (one UPDATE).
DETAIL_QUERIES_AUTHOR = 11  # + one lookup of the readers named on the entry
DETAIL_QUERIES_TUTOR = 9
# + the "who can read your shared writing" panel: tutors (1 when there are none) and markers (3), + the next deadlines
# (1). (Before this test made checkpoints it counted 13: with no checkpoint, the markers' allocations need no query.)
DASHBOARD_QUERIES = 15
COHORT_QUERIES_TUTOR = 14  # + does this person run the cohort (programme admins too)


def fill_journal(author, cohort, count: int) -> JournalEntry:
    JournalEntry.objects.bulk_create(
        JournalEntry(
            author=author,
            cohort=cohort,
            title=f"Entry {n}",
            body="Some words " * 20,
            status=Status.PUBLISHED,
            visibility=Visibility.SHARED if n % 2 else Visibility.PRIVATE,
        )
        for n in range(count)
    )
    tags = services.tags_resolve(owner=author, names=["alliance", "body", "rupture"])
    through = JournalEntry.tags.through
    through.objects.bulk_create(
        through(journalentry_id=pk, tag_id=tag.pk)
        for pk in JournalEntry.objects.filter(author=author).values_list("pk", flat=True)
        for tag in tags
    )
    entry = JournalEntry.objects.filter(author=author, visibility=Visibility.SHARED).first()
    for n in range(min(count, 30)):
        services.entry_publish(
            author=author,
            cohort=cohort,
            entry=entry,
            data={"title": entry.title, "body": f"version {n}", "template": "free", "visibility": "shared"},
        )
    return entry


@pytest.mark.parametrize("size", [5, 200])
def test_journal_list_queries_do_not_grow(trainee, cohort, client_for, django_assert_num_queries, size):
    fill_journal(trainee, cohort, size)
    client = client_for(trainee)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/journal/?tag=body")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_entry_page_queries_do_not_grow(trainee, tutor, cohort, client_for, django_assert_num_queries, size):
    entry = fill_journal(trainee, cohort, size)
    AccessEvent.objects.bulk_create(AccessEvent(entry=entry, user=tutor) for _ in range(size))
    author, reader = client_for(trainee), client_for(tutor)
    with django_assert_num_queries(DETAIL_QUERIES_AUTHOR):
        assert author.get(f"/journal/{entry.pk}/").status_code == 200
    with django_assert_num_queries(DETAIL_QUERIES_TUTOR):
        assert reader.get(f"/journal/{entry.pk}/").status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_dashboard_queries_do_not_grow(trainee, cohort, client_for, django_assert_num_queries, size):
    fill_journal(trainee, cohort, size)
    rubric = make_rubric(cohort.programme)
    Checkpoint.objects.bulk_create(
        Checkpoint(cohort=cohort, rubric=rubric, title=f"Portfolio {n}", due_at=timezone.now() + timedelta(days=n))
        for n in range(size)
    )
    client = client_for(trainee)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_cohort_page_queries_do_not_grow(trainee, tutor, cohort, client_for, django_assert_num_queries, size):
    fill_journal(trainee, cohort, size)
    client = client_for(tutor)
    with django_assert_num_queries(COHORT_QUERIES_TUTOR):
        assert client.get(f"/cohorts/{cohort.pk}/").status_code == 200
