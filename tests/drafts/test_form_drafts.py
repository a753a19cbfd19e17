"""Drafts of the long text boxes outside the editor (reflect/drafts): kept for their
writer only, emptied when the form is sent and applied, kept when it is refused."""

import datetime
import html
import re

import pytest
from django.contrib import admin
from django.core import signing
from django.utils import timezone

from reflect.assessment.models import Assessment
from reflect.drafts import services
from reflect.drafts.keys import token_for
from reflect.drafts.models import FormDraft
from reflect.feedback.models import Comment
from tests.reflect.assessment_factories import full_levels, make_checkpoint, make_submission, mark, publish_entry

pytestmark = pytest.mark.django_db

DRAFT_ATTR = re.compile(r'data-draft="([^"]+)"')


def tokens(page: str) -> list[str]:
    return [html.unescape(t) for t in DRAFT_ATTR.findall(page)]


def save(client, token: str, **fields):
    return client.post("/drafts/", {"_draft": token, **fields})


def read(client, *toks: str) -> dict:
    return client.get("/drafts/", {"t": list(toks)}).json()["drafts"]


@pytest.fixture
def shared_entry(trainee, cohort):
    return publish_entry(trainee, cohort, visibility="shared")


@pytest.fixture
def comment_token(tutor, shared_entry, client_for):
    page = client_for(tutor).get(f"/journal/{shared_entry.pk}/").content.decode()
    (token,) = tokens(page)  # the new-comment box; no replies yet
    return token


# --- keeping and reading -------------------------------------------------------------


def test_a_draft_is_kept_and_read_back_by_its_writer(tutor, comment_token, client_for):
    client = client_for(tutor)
    response = save(client, comment_token, body="You noticed the silence first.")
    assert response.json()["saved"] is True
    assert read(client, comment_token)[comment_token]["values"] == {"body": ["You noticed the silence first."]}


def test_nobody_else_can_read_or_write_a_draft_with_its_key(tutor, trainee, comment_token, client_for):
    save(client_for(tutor), comment_token, body="Private thought")
    other = client_for(trainee)
    assert other.get("/drafts/", {"t": comment_token}).status_code == 404
    assert save(other, comment_token, body="Overwritten").status_code == 404
    assert FormDraft.objects.get().values == {"body": ["Private thought"]}


def test_a_made_up_or_altered_key_is_not_found(tutor, comment_token, client_for):
    client = client_for(tutor)
    payload, signature = comment_token.rsplit(":", 1)
    forged = signing.b64_encode(f'[{tutor.pk},"marking:1"]'.encode()).decode() + ":" + signature
    assert save(client, forged, body="x").status_code == 404
    assert client.get("/drafts/", {"t": [comment_token, "nonsense"]}).status_code == 404
    assert not FormDraft.objects.exists()


def test_signed_out_saves_answer_401_json_so_the_page_can_keep_the_text(tutor, comment_token, client):
    response = save(client, comment_token, body="typed after the session ended")
    assert response.status_code == 401
    assert response.json()["signed_out"] is True
    assert not FormDraft.objects.exists()


def test_a_draft_too_long_is_refused_with_its_limit_and_the_old_one_kept(tutor, comment_token, client_for, settings):
    settings.DRAFT_MAX_CHARS = 50
    client = client_for(tutor)
    save(client, comment_token, body="short")
    response = save(client, comment_token, body="x" * 51)
    assert response.status_code == 413
    assert "more than 50 characters" in response.json()["message"]
    assert FormDraft.objects.get().values == {"body": ["short"]}


def test_discarding_empties_the_draft(tutor, comment_token, client_for):
    client = client_for(tutor)
    save(client, comment_token, body="never mind")
    client.post("/drafts/", {"_draft": comment_token, "_discard": "1"})
    assert read(client, comment_token)[comment_token]["values"] == {}


def test_many_forms_are_read_in_one_request(tutor, comment_token, client_for, django_assert_num_queries):
    client = client_for(tutor)
    save(client, comment_token, body="one")
    other = token_for(tutor.pk, "reply:1")
    client.get("/drafts/", {"t": [comment_token]})  # session and user cached in the client's first request
    with django_assert_num_queries(3):  # session, user, drafts
        answer = read(client, comment_token, other)
    assert answer[other]["values"] == {}


# --- sending empties the draft; a refusal keeps it ----------------------------------


def test_posting_the_comment_empties_its_draft_and_records_the_sending(tutor, shared_entry, comment_token, client_for):
    client = client_for(tutor)
    save(client, comment_token, body="Posted soon")
    client.post(
        f"/journal/{shared_entry.pk}/comments/",
        {"body": "Posted soon", "_draft": comment_token, "_draft_nonce": "n1"},
    )
    assert [c.body for c in Comment.objects.all()] == ["Posted soon"]
    answer = read(client, comment_token)[comment_token]
    assert answer["values"] == {} and answer["sent_nonce"] == "n1"


def test_a_refused_comment_keeps_its_draft(tutor, shared_entry, comment_token, client_for):
    client = client_for(tutor)
    save(client, comment_token, body="x" * 20)
    response = client.post(
        f"/journal/{shared_entry.pk}/comments/", {"body": "", "_draft": comment_token, "_draft_nonce": "n1"}
    )
    assert response.status_code == 400
    assert read(client, comment_token)[comment_token]["values"] == {"body": ["x" * 20]}


