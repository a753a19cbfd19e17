"""The check for identifiers where a client-work entry becomes readable by tutors: the
editor's Publish (shared), the entry page's Share, and submitting a portfolio."""

import html
import re

import pytest

from reflect.assessment.models import SubmissionStatus
from reflect.journal import services as journal_services
from reflect.journal.models import JournalEntry, Kind, Status, Visibility
from tests.reflect.assessment_factories import make_checkpoint, make_submission, publish_entry

pytestmark = pytest.mark.django_db

NAMED = "My client Harriet, who lives at SW9 8QT, cried when we ended."
CODED = "Client H cried when we ended, and I noticed my own breath catch."


def editor_data(cohort, **overrides):
    data = {
        "cohort": cohort.pk,
        "title": "An ending",
        "kind": "client_work",
        "client_code": "Client H",
        "template": "free",
        "body": NAMED,
        "visibility": "shared",
        "action": "publish",
    }
    data.update(overrides)
    return data


def hidden_fields(page: str) -> dict:
    """The review form's fields, as the browser would send them back."""
    form = page[page.index('id="choice-heading"') :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def unescape(value: str) -> str:
    return html.unescape(value)


def test_publishing_shared_client_work_with_a_name_shows_the_review_and_shares_nothing(trainee, cohort, client_for):
    response = client_for(trainee).post("/journal/new/", editor_data(cohort))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Harriet</mark>" in page and "<mark>SW9 8QT</mark>" in page
    assert "Client A" in page and "Leave out postcodes" in page
    entry = JournalEntry.objects.get()
    assert entry.status == Status.DRAFT  # kept, not lost, and not readable by tutors
    assert entry.body == NAMED
    assert not JournalEntry.objects.filter(status=Status.PUBLISHED).exists()


def test_the_review_escapes_the_text(trainee, cohort, client_for):
    body = "<script>alert(1)</script> my client Harriet <b>said</b> no"
    page = client_for(trainee).post("/journal/new/", editor_data(cohort, body=body)).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<mark>Harriet</mark>" in page


def test_confirming_publishes_shared_and_unchanged_text_is_not_asked_again(trainee, cohort, client_for):
    client = client_for(trainee)
    page = client.post("/journal/new/", editor_data(cohort)).content.decode()
    entry = JournalEntry.objects.get()
    fields = {k: unescape(v) for k, v in hidden_fields(page).items()}
    assert fields["body"] == NAMED
    response = client.post(f"/journal/{entry.pk}/edit/", fields)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.visibility) == (Status.PUBLISHED, Visibility.SHARED)
    # Made private, then shared again with the same text: not asked again.
    client.post(f"/journal/{entry.pk}/visibility/", {"visibility": "private"})
    response = client.post(f"/journal/{entry.pk}/visibility/", {"visibility": "shared"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.visibility == Visibility.SHARED


def test_changed_text_is_asked_about_again(trainee, cohort, client_for):
    client = client_for(trainee)
    page = client.post("/journal/new/", editor_data(cohort)).content.decode()
    entry = JournalEntry.objects.get()
    client.post(f"/journal/{entry.pk}/edit/", {k: unescape(v) for k, v in hidden_fields(page).items()})
    entry.refresh_from_db()
    edited = editor_data(cohort, body=NAMED + " Her husband Tom came to collect her.", version=f"{entry.version}:p")
    response = client.post(f"/journal/{entry.pk}/edit/", edited)
    assert response.status_code == 200
    assert "<mark>Tom</mark>" in response.content.decode()
    entry.refresh_from_db()
    assert entry.body == NAMED  # tutors still read the confirmed text; the change waits


def test_a_token_for_other_text_confirms_nothing(trainee, cohort, client_for):
    client = client_for(trainee)
    page = client.post("/journal/new/", editor_data(cohort)).content.decode()
    entry = JournalEntry.objects.get()
    fields = {k: unescape(v) for k, v in hidden_fields(page).items()}
    fields["body"] = NAMED + " And her brother Zeb."  # changed after the review: its token is for other text
    response = client.post(f"/journal/{entry.pk}/edit/", fields)
    assert response.status_code == 200 and "<mark>Zeb</mark>" in response.content.decode()
    fields = {k: unescape(v) for k, v in hidden_fields(response.content.decode()).items()}
    fields["identifiers_confirmed"] = "garbled"
    assert client.post(f"/journal/{entry.pk}/edit/", fields).status_code == 200
    entry.refresh_from_db()
    assert entry.status == Status.DRAFT


def test_changing_to_a_code_publishes_without_asking(trainee, cohort, client_for):
    client = client_for(trainee)
    client.post("/journal/new/", editor_data(cohort))
    entry = JournalEntry.objects.get()
    response = client.post(f"/journal/{entry.pk}/edit/", editor_data(cohort, body=CODED, version=f"{entry.version}:p"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.visibility, entry.body) == (Status.PUBLISHED, Visibility.SHARED, CODED)


@pytest.mark.parametrize(
    "overrides",
    [{"visibility": "private"}, {"action": "draft"}, {"kind": "personal_therapy", "client_code": ""}],
    ids=["private", "draft", "not-client-work"],
)
def test_private_writing_drafts_and_other_kinds_are_never_checked(trainee, cohort, client_for, overrides):
    response = client_for(trainee).post("/journal/new/", editor_data(cohort, **overrides))
    assert response.status_code == 302
    assert "identifiers" not in response.content.decode()
    assert JournalEntry.objects.get().body == NAMED


def test_sharing_a_published_entry_from_its_page_asks_first(trainee, cohort, client_for):
    entry = publish_entry(trainee, cohort, body=NAMED, kind=Kind.CLIENT_WORK, client_code="Client H")
    client = client_for(trainee)
    response = client.post(f"/journal/{entry.pk}/visibility/", {"visibility": "shared"})
    page = response.content.decode()
    assert response.status_code == 200 and "<mark>Harriet</mark>" in page
    entry.refresh_from_db()
    assert entry.visibility == Visibility.PRIVATE
    fields = {k: unescape(v) for k, v in hidden_fields(page).items()}
    assert client.post(f"/journal/{entry.pk}/visibility/", fields).status_code == 302
    entry.refresh_from_db()
    assert entry.visibility == Visibility.SHARED
    # Making it private is never checked.
    assert client.post(f"/journal/{entry.pk}/visibility/", {"visibility": "private"}).status_code == 302


def test_submitting_a_portfolio_with_an_unconfirmed_entry_asks_first(trainee, cohort, client_for):
    checkpoint = make_checkpoint(cohort)
    named = publish_entry(trainee, cohort, body=NAMED, kind=Kind.CLIENT_WORK, client_code="Client H")
    coded = publish_entry(trainee, cohort, title="Another", body=CODED, kind=Kind.CLIENT_WORK, client_code="Client H")
    submission = make_submission(checkpoint, trainee, entries=[named, coded], submit=False)
    client = client_for(trainee)
    page = client.get(f"/checkpoints/{checkpoint.pk}/submit/").content.decode()
    assert "<mark>Harriet</mark>" in page and 'name="identifiers_confirmed"' in page
    assert page.count("<mark>") == 2  # the coded entry has nothing to check
    response = client.post(f"/checkpoints/{checkpoint.pk}/submit/", {"submission": submission.pk})
    assert response.status_code == 400
    assert "Nothing was submitted" in response.content.decode()
    submission.refresh_from_db()
    named.refresh_from_db()
    assert (submission.status, named.visibility) == (SubmissionStatus.DRAFT, Visibility.PRIVATE)
    token = unescape(re.search(r'name="identifiers_confirmed" value="([^"]+)"', page).group(1))
    response = client.post(
        f"/checkpoints/{checkpoint.pk}/submit/", {"submission": submission.pk, "identifiers_confirmed": token}
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    named.refresh_from_db()
    assert (submission.status, named.visibility) == (SubmissionStatus.SUBMITTED, Visibility.SHARED)
    assert named.identifiers_checked


def test_submitting_without_identifiers_asks_nothing(trainee, cohort, client_for):
    checkpoint = make_checkpoint(cohort)
    coded = publish_entry(trainee, cohort, body=CODED, kind=Kind.CLIENT_WORK, client_code="Client H")
    submission = make_submission(checkpoint, trainee, entries=[coded], submit=False)
    client = client_for(trainee)
    assert "identifiers_confirmed" not in client.get(f"/checkpoints/{checkpoint.pk}/submit/").content.decode()
    assert client.post(f"/checkpoints/{checkpoint.pk}/submit/", {"submission": submission.pk}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_restoring_an_earlier_text_of_a_shared_entry_asks_first(trainee, cohort, client_for):
    entry = publish_entry(trainee, cohort, body=NAMED, kind=Kind.CLIENT_WORK, client_code="Client H")
    journal_services.entry_set_visibility(entry=entry, visibility=Visibility.SHARED)
    data = {"title": entry.title, "body": CODED, "kind": Kind.CLIENT_WORK, "client_code": "Client H"}
    entry = journal_services.entry_publish(author=trainee, cohort=cohort, data=data, entry=entry)
    revision = entry.revisions.get()
    client = client_for(trainee)
    url = f"/journal/{entry.pk}/history/{revision.pk}/restore/"
    response = client.post(url)
    page = response.content.decode()
    assert response.status_code == 200 and "<mark>Harriet</mark>" in page
    entry.refresh_from_db()
    assert entry.body == CODED
    assert client.post(url, {k: unescape(v) for k, v in hidden_fields(page).items()}).status_code == 302
    entry.refresh_from_db()
    assert entry.body == NAMED
    # Shared again later with the same text: not asked again.
    client.post(f"/journal/{entry.pk}/visibility/", {"visibility": "private"})
    assert client.post(f"/journal/{entry.pk}/visibility/", {"visibility": "shared"}).status_code == 302
