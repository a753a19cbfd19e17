"""Writing entries: publishing, drafts, autosave and bad input."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from reflect.journal.models import JournalEntry, Status, Visibility

pytestmark = pytest.mark.django_db


def form_data(cohort, **overrides):
    data = {
        "cohort": cohort.pk,
        "title": "After supervision",
        "kind": "general",
        "template": "free",
        "body": "I felt **seen** today.",
        "visibility": "private",
        "action": "publish",
    }
    data.update(overrides)
    return data


def test_publishing_lands_on_the_entry_page(trainee, cohort, client_for):
    response = client_for(trainee).post("/journal/new/", form_data(cohort, visibility="shared"))
    entry = JournalEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/journal/{entry.pk}/"
    assert (entry.status, entry.visibility, entry.author) == (Status.PUBLISHED, Visibility.SHARED, trainee)
    page = client_for(trainee).get(response["Location"]).content.decode()
    assert "<strong>seen</strong>" in page


def test_save_draft_keeps_a_draft_and_returns_to_the_editor(trainee, cohort, client_for):
    response = client_for(trainee).post("/journal/new/", form_data(cohort, title="", action="draft"))
    entry = JournalEntry.objects.get()
    assert entry.status == Status.DRAFT
    assert response["Location"] == f"/journal/{entry.pk}/edit/"


def test_gibbs_entry_stores_sections_and_shows_them_as_headings(trainee, cohort, client_for):
    client = client_for(trainee)
    client.post(
        "/journal/new/",
        form_data(
            cohort,
            template="gibbs",
            body="",
            gibbs_description="Client A arrived late.",
            gibbs_feelings="My jaw tightened.",
            gibbs_action_plan="Name the lateness gently.",
        ),
    )
    entry = JournalEntry.objects.get()
    assert entry.sections["feelings"] == "My jaw tightened."
    assert "### Feelings" in entry.body
    page = client.get(f"/journal/{entry.pk}/").content.decode()
    assert "<h3>Description</h3>" in page and "Name the lateness gently." in page
    assert client.get("/journal/?q=jaw+tightened").content.decode().count(f"/journal/{entry.pk}/") == 1


def test_client_work_entry_requires_a_client_code_to_publish(trainee, cohort, client_for):
    response = client_for(trainee).post("/journal/new/", form_data(cohort, kind="client_work"))
    assert response.status_code == 400
    assert "Client-work entries need a client code" in response.content.decode()
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Please give your entry a title before publishing it."),
        ({"title": "x" * 201}, "Please keep the title to 200 characters or fewer"),
        ({"body": "y" * 100_001}, "the limit is 100,000"),
        ({"kind": "dream_journal"}, "Please choose one of the listed kinds of entry."),
        ({"visibility": "everyone"}, "Please choose either private or shared with your tutors."),
        ({"template": "kolb"}, "Please choose one of the listed templates."),
        ({"session_date": "2999-01-01"}, "The session date can&#x27;t be in the future."),
        ({"session_date": "yesterday"}, "Please enter the date as YYYY-MM-DD."),
        ({"body": ""}, "Please write something before publishing."),
        ({"kind": "client_work", "client_code": "Client <A>"}, "Use a short code of letters"),
    ],
)
def test_bad_input_explains_itself_and_keeps_what_was_typed(trainee, cohort, client_for, overrides, message):
    data = form_data(cohort, **{"body": "Text I must not lose 🌱 ünïcödé", **overrides})
    response = client_for(trainee).post("/journal/new/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert not JournalEntry.objects.exists()
    if "body" not in overrides:
        assert "Text I must not lose 🌱 ünïcödé" in page


def test_unicode_and_emoji_survive_a_round_trip(trainee, cohort, client_for):
    title = "Ça va? Ünïcödé 心 🌊 — “quotes”"
    body = "Regulation 🫁 breathing; Ελληνικά; עברית; 日本語."
    client_for(trainee).post("/journal/new/", form_data(cohort, title=title, body=body))
    entry = JournalEntry.objects.get()
    assert (entry.title, entry.body) == (title, body)
    page = client_for(trainee).get(f"/journal/{entry.pk}/").content.decode()
    assert "🌊" in page and "日本語" in page


def test_editing_someone_elses_entry_by_posting_to_its_url_is_not_found(
    trainee, trainee2, cohort, client_for, make_entry
):
    entry = make_entry(trainee, cohort, title="Mine")
    response = client_for(trainee2).post(f"/journal/{entry.pk}/edit/", form_data(cohort, title="Hijacked"))
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.title == "Mine"


def test_autosave_creates_a_draft_then_updates_the_same_one(trainee, cohort, client_for):
    client = client_for(trainee)
    first = client.post("/journal/autosave/", form_data(cohort, title="", body="First thought"))
    payload = first.json()
    assert payload["saved"] is True
    assert payload["saved_label"].startswith("Saved at ")
    second = client.post(
        "/journal/autosave/", form_data(cohort, title="", body="First thought, then more", entry_id=payload["id"])
    )
    assert second.json()["id"] == payload["id"]
    entry = JournalEntry.objects.get()
    assert (entry.status, entry.body) == (Status.DRAFT, "First thought, then more")
    assert entry.autosaved_at is not None


def test_autosave_of_a_published_entry_keeps_tutors_on_the_published_text(
    trainee, tutor, cohort, client_for, make_entry
):
    entry = make_entry(trainee, cohort, visibility="shared", body="Published words")
    response = client_for(trainee).post(
        "/journal/autosave/", form_data(cohort, body="Half-written new words", entry_id=entry.pk, visibility="shared")
    )
    assert response.json()["saved"] is True
    entry.refresh_from_db()
    assert entry.body == "Published words"
    assert entry.pending["data"]["body"] == "Half-written new words"
    tutor_page = client_for(tutor).get(f"/journal/{entry.pk}/").content.decode()
    assert "Half-written" not in tutor_page and "Published words" in tutor_page
    editor = client_for(trainee).get(f"/journal/{entry.pk}/edit/").content.decode()
    assert "Half-written new words" in editor


def test_autosave_with_bad_input_explains_and_saves_nothing(trainee, cohort, client_for):
    response = client_for(trainee).post("/journal/autosave/", form_data(cohort, title="t" * 300))
    assert response.status_code == 400
    assert "200 characters" in response.json()["errors"]["title"][0]
    assert not JournalEntry.objects.exists()


def test_autosave_after_the_session_expired_redirects_to_sign_in(cohort, client_for):
    response = client_for(None).post("/journal/autosave/", form_data(cohort))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_autosave_cannot_write_into_someone_elses_entry(trainee, trainee2, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, body="Mine")
    response = client_for(trainee2).post("/journal/autosave/", form_data(cohort, body="Theirs", entry_id=entry.pk))
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.body == "Mine" and not entry.pending


def test_session_date_today_in_the_trainees_own_time_zone_is_accepted(trainee, cohort, client_for):
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo("Europe/London"))
    response = client_for(trainee).post("/journal/new/", form_data(cohort, session_date=today.isoformat()))
    assert response.status_code == 302


def test_preview_renders_markdown(trainee, client_for):
    response = client_for(trainee).post("/journal/preview/", {"template": "free", "body": "- one\n- *two*"})
    assert "<li><em>two</em></li>" in response.content.decode()


def test_new_entry_from_a_prompt_quotes_it(trainee, client_for):
    page = client_for(trainee).get("/journal/new/?prompt=What+did+you+notice").content.decode()
    assert "&gt; What did you notice" in page


def test_a_tutor_without_a_trainee_membership_is_told_they_cannot_journal(tutor, client_for):
    page = client_for(tutor).get("/journal/new/").content.decode()
    assert "Journals in Reflect are kept by trainees, so there is nothing for you to write here." in page
    assert "Your course admin can add you" not in page


def test_editor_shows_the_saved_session_date_so_resaving_keeps_it(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, session_date=datetime.date(2026, 3, 9))
    page = client_for(trainee).get(f"/journal/{entry.pk}/edit/").content.decode()
    assert 'value="2026-03-09"' in page


def test_entry_can_be_tagged_as_evidence_for_criteria_of_the_cohorts_rubric(trainee, cohort, client_for):
    from reflect.assessment.models import Checkpoint, Criterion, Rubric

    rubric = Rubric.objects.create(programme=cohort.programme, title="Relational practice")
    mine = Criterion.objects.create(rubric=rubric, title="Attunement and empathy", position=0)
    Checkpoint.objects.create(cohort=cohort, rubric=rubric, title="Portfolio 1", due_at=timezone.now())
    elsewhere = Criterion.objects.create(
        rubric=Rubric.objects.create(programme=cohort.programme, title="Unused rubric"), title="Not offered"
    )
    client = client_for(trainee)
    assert "Attunement and empathy" in client.get("/journal/new/").content.decode()
    refused = client.post("/journal/new/", form_data(cohort, criteria=[elsewhere.pk]))
    assert refused.status_code == 400
    assert "isn&#x27;t in your cohort&#x27;s rubric" in refused.content.decode()
    client.post("/journal/new/", form_data(cohort, criteria=[mine.pk]))
    entry = JournalEntry.objects.get()
    assert [e.criterion for e in entry.evidence.all()] == [mine]  # evidence is owned by assessment now
    assert "Relational practice: Attunement and empathy" in client.get(f"/journal/{entry.pk}/").content.decode()


def test_a_prompt_with_a_template_goes_into_the_first_section(trainee, client_for):
    page = client_for(trainee).get("/journal/new/?template=driscoll&prompt=What+did+you+notice").content.decode()
    assert 'name="driscoll_what"' in page
    assert page.index("&gt; What did you notice") > page.index('name="driscoll_what"')


def test_autosave_too_big_to_read_gets_a_json_message_not_a_bare_400(trainee, cohort, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = client_for(trainee).post(
        "/journal/autosave/", form_data(cohort, body="a" * 2_000), headers={"accept": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["message"].startswith("This entry is too long to save:")
    assert not JournalEntry.objects.exists()


def test_line_breaks_count_once_towards_the_length_limit(trainee, cohort, client_for):
    body = "a\r\n" * 40_000  # 80,000 characters as typed; 120,000 as sent
    response = client_for(trainee).post("/journal/new/", form_data(cohort, body=body))
    assert response.status_code == 302
