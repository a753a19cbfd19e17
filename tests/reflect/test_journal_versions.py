"""Two tabs (or devices) on one entry: a save from a page that loaded an older
version is not applied silently."""

import re

import pytest

from reflect.journal import services
from reflect.journal.models import JournalEntry
from reflect.journal.versions import EntryChanged, Loaded
from tests.conftest import entry_data
from tests.reflect.test_journal_editor import form_data

pytestmark = pytest.mark.django_db


def open_editor(client, entry) -> str:
    """The `version` an editor page carries, as a browser tab would have it."""
    page = client.get(f"/journal/{entry.pk}/edit/").content.decode()
    return re.search(r'name="version" value="([^"]+)"', page).group(1)


def test_autosave_from_an_older_tab_is_refused_with_the_saved_text(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, draft=True, body="Loaded text")
    client = client_for(trainee)
    tab_a, tab_b = open_editor(client, entry), open_editor(client, entry)
    ok = client.post("/journal/autosave/", form_data(cohort, body="From tab A", entry_id=entry.pk, version=tab_a))
    assert ok.status_code == 200
    stale = client.post("/journal/autosave/", form_data(cohort, body="From tab B", entry_id=entry.pk, version=tab_b))
    assert stale.status_code == 409
    answer = stale.json()
    assert answer["conflict"] is True and answer["saved"] is False
    assert answer["server_body"] == "From tab A"
    assert answer["server_version"] == JournalEntry.objects.get(pk=entry.pk).version
    assert JournalEntry.objects.get(pk=entry.pk).body == "From tab A"


def test_a_tabs_own_saves_never_conflict_with_it(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, body="Loaded text")
    client = client_for(trainee)
    tab = open_editor(client, entry)
    for n in range(3):
        data = form_data(cohort, body=f"Draft {n}", entry_id=entry.pk, version=tab)
        response = client.post("/journal/autosave/", data)
        assert response.status_code == 200
    published = client.post(f"/journal/{entry.pk}/edit/", form_data(cohort, body="Final", version=tab))
    assert published.status_code == 302
    assert JournalEntry.objects.get(pk=entry.pk).body == "Final"


def test_publishing_from_an_older_tab_shows_both_texts_and_keeps_the_typed_one(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, body="First text")
    client = client_for(trainee)
    tab_a, tab_b = open_editor(client, entry), open_editor(client, entry)
    client.post(f"/journal/{entry.pk}/edit/", form_data(cohort, body="Published from A", version=tab_a))
    response = client.post(f"/journal/{entry.pk}/edit/", form_data(cohort, body="Typed in B", version=tab_b))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your text" in page and "The saved text" in page and "Nothing was saved" in page
    assert "Published from A" in page
    assert re.search(r"<textarea[^>]*name=\"body\"[^>]*>\s*Typed in B</textarea>", page)
    assert JournalEntry.objects.get(pk=entry.pk).body == "Published from A"

    # Publishing again from the conflict page is the person's choice, and applies.
    newer = re.search(r'name="version" value="([^"]+)"', page).group(1)
    again = client.post(f"/journal/{entry.pk}/edit/", form_data(cohort, body="Typed in B", version=newer))
    assert again.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "Typed in B"
    assert set(entry.revisions.values_list("body", flat=True)) == {"First text", "Published from A"}


def test_a_save_without_a_version_still_works_as_before(trainee, cohort, client_for, make_entry):
    """Pages rendered before the version field existed send none; they are not checked."""
    entry = make_entry(trainee, cohort, draft=True)
    services.entry_save_draft(author=trainee, cohort=cohort, entry=entry, data=entry_data(body="Elsewhere"))
    response = client_for(trainee).post("/journal/autosave/", form_data(cohort, body="Old page", entry_id=entry.pk))
    assert response.status_code == 200
    assert JournalEntry.objects.get(pk=entry.pk).body == "Old page"


def test_publish_service_refuses_a_stale_version_and_saves_nothing(trainee, cohort, make_entry):
    entry = make_entry(trainee, cohort, body="Kept")
    stale = Loaded(entry.version - 1, "another-page")
    with pytest.raises(EntryChanged):
        services.entry_publish(author=trainee, cohort=cohort, entry=entry, data=entry_data(body="Lost"), loaded=stale)
    entry.refresh_from_db()
    assert entry.body == "Kept" and entry.revisions.count() == 0


def test_a_form_sent_back_with_errors_keeps_the_version_its_page_loaded(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, body="First text")
    client = client_for(trainee)
    tab_a, tab_b = open_editor(client, entry), open_editor(client, entry)
    client.post(f"/journal/{entry.pk}/edit/", form_data(cohort, body="Published from A", version=tab_a))
    invalid = client.post(f"/journal/{entry.pk}/edit/", form_data(cohort, title="", version=tab_b))
    assert invalid.status_code == 400
    still = re.search(r'name="version" value="([^"]+)"', invalid.content.decode()).group(1)
    assert still == tab_b
    response = client.post(f"/journal/{entry.pk}/edit/", form_data(cohort, body="Typed in B", version=still))
    assert response.status_code == 409
