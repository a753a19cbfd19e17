"""Revisions, sharing, Trash and purge: nothing is lost by accident."""

import datetime

import pytest
from django.utils import timezone

from reflect.journal import services
from reflect.journal.models import EntryRevision, JournalEntry, Visibility
from reflect.journal.tasks import purge_trash
from tests.conftest import entry_data

pytestmark = pytest.mark.django_db


def republish(entry, **changes):
    return services.entry_publish(author=entry.author, cohort=entry.cohort, entry=entry, data=entry_data(**changes))


def test_republishing_keeps_the_previous_text_as_a_revision(trainee, cohort, make_entry):
    entry = make_entry(trainee, cohort, title="v1", body="first words")
    republish(entry, title="v2", body="second words")
    revision = EntryRevision.objects.get(entry=entry)
    assert (revision.title, revision.body) == ("v1", "first words")


def test_republishing_unchanged_text_adds_no_revision(trainee, cohort, make_entry):
    entry = make_entry(trainee, cohort, title="same", body="same words")
    republish(entry, title="same", body="same words", visibility="shared")
    assert not EntryRevision.objects.exists()


def test_saving_a_draft_keeps_no_revision(trainee, cohort, make_entry):
    entry = make_entry(trainee, cohort, draft=True, body="a")
    services.entry_save_draft(author=trainee, cohort=cohort, entry=entry, data=entry_data(body="b"))
    assert not EntryRevision.objects.exists()


def test_author_sees_history_and_restores_a_revision(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, title="v1", body="first words")
    republish(entry, title="v2", body="second words")
    client = client_for(trainee)
    history = client.get(f"/journal/{entry.pk}/history/").content.decode()
    assert "first words" in history
    revision = entry.revisions.get()
    response = client.post(f"/journal/{entry.pk}/history/{revision.pk}/restore/")
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.body) == ("v1", "first words")
    assert "second words" in [r.body for r in entry.revisions.all()], "the replaced text is kept too"


def test_restoring_a_revision_of_another_entry_is_not_found(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, body="one")
    other = make_entry(trainee, cohort, body="two")
    republish(other, body="two, changed")
    response = client_for(trainee).post(f"/journal/{entry.pk}/history/{other.revisions.get().pk}/restore/")
    assert response.status_code == 404


def test_share_and_unshare(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort)
    client = client_for(trainee)
    client.post(f"/journal/{entry.pk}/visibility/", {"visibility": "shared"})
    entry.refresh_from_db()
    assert entry.visibility == Visibility.SHARED
    client.post(f"/journal/{entry.pk}/visibility/", {"visibility": "private"})
    entry.refresh_from_db()
    assert entry.visibility == Visibility.PRIVATE


def test_a_forged_visibility_changes_nothing(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort)
    response = client_for(trainee).post(f"/journal/{entry.pk}/visibility/", {"visibility": "public"}, follow=True)
    entry.refresh_from_db()
    assert entry.visibility == Visibility.PRIVATE
    assert "isn&#x27;t one we know" in response.content.decode()


def test_delete_asks_first_then_moves_to_trash(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, title="Soon gone")
    client = client_for(trainee)
    confirm = client.get(f"/journal/{entry.pk}/delete/")
    assert "Move to Trash" in confirm.content.decode()
    entry.refresh_from_db()
    assert entry.deleted_at is None
    client.post(f"/journal/{entry.pk}/delete/")
    entry.refresh_from_db()
    assert entry.deleted_at is not None
    assert f'href="/journal/{entry.pk}/"' not in client.get("/journal/").content.decode()
    assert "Soon gone" in client.get("/journal/trash/").content.decode()
    assert client.get(f"/journal/{entry.pk}/").status_code == 404


def test_restore_from_trash(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, title="Back again")
    services.entry_delete(entry=entry)
    response = client_for(trainee).post(f"/journal/trash/{entry.pk}/restore/")
    assert response["Location"] == f"/journal/{entry.pk}/"
    entry.refresh_from_db()
    assert entry.deleted_at is None


def test_trashed_shared_entry_is_hidden_from_the_tutor(trainee, tutor, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, visibility="shared")
    services.entry_delete(entry=entry)
    assert client_for(tutor).get(f"/journal/{entry.pk}/").status_code == 404


def test_purge_deletes_only_entries_in_trash_longer_than_30_days(trainee, cohort, make_entry):
    now = timezone.now()
    old = make_entry(trainee, cohort, title="old")
    recent = make_entry(trainee, cohort, title="recent")
    alive = make_entry(trainee, cohort, title="alive")
    republish(old, body="changed, so it has a revision")
    JournalEntry.objects.filter(pk=old.pk).update(deleted_at=now - datetime.timedelta(days=31))
    JournalEntry.objects.filter(pk=recent.pk).update(deleted_at=now - datetime.timedelta(days=29))
    assert services.entries_purge(now=now) == 1
    assert set(JournalEntry.objects.values_list("title", flat=True)) == {recent.title, alive.title}
    assert not EntryRevision.objects.filter(entry_id=old.pk).exists()


def test_purge_task_calls_the_service(trainee, cohort, make_entry):
    entry = make_entry(trainee, cohort)
    JournalEntry.objects.filter(pk=entry.pk).update(deleted_at=timezone.now() - datetime.timedelta(days=40))
    assert purge_trash.apply().get() == 1
    assert not JournalEntry.objects.exists()
