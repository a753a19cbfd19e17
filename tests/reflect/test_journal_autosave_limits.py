"""Autosave keeps only what the editor validated: its own fields, within its limits.
A NUL character (which PostgreSQL can't store) is refused with words the editor
shows, and the draft saved before stays as it was. Run with a PostgreSQL
DATABASE_URL: on SQLite a NUL was never a server error, so there they prove less."""

import pytest

from reflect.journal.models import BODY_MAX, JournalEntry
from tests.reflect.test_journal_editor import form_data

pytestmark = pytest.mark.django_db

AUTOSAVE = "/journal/autosave/"


@pytest.fixture
def published(trainee, cohort, make_entry):
    return make_entry(trainee, cohort, title="Published title", body="Published words", visibility="shared")


def autosave(client, in_cohort, entry, **fields):
    data = {**form_data(in_cohort, entry_id=entry.pk, action=""), **fields}
    return client.post(AUTOSAVE, data)


def test_it_keeps_only_the_editors_own_fields_when_holding_edits_aside(trainee, cohort, client_for, published):
    response = autosave(
        client_for(trainee),
        cohort,
        published,
        body="New words",
        tags="rupture, repair",
        smuggled="x" * 200_000,
        driscoll_what="y" * 200_000,  # a stage of a template this entry doesn't use
        csrfmiddlewaretoken="token",
    )

    assert response.status_code == 200, response.content
    published.refresh_from_db()
    held = published.pending["data"]
    assert held["body"] == "New words" and held["tags"] == "rupture, repair"
    assert not {"smuggled", "driscoll_what", "csrfmiddlewaretoken", "action", "entry_id"} & held.keys()
    assert len(str(published.pending)) < 2_000


def test_it_holds_only_the_chosen_templates_sections(trainee, cohort, client_for, published):
    response = autosave(
        client_for(trainee), cohort, published, template="gibbs", gibbs_feelings="Tight chest", body="z" * 200_000
    )

    assert response.status_code == 200, response.content
    published.refresh_from_db()
    held = published.pending["data"]
    assert held["gibbs_feelings"] == "Tight chest" and held["template"] == "gibbs"
    assert "body" not in held
    editor = client_for(trainee).get(f"/journal/{published.pk}/edit/").content.decode()
    assert "Tight chest" in editor


def test_it_refuses_text_past_the_body_limit_and_keeps_the_last_draft(trainee, cohort, client_for, published):
    client = client_for(trainee)
    autosave(client, cohort, published, body="Saved a moment ago")

    response = autosave(client, cohort, published, body="w" * (BODY_MAX + 1))

    assert response.status_code == 400
    assert "the limit is 100,000" in response.json()["message"]
    published.refresh_from_db()
    assert published.pending["data"]["body"] == "Saved a moment ago"


@pytest.mark.parametrize("field", ["body", "title", "body_note", "tags", "gibbs_analysis"])
def test_it_refuses_a_nul_character_in_plain_words(trainee, cohort, client_for, published, field):
    client = client_for(trainee)
    autosave(client, cohort, published, body="Saved a moment ago")
    extra = {"template": "gibbs"} if field.startswith("gibbs") else {}

    response = autosave(client, cohort, published, **extra, **{field: "Before\x00after"})

    assert response.status_code == 400
    payload = response.json()
    assert payload["saved"] is False
    assert "invisible “null” character" in payload["message"] and "paste" in payload["message"]
    assert payload["errors"][field] == [payload["message"]]
    published.refresh_from_db()
    assert published.pending["data"]["body"] == "Saved a moment ago"
    assert published.body == "Published words"


def test_it_ignores_a_nul_in_a_field_the_editor_does_not_have(trainee, cohort, client_for, published):
    response = autosave(client_for(trainee), cohort, published, body="Fine", **{"unknown": "a\x00b"})

    assert response.status_code == 200
    published.refresh_from_db()
    assert published.pending["data"]["body"] == "Fine"


def test_a_nul_in_a_new_draft_saves_nothing(trainee, cohort, client_for):
    response = client_for(trainee).post(AUTOSAVE, form_data(cohort, body="a\x00b", action=""))

    assert response.status_code == 400
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("value", ["1\x00", "\x00"])
def test_a_nul_in_a_choice_or_list_is_refused_not_a_server_error(trainee, cohort, client_for, published, value):
    client = client_for(trainee)
    for field in ("criteria", "cohort", "kind", "session_date"):
        response = autosave(client, cohort, published, **{field: value})
        assert response.status_code == 400, field