def test_a_save_on_its_way_when_the_form_was_sent_is_not_kept(tutor, shared_entry, comment_token, client_for):
    client = client_for(tutor)
    client.post(
        f"/journal/{shared_entry.pk}/comments/", {"body": "Sent", "_draft": comment_token, "_draft_nonce": "n1"}
    )
    save(client, comment_token, body="Sent", _draft_nonce="n1")  # arrived after the sending
    assert read(client, comment_token)[comment_token]["values"] == {}
    save(client, comment_token, body="A new one", _draft_nonce="n2")  # typed afterwards
    assert read(client, comment_token)[comment_token]["values"] == {"body": ["A new one"]}


def test_a_form_shown_again_after_its_own_sending_says_so(tutor, shared_entry, comment_token, client_for):
    response = client_for(tutor).post(
        f"/journal/{shared_entry.pk}/comments/", {"body": "", "_draft": comment_token, "_draft_nonce": "n7"}
    )
    assert 'data-draft-echo="n7"' in response.content.decode()


def test_replies_and_edits_have_their_own_drafts_emptied_when_sent(tutor, trainee, shared_entry, client_for):
    tutor_client = client_for(tutor)
    tutor_client.post(f"/journal/{shared_entry.pk}/comments/", {"body": "First"})
    top = Comment.objects.get()
    trainee_client = client_for(trainee)
    page = trainee_client.get(f"/journal/{shared_entry.pk}/").content.decode()
    (reply_token,) = tokens(page)
    save(trainee_client, reply_token, body="My reply")
    trainee_client.post(f"/comments/{top.pk}/reply/", {"body": "My reply", "_draft": reply_token})
    assert read(trainee_client, reply_token)[reply_token]["values"] == {}

    edit_page = tutor_client.get(f"/comments/{top.pk}/edit/").content.decode()
    (edit_token,) = tokens(edit_page)
    save(tutor_client, edit_token, body="First, edited")
    tutor_client.post(f"/comments/{top.pk}/edit/", {"body": "First, edited", "_draft": edit_token})
    assert read(tutor_client, edit_token)[edit_token]["values"] == {}


def test_the_portfolio_summary_draft_is_emptied_when_the_workspace_is_saved(trainee, cohort, client_for):
    checkpoint = make_checkpoint(cohort)
    client = client_for(trainee)
    (token,) = tokens(client.get(f"/checkpoints/{checkpoint.pk}/").content.decode())
    save(client, token, summary="What the year taught me")
    refused = client.post(f"/checkpoints/{checkpoint.pk}/", {"summary": "x", "entries": ["999999"], "_draft": token})
    assert refused.status_code == 400
    assert read(client, token)[token]["values"] == {"summary": ["What the year taught me"]}
    client.post(f"/checkpoints/{checkpoint.pk}/", {"summary": "What the year taught me", "_draft": token})
    assert read(client, token)[token]["values"] == {}


def test_the_marking_draft_is_emptied_when_the_grid_is_saved(trainee, tutor, cohort, client_for):
    submission = make_submission(make_checkpoint(cohort), trainee)
    assessment = mark(submission, tutor, complete=False, feedback="")
    client = client_for(tutor)
    (token,) = tokens(client.get(f"/assessments/{assessment.pk}/").content.decode())
    save(client, token, overall_feedback="Warm, careful work")
    levels = {f"level-{c}": lv for c, lv in full_levels(assessment.rubric).items()}
    client.post(
        f"/assessments/{assessment.pk}/",
        {"overall_feedback": "Warm, careful work", "outcome": "pass", "action": "save", "_draft": token, **levels},
    )
    assert Assessment.objects.get(pk=assessment.pk).overall_feedback == "Warm, careful work"
    assert read(client, token)[token]["values"] == {}


def test_the_acknowledgement_reply_draft_is_emptied_when_acknowledged(trainee, tutor, cohort, client_for):
    from reflect.assessment import services as assessment_services

    submission = make_submission(make_checkpoint(cohort), trainee)
    assessment_services.assessment_release(assessment=mark(submission, tutor), by=tutor)
    client = client_for(trainee)
    (token,) = tokens(client.get(f"/submissions/{submission.pk}/feedback/").content.decode())
    save(client, token, reply="Thank you")
    client.post(f"/submissions/{submission.pk}/feedback/", {"reply": "Thank you", "_draft": token})
    assert read(client, token)[token]["values"] == {}


# --- privacy and clean-up --------------------------------------------------------------


def test_drafts_are_not_in_the_django_admin():
    assert FormDraft not in admin.site._registry


def test_drafts_untouched_for_the_keeping_period_are_deleted(tutor, settings):
    settings.DRAFT_KEEP_DAYS = 90
    old = services.save(tutor.pk, "comment:1", {"body": ["left behind"]})
    recent = services.save(tutor.pk, "comment:2", {"body": ["still going"]})
    FormDraft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=91))
    assert services.purge_old() == 1
    assert list(FormDraft.objects.values_list("pk", flat=True)) == [recent.pk]
