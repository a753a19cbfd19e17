import datetime

import pytest
from django.utils import timezone

from reflect.journal.models import JournalEntry
from reflect.journal.stats import weekly_streak
from reflect.prompts.models import Prompt
from reflect.prompts.services import prompt_for_week

pytestmark = pytest.mark.django_db


def backdate(entry, days: int):
    JournalEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))


def test_streak_counts_consecutive_weeks_with_a_published_entry(trainee, cohort, make_entry):
    today = datetime.date(2026, 11, 18)  # a Wednesday
    for days in (0, 7, 14, 28):  # this week, last week, two weeks ago; a gap; then older
        entry = make_entry(trainee, cohort)
        JournalEntry.objects.filter(pk=entry.pk).update(
            created_at=datetime.datetime(2026, 11, 18, 12, tzinfo=datetime.UTC) - datetime.timedelta(days=days)
        )
    assert weekly_streak(author=trainee, today=today) == 3


def test_a_week_not_yet_written_in_does_not_break_the_streak(trainee, cohort, make_entry):
    entry = make_entry(trainee, cohort)
    JournalEntry.objects.filter(pk=entry.pk).update(created_at=datetime.datetime(2026, 11, 11, 12, tzinfo=datetime.UTC))
    assert weekly_streak(author=trainee, today=datetime.date(2026, 11, 18)) == 1


def test_drafts_and_trashed_entries_do_not_count_towards_the_streak(trainee, cohort, make_entry):
    make_entry(trainee, cohort, draft=True)
    trashed = make_entry(trainee, cohort)
    JournalEntry.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    assert weekly_streak(author=trainee) == 0


def test_prompt_library_has_at_least_40_prompts_across_themes():
    assert Prompt.objects.filter(is_active=True).count() >= 40
    assert Prompt.objects.values("theme").distinct().count() >= 10


def test_prompt_changes_week_to_week_and_is_stable_within_a_week():
    monday = datetime.date(2026, 11, 16)
    assert prompt_for_week(monday) == prompt_for_week(monday + datetime.timedelta(days=6))
    assert prompt_for_week(monday) != prompt_for_week(monday + datetime.timedelta(days=7))


def test_trainee_dashboard_shows_prompt_streak_recent_entries_and_privacy(trainee, cohort, client_for, make_entry):
    make_entry(trainee, cohort, title="Rupture with Client B")
    page = client_for(trainee).get("/").content.decode()
    assert prompt_for_week(timezone.localdate()).text.replace("'", "&#x27;") in page
    assert "1 week" in page
    assert "Rupture with Client B" in page
    assert "Private entries" in page and "only you" in page


def test_tutor_lands_on_their_cohorts(tutor, cohort, client_for):
    page = client_for(tutor).get("/").content.decode()
    assert f"/cohorts/{cohort.pk}/" in page
    assert "This week&#x27;s prompt" not in page


def test_course_admin_lands_on_their_cohorts(course_admin, cohort, other_cohort, client_for):
    page = client_for(course_admin).get("/").content.decode()
    assert f"/cohorts/{cohort.pk}/" in page and f"/cohorts/{other_cohort.pk}/" in page


def test_journal_list_filters_and_paginates(trainee, cohort, client_for, make_entry):
    for n in range(23):
        make_entry(trainee, cohort, title=f"Entry {n:02d}", kind="supervision" if n % 2 else "general")
    make_entry(trainee, cohort, title="Tagged one", tags=["rupture"], template="free")
    client = client_for(trainee)
    first = client.get("/journal/").content.decode()
    assert "Page 1 of 2" in first
    assert client.get("/journal/?page=2").content.decode().count('class="list-group-item"') == 4
    supervision = client.get("/journal/?kind=supervision").content.decode()
    assert "Entry 01" in supervision and "Entry 02" not in supervision
    tagged = client.get("/journal/?tag=rupture").content.decode()
    assert "Tagged one" in tagged and "Entry 01" not in tagged
    assert "No entries match" in client.get("/journal/?q=nothing-like-this").content.decode()


def test_journal_list_search_covers_only_own_entries(trainee, trainee2, cohort, client_for, make_entry):
    make_entry(trainee2, cohort, title="Bob's window of tolerance", visibility="shared")
    page = client_for(trainee).get("/journal/?q=window").content.decode()
    assert "window of tolerance" not in page


def test_empty_journal_invites_a_first_entry(trainee, client_for):
    assert "Write your first entry" in client_for(trainee).get("/journal/").content.decode()
