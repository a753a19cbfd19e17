"""The tutor's cohort dashboard: weekly counts, unread shared entries, waiting submissions."""

import datetime

import pytest
from django.utils import timezone

from reflect.cohorts.models import Membership, Role
from reflect.journal import services
from reflect.journal.models import JournalEntry, Status, Visibility
from reflect.journal.selectors import weekly_counts
from reflect.pages.cohort_dashboard import week_starts

pytestmark = pytest.mark.django_db

COHORT_PAGE_QUERIES_TUTOR = 14


def test_weekly_counts_include_private_entries_as_numbers_only(trainee, tutor, cohort, client_for, make_entry):
    make_entry(trainee, cohort, title="Private thoughts on my own therapy", body="Secret body text")
    make_entry(trainee, cohort, title="Shared one", visibility="shared")
    make_entry(trainee, cohort, title="Just a draft", draft=True)
    page = client_for(tutor).get(f"/cohorts/{cohort.pk}/").content.decode()
    weeks = week_starts(cohort)
    assert weekly_counts(cohort, [trainee.pk], weeks)[trainee.pk][-1] == 2
    assert "Private thoughts" not in page and "Secret body text" not in page and "Just a draft" not in page


def test_weekly_counts_put_entries_in_the_right_week(trainee, cohort, make_entry):
    today = datetime.date(2026, 11, 18)
    weeks = week_starts(cohort, today)
    assert weeks[-1] == datetime.date(2026, 11, 16) and len(weeks) == 12
    entry = make_entry(trainee, cohort)
    # Sunday 23:30 in London is still the week of 9 November.
    JournalEntry.objects.filter(pk=entry.pk).update(
        created_at=datetime.datetime(2026, 11, 15, 23, 30, tzinfo=cohort.tz)
    )
    counts = weekly_counts(cohort, [trainee.pk], weeks)[trainee.pk]
    assert counts[-2] == 1 and counts[-1] == 0


def test_unread_list_drops_an_entry_once_the_tutor_opens_it(trainee, tutor, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, title="Please read me", visibility="shared")
    client = client_for(tutor)
    assert client.get(f"/cohorts/{cohort.pk}/").context["unread_count"] == 1
    client.get(f"/journal/{entry.pk}/")
    assert client.get(f"/cohorts/{cohort.pk}/").context["unread_count"] == 0


def test_trainee_dashboard_says_exactly_what_the_tutor_sees(trainee, cohort, client_for):
    page = client_for(trainee).get("/").content.decode()
    assert "how many entries you publish each week" in page


def fill_cohort(cohort, user_factory, count: int):
    users = [user_factory(f"t{n}@example.test", f"Trainee {n}") for n in range(count)]
    Membership.objects.bulk_create(Membership(user=u, cohort=cohort, role=Role.TRAINEE) for u in users)
    now = timezone.now()
    JournalEntry.objects.bulk_create(
        JournalEntry(
            author=u,
            cohort=cohort,
            title=f"Entry {n}",
            body="text",
            status=Status.PUBLISHED,
            visibility=Visibility.SHARED if n % 2 else Visibility.PRIVATE,
            published_at=now,
            created_at=now - datetime.timedelta(days=n % 80),
        )
        for u in users
        for n in range(3)
    )
    return users


@pytest.mark.parametrize("size", [10, 100])
def test_cohort_dashboard_queries_do_not_grow_with_trainees(
    tutor, cohort, user_factory, client_for, django_assert_num_queries, size
):
    users = fill_cohort(cohort, user_factory, size)
    entry = JournalEntry.objects.filter(author=users[0], visibility=Visibility.SHARED).first()
    services.access_record(entry=entry, user=tutor)
    client = client_for(tutor)
    with django_assert_num_queries(COHORT_PAGE_QUERIES_TUTOR):
        response = client.get(f"/cohorts/{cohort.pk}/")
    assert response.status_code == 200
    assert len(response.context["trainees"]) == size


def test_weeks_before_a_trainee_joined_are_not_counted_as_empty(trainee, tutor, cohort, client_for):
    """The same rule as the engagement report: a trainee who joined this week has
    no empty weeks before it, only dashes ("not yet in the cohort")."""
    Membership.objects.filter(user=trainee, cohort=cohort).update(joined_at=timezone.now())
    page = client_for(tutor).get(f"/cohorts/{cohort.pk}/").content.decode()
    row = page[page.index(str(trainee)) :].split("</tr>")[0]
    assert row.count("not yet in the cohort") == len(week_starts(cohort)) - 1
    assert "as in the engagement report" in page
