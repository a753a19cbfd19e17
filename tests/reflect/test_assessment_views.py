"""Pages for checkpoints, submissions, the marking grid, moderation and feedback,
and who may open them (404 for anyone who may not; no text leaks to course admins)."""

import datetime

import pytest
from django.utils import timezone

from reflect.assessment import services
from reflect.assessment.models import Assessment, Checkpoint, MarkingRole, Score, Submission, SubmissionStatus
from reflect.feedback.models import Notification
from reflect.journal import services as journal_services
from reflect.journal.models import AccessEvent, JournalEntry
from tests.conftest import entry_data
from tests.reflect.assessment_factories import (
    add_tutor,
    allocate,
    full_levels,
    make_checkpoint,
    make_rubric,
    make_submission,
    mark,
    publish_entry,
)

pytestmark = pytest.mark.django_db

LOGIN_PREFIX = "/accounts/login/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client, response) -> str:
    return client.get(response["Location"]).content.decode()


@pytest.fixture
def checkpoint(cohort):
    return make_checkpoint(cohort)


@pytest.fixture
def tutor2(user_factory, cohort):
    return add_tutor(user_factory, cohort)


# --- the trainee's checkpoint list and workspace --------------------------------------


def test_checkpoint_list_shows_empty_state_without_checkpoints(trainee, client_for):
    page = client_for(trainee).get("/checkpoints/").content.decode()
    assert "No checkpoints yet" in page


def test_checkpoint_list_shows_due_date_in_cohort_time_zone_and_status(
    trainee, tutor, other_cohort, cohort, client_for
):
    checkpoint = make_checkpoint(cohort)
    due = datetime.datetime(2027, 1, 15, 17, 0, tzinfo=datetime.UTC)  # 17:00 in London in winter
    Checkpoint.objects.filter(pk=checkpoint.pk).update(due_at=due)
    make_checkpoint(other_cohort, rubric=checkpoint.rubric, title="Not my cohort")
    client = client_for(trainee)

    page = client.get("/checkpoints/").content.decode()
    assert "15 Jan 2027, 17:00" in page and "Europe/London" in page
    assert "Not started" in page and "Not my cohort" not in page

    make_submission(checkpoint, trainee, submit=False)
    assert "Being prepared" in client.get("/checkpoints/").content.decode()
    submission = services.submission_submit(submission=Submission.objects.get(trainee=trainee))
    assert ">Submitted<" in client.get("/checkpoints/").content.decode()
    services.submission_withdraw(submission=submission)
    assert "Withdrawn" in client.get("/checkpoints/").content.decode()


def test_checkpoint_list_shows_late_and_released_outcome(trainee, tutor, cohort, client_for):
    checkpoint = make_checkpoint(cohort, due_in_days=-2)
    submission = make_submission(checkpoint, trainee)
    client = client_for(trainee)
    assert "Submitted late" in client.get("/checkpoints/").content.decode()
    assessment = mark(submission, tutor, outcome="refer")
    # A completed marking that hasn't been released shows nothing new.
    page = client.get("/checkpoints/").content.decode()
    assert "Submitted late" in page and "Refer" not in page
    services.assessment_release(assessment=assessment, by=tutor)
    assert "Feedback released: Refer" in client.get("/checkpoints/").content.decode()


def test_tutor_checkpoint_list_counts_submitted_awaiting_and_released(
    trainee, trainee2, tutor, cohort, checkpoint, client_for
):
    services.assessment_release(assessment=mark(make_submission(checkpoint, trainee), tutor), by=tutor)
    make_submission(checkpoint, trainee2)
    response = client_for(tutor).get("/checkpoints/")
    row = response.context["tutoring"][0]
    assert (row.n_submitted, row.n_awaiting, row.n_released) == (2, 1, 1)
    assert f'href="/checkpoints/{checkpoint.pk}/"' in response.content.decode()


def test_workspace_lists_eligible_entries_with_a_sharing_note(
    trainee, trainee2, cohort, checkpoint, client_for, make_entry
):
    publish_entry(trainee, cohort, title="My published entry")
    make_entry(trainee, cohort, draft=True, title="My draft entry")
    publish_entry(trainee2, cohort, title="Bob's entry")
    page = client_for(trainee).get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert "My published entry" in page
    assert "My draft entry" not in page and "Bob&#x27;s entry" not in page and "Bob's entry" not in page
    assert "become shared with your tutors when you submit" in page
    assert "Choose **three** entries" not in page and "<strong>three</strong>" in page


def test_workspace_save_keeps_a_private_draft(trainee, cohort, checkpoint, client_for):
    entry = publish_entry(trainee, cohort)
    client = client_for(trainee)
    response = client.post(
        f"/checkpoints/{checkpoint.pk}/", {"entries": [entry.pk], "summary": "Draft summary", "action": "save"}
    )
    assert response.status_code == 302
    submission = Submission.objects.get(trainee=trainee)
    assert submission.status == SubmissionStatus.DRAFT and list(submission.entries.all()) == [entry]
    assert JournalEntry.objects.get(pk=entry.pk).visibility == "private"
    page = client.get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert "Draft summary" in page and "checked" in page


def test_workspace_refuses_an_entry_that_is_not_the_trainees(trainee, trainee2, cohort, checkpoint, client_for):
    bobs = publish_entry(trainee2, cohort)
    response = client_for(trainee).post(
        f"/checkpoints/{checkpoint.pk}/", {"entries": [bobs.pk], "summary": "x", "action": "save"}
    )
    assert response.status_code == 400
    assert "can&#x27;t be included" in response.content.decode()
    assert not Submission.objects.exists()


def test_submit_asks_for_confirmation_then_submits(trainee, tutor, cohort, checkpoint, client_for):
    entry = publish_entry(trainee, cohort, title="Window of tolerance", body="Live **text**.")
    client = client_for(trainee)
    response = client.post(
        f"/checkpoints/{checkpoint.pk}/", {"entries": [entry.pk], "summary": "My summary", "action": "review"}
    )
    assert response["Location"] == f"/checkpoints/{checkpoint.pk}/submit/"
    confirm = client.get(response["Location"]).content.decode()
    assert "Submit now?" in confirm and "You can withdraw until a tutor starts assessing." in confirm
    assert Submission.objects.get().status == SubmissionStatus.DRAFT

    submission = Submission.objects.get()
    response = client.post(f"/checkpoints/{checkpoint.pk}/submit/", {"submission": submission.pk})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED

    page = client.get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert "Window of tolerance" in page and "<strong>text</strong>" in page
    assert "Withdraw this submission" in page and "Feedback not released yet" in page


def test_second_tab_submit_gets_a_clear_error(trainee, cohort, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee, submit=False)
    tab_one, tab_two = client_for(trainee), client_for(trainee)
    tab_one.post(f"/checkpoints/{checkpoint.pk}/submit/", {"submission": submission.pk})
    response = tab_two.post(f"/checkpoints/{checkpoint.pk}/submit/", {"submission": submission.pk}, follow=True)
    assert "already been submitted" in response.content.decode()
    assert submission.snapshots.count() == 1


def test_late_submission_shows_a_late_badge(trainee, tutor, cohort, client_for):
    checkpoint = make_checkpoint(cohort, due_in_days=-1)
    submission = make_submission(checkpoint, trainee)
    assert ">Late<" in client_for(trainee).get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert ">Late<" in client_for(tutor).get(f"/submissions/{submission.pk}/").content.decode()


def test_withdraw_confirms_then_withdraws_and_is_gone_once_assessing_starts(
    trainee, trainee2, tutor, cohort, checkpoint, client_for
):
    submission = make_submission(checkpoint, trainee)
    client = client_for(trainee)
    assert "Withdraw your submission" in client.get(f"/submissions/{submission.pk}/withdraw/").content.decode()
    client.post(f"/submissions/{submission.pk}/withdraw/")
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.WITHDRAWN

    other = make_submission(checkpoint, trainee2)
    services.assessment_start(submission=other, assessor=tutor)
    bob = client_for(trainee2)
    page = bob.get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert "Withdraw this submission" not in page and "can no longer be withdrawn" in page
    response = bob.post(f"/submissions/{other.pk}/withdraw/", follow=True)
    assert "can no longer be withdrawn" in response.content.decode()
    assert Submission.objects.get(pk=other.pk).status == SubmissionStatus.SUBMITTED


def test_refer_offers_a_resubmission_with_history(trainee, tutor, cohort, checkpoint, client_for):
    first = make_submission(checkpoint, trainee)
    services.assessment_release(assessment=mark(first, tutor, outcome="refer"), by=tutor)
    client = client_for(trainee)
    page = client.get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert "Start a resubmission" in page

    client.post(f"/checkpoints/{checkpoint.pk}/start/")
    second = Submission.objects.get(trainee=trainee, attempt=2)
    assert second.status == SubmissionStatus.DRAFT
    page = client.get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert "Prepare your resubmission" in page and "Attempt 1" in page
    assert f"/submissions/{first.pk}/feedback/" in page

    services.submission_update(submission=second, entry_ids=[publish_entry(trainee, cohort).pk], summary="Again")
    services.submission_submit(submission=second)
    tutor_page = client_for(tutor).get(f"/submissions/{second.pk}/").content.decode()
    assert "Other attempts" in tutor_page and f"/submissions/{first.pk}/" in tutor_page


def test_start_resubmission_without_refer_is_refused(trainee, cohort, checkpoint, client_for):
    make_submission(checkpoint, trainee)
    response = client_for(trainee).post(f"/checkpoints/{checkpoint.pk}/start/", follow=True)
    assert "already submitted" in response.content.decode()
    assert Submission.objects.count() == 1


# --- staff tables -------------------------------------------------------------


def test_tutor_checkpoint_page_lists_trainees_with_status_and_links(
    trainee, trainee2, tutor, cohort, checkpoint, client_for
):
    submission = make_submission(checkpoint, trainee)
    make_submission(checkpoint, trainee2, submit=False)
    page = client_for(tutor).get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert "Alice Trainee" in page and "Bob Trainee" in page
    assert "Being prepared" in page and ">Submitted<" in page
    assert f"/submissions/{submission.pk}/" in page
    assert "What I learned this term." not in page


def test_course_admin_sees_statuses_and_outcomes_but_no_text(
    trainee, trainee2, tutor, course_admin, cohort, checkpoint, client_for
):
    entry = publish_entry(trainee, cohort, title="qzTitleSecret", body="qzBodySecret")
    submission = make_submission(checkpoint, trainee, entries=[entry], summary="qzSummarySecret")
    assessment = mark(submission, tutor, outcome="refer", feedback="qzFeedbackSecret")
    services.assessment_release(assessment=assessment, by=tutor)
    client = client_for(course_admin)
    for url in ("/checkpoints/", f"/checkpoints/{checkpoint.pk}/"):
        page = client.get(url).content.decode()
        assert not any(m in page for m in ("qzTitleSecret", "qzBodySecret", "qzSummarySecret", "qzFeedbackSecret"))
    page = client.get(f"/checkpoints/{checkpoint.pk}/").content.decode()
    assert "Feedback released: Refer" in page and f"/submissions/{submission.pk}/" not in page
    listing = client.get("/checkpoints/").context["running"][0]
    assert (listing.n_submitted, listing.n_released, listing.n_refer, listing.n_pass) == (1, 1, 1, 0)


# --- the submission page ------------------------------------------------------------


def test_tutor_reads_the_snapshot_not_the_live_entry(trainee, tutor, cohort, checkpoint, client_for):
    entry = publish_entry(trainee, cohort, title="As submitted", body="Submitted *words*.")
    submission = make_submission(checkpoint, trainee, entries=[entry], summary="My **summary**")
    journal_services.entry_publish(
        author=trainee, cohort=cohort, entry=entry, data=entry_data(title="Edited later", body="Later words.")
    )
    page = client_for(tutor).get(f"/submissions/{submission.pk}/").content.decode()
    assert "As submitted" in page and "<em>words</em>" in page and "<strong>summary</strong>" in page
    assert "Edited later" not in page and "Later words." not in page
    assert ">Assess</button>" in page
    # Reading the submission counts as reading the entry, which the trainee can see.
    assert AccessEvent.objects.filter(entry=entry, user=tutor).exists()


def test_assess_starts_first_marking_and_second_tutor_gets_blind_second_marking(
    trainee, tutor, tutor2, cohort, checkpoint, client_for, user_factory
):
    submission = make_submission(checkpoint, trainee)
    response = client_for(tutor).post(f"/submissions/{submission.pk}/assess/")
    first = Assessment.objects.get(role=MarkingRole.FIRST)
    assert response["Location"] == f"/assessments/{first.pk}/"
    mark(submission, tutor, feedback="qzFirstFeedback")
    moderator = add_tutor(user_factory, cohort, "gail@example.test", "Gail Tutor")
    allocate(submission, by=tutor, second=tutor2, moderator=moderator)

    client2 = client_for(tutor2)
    page = client2.get(f"/submissions/{submission.pk}/").content.decode()
    assert "Second mark" in page and "qzFirstFeedback" not in page
    assert f"/assessments/{first.pk}/" not in page
    response = client2.post(f"/submissions/{submission.pk}/assess/")
    second = Assessment.objects.get(role=MarkingRole.SECOND)
    assert response["Location"] == f"/assessments/{second.pk}/"
    # Blind: the first marking's page is not found for the second marker until theirs is complete.
    assert client2.get(f"/assessments/{first.pk}/").status_code == 404
    assert "qzFirstFeedback" not in client2.get(f"/assessments/{second.pk}/").content.decode()
    mark(submission, tutor2)
    assert "qzFirstFeedback" in client2.get(f"/assessments/{first.pk}/").content.decode()
    # Moderation is offered to the allocated moderator only, not to the second marker.
    moderate = f'href="/submissions/{submission.pk}/moderate/"'
    assert moderate not in client2.get(f"/submissions/{submission.pk}/").content.decode()
    assert moderate in client_for(moderator).get(f"/submissions/{submission.pk}/").content.decode()


def test_assessing_a_withdrawn_submission_is_refused_on_the_page(trainee, tutor, cohort, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    services.submission_withdraw(submission=submission)
    client = client_for(tutor)
    page = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert "withdrew this submission" in page and ">Assess</button>" not in page
    response = client.post(f"/submissions/{submission.pk}/assess/", follow=True)
    assert "withdrawn" in response.content.decode()
    assert not Assessment.objects.exists()


# --- the grid -----------------------------------------------------------------------


def grid_post(assessment, index: int = 2, outcome: str = "pass", action: str = "save", **extra) -> dict:
    data = {f"level-{c}": lv for c, lv in full_levels(assessment.rubric, index).items()}
    data.update({"overall_feedback": "Overall words", "outcome": outcome, "action": action})
    data.update(extra)
    return data


def test_grid_page_has_one_radio_group_per_criterion_and_a_comment_box(trainee, tutor, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    page = client_for(tutor).get(f"/assessments/{assessment.pk}/").content.decode()
    for criterion in assessment.rubric.criteria.all():
        assert page.count(f'name="level-{criterion.pk}"') == 4
        assert f'name="comment-{criterion.pk}"' in page
    assert "Save draft" in page and ">Complete<" in page and "release" in page


def test_grid_saves_a_draft_then_completes_with_total(trainee, tutor, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    client = client_for(tutor)
    criterion = assessment.rubric.criteria.first()
    data = grid_post(assessment, index=3, outcome="")
    data[f"comment-{criterion.pk}"] = "Warm and **boundaried**."
    response = client.post(f"/assessments/{assessment.pk}/", data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.completed_at is None and assessment.scores.count() == 3
    assert Score.objects.get(assessment=assessment, criterion=criterion).comment == "Warm and **boundaried**."
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "<strong data-total>9</strong> of 9" in page

    client.post(f"/assessments/{assessment.pk}/", grid_post(assessment, index=1, action="complete"))
    assessment.refresh_from_db()
    assert assessment.is_complete and services.total_points(assessment) == 3
    assert not Notification.objects.filter(user=trainee).exists()


def test_grid_refuses_a_level_of_another_criterion_and_keeps_the_form(trainee, tutor, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    assessment = mark(submission, tutor, complete=False, feedback="Before")
    before = sorted(assessment.scores.values_list("criterion_id", "level_id"))
    levels = full_levels(assessment.rubric)
    a, b = sorted(levels)[:2]
    data = grid_post(assessment, action="complete", overall_feedback="Typed but refused")
    data[f"level-{a}"] = levels[b]
    response = client_for(tutor).post(f"/assessments/{assessment.pk}/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "doesn&#x27;t belong to that criterion" in page and "Nothing was saved" in page
    assert "Typed but refused" in page
    assessment.refresh_from_db()
    assert sorted(assessment.scores.values_list("criterion_id", "level_id")) == before
    assert assessment.overall_feedback == "Before" and assessment.completed_at is None


def test_grid_refuses_a_level_of_another_rubric(trainee, tutor, programme, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    foreign = make_rubric(programme, title="Foreign")
    data = {f"level-{c}": lv for c, lv in full_levels(foreign).items()}
    data.update({"overall_feedback": "x", "outcome": "pass", "action": "save"})
    response = client_for(tutor).post(f"/assessments/{assessment.pk}/", data)
    assert response.status_code == 400 and "isn&#x27;t in this rubric" in response.content.decode()
    assert not assessment.scores.exists()


def test_grid_complete_without_every_criterion_is_refused(trainee, tutor, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    data = grid_post(assessment, action="complete")
    data.pop(f"level-{assessment.rubric.criteria.first().pk}")
    response = client_for(tutor).post(f"/assessments/{assessment.pk}/", data)
    assert response.status_code == 400 and "every criterion" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).completed_at is None


def test_grid_comment_without_a_level_is_refused_not_lost(trainee, tutor, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    criterion = assessment.rubric.criteria.first()
    data = {f"comment-{criterion.pk}": "A thought", "overall_feedback": "", "outcome": "", "action": "save"}
    response = client_for(tutor).post(f"/assessments/{assessment.pk}/", data)
    assert response.status_code == 400 and "so its comment can be saved" in response.content.decode()
    assert "A thought" in response.content.decode()


def test_release_needs_confirmation_notifies_and_makes_the_grid_read_only(trainee, tutor, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    client = client_for(tutor)
    response = client.post(f"/assessments/{assessment.pk}/", grid_post(assessment, action="release"))
    assert response["Location"] == f"/assessments/{assessment.pk}/release/"
    assert Assessment.objects.get(pk=assessment.pk).released_at is None
    assert "Release this feedback" in client.get(response["Location"]).content.decode()
    client.post(f"/assessments/{assessment.pk}/release/")
    assert Assessment.objects.get(pk=assessment.pk).is_released
    assert Notification.objects.filter(user=trainee, url=f"/submissions/{submission.pk}/feedback/").count() == 1

    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "read-only" in page and 'name="level-' not in page
    response = client.post(f"/assessments/{assessment.pk}/release/", follow=True)
    assert "released" in response.content.decode()
    assert Notification.objects.filter(user=trainee).count() == 1
    response = client.post(f"/assessments/{assessment.pk}/", grid_post(assessment, index=0, outcome="fail"))
    assert response.status_code == 400 and "can no longer be changed" in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).outcome == "pass"


def test_incomplete_marking_release_is_refused(trainee, tutor, checkpoint, client_for):
    assessment = mark(make_submission(checkpoint, trainee), tutor, complete=False)
    client = client_for(tutor)
    assert "Please complete the marking" in client.get(f"/assessments/{assessment.pk}/release/").content.decode()
    response = client.post(f"/assessments/{assessment.pk}/release/", follow=True)
    assert "complete the marking" in response.content.decode()
    assert not Assessment.objects.get(pk=assessment.pk).is_released


# --- feedback for the trainee --------------------------------------------------------


def test_trainee_sees_nothing_before_release_then_grid_and_outcome(trainee, tutor, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    criterion = checkpoint.rubric.criteria.first()
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    levels = full_levels(assessment.rubric, 2)
    services.assessment_save(
        assessment=assessment,
        by=tutor,
        levels=levels,
        comments={criterion.pk: "qzCriterionComment"},
        overall_feedback="qzOverall",
        outcome="pass",
        complete=True,
    )
    client = client_for(trainee)
    assert client.get(f"/submissions/{submission.pk}/feedback/").status_code == 404
    assert client.get(f"/assessments/{assessment.pk}/").status_code == 404
    for url in (f"/checkpoints/{checkpoint.pk}/", f"/submissions/{submission.pk}/", "/checkpoints/"):
        page = client.get(url).content.decode()
        assert "qzOverall" not in page and "qzCriterionComment" not in page and "Pass" not in page
    assert "Feedback not released yet" in client.get(f"/checkpoints/{checkpoint.pk}/").content.decode()

    services.assessment_release(assessment=assessment, by=tutor)
    page = client.get(f"/submissions/{submission.pk}/feedback/").content.decode()
    assert "qzOverall" in page and "qzCriterionComment" in page and "Pass" in page
    assert "Total 6 of 9 points" in page and "Competent" in page
    assert client.get(f"/assessments/{assessment.pk}/")["Location"] == f"/submissions/{submission.pk}/feedback/"


def test_trainee_acknowledges_with_a_reply_that_the_tutor_sees(trainee, tutor, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    services.assessment_release(assessment=mark(submission, tutor), by=tutor)
    client = client_for(trainee)
    response = client.post(f"/submissions/{submission.pk}/feedback/", {"reply": "Thank you, I see the pattern now."})
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.acknowledged_at is not None
    page = client_for(tutor).get(f"/submissions/{submission.pk}/").content.decode()
    assert "acknowledged this feedback" in page and "Thank you, I see the pattern now." in page
    # Only the trainee acknowledges.
    assert client_for(tutor).post(f"/submissions/{submission.pk}/feedback/", {"reply": "x"}).status_code == 404


# --- moderation ----------------------------------------------------------------------


def test_moderation_page_shows_agreement_prefills_and_releases_the_agreed_marking(
    trainee, tutor, tutor2, checkpoint, client_for
):
    submission = make_submission(checkpoint, trainee)
    rubric = checkpoint.rubric
    levels_2, levels_1 = full_levels(rubric, 2), full_levels(rubric, 1)
    last = max(levels_2)
    mark(submission, tutor, levels=levels_2, outcome="pass")
    allocate(submission, by=tutor, second=tutor2, moderator=tutor)
    client = client_for(tutor)
    # Not open until the second marking is complete.
    assert client.get(f"/submissions/{submission.pk}/moderate/").status_code == 302
    mark(submission, tutor2, levels={**levels_2, last: levels_1[last]}, outcome="pass")

    response = client.get(f"/submissions/{submission.pk}/moderate/")
    page = response.content.decode()
    assert "2 of 3" in page and "67% agreement" in page
    assert page.count(" checked") == 2 + 1  # two agreed levels prefilled, and the agreed outcome
    assert not Assessment.objects.filter(role=MarkingRole.AGREED).exists()

    data = {f"level-{c}": lv for c, lv in levels_2.items()}
    data.update({"overall_feedback": "Agreed feedback", "outcome": "pass", "action": "release"})
    response = client.post(f"/submissions/{submission.pk}/moderate/", data)
    agreed = Assessment.objects.get(role=MarkingRole.AGREED)
    assert response["Location"] == f"/assessments/{agreed.pk}/release/"
    assert agreed.is_complete and agreed.assessor == tutor
    client.post(f"/assessments/{agreed.pk}/release/")
    page = client_for(trainee).get(f"/submissions/{submission.pk}/feedback/").content.decode()
    assert "Agreed feedback" in page


def test_first_marking_cannot_be_released_once_second_marked(trainee, tutor, tutor2, checkpoint, client_for):
    submission = make_submission(checkpoint, trainee)
    first = mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2)
    mark(submission, tutor2)
    client = client_for(tutor)
    assert "isn't released on its own" in client.get(f"/assessments/{first.pk}/").content.decode()
    response = client.post(f"/assessments/{first.pk}/release/", follow=True)
    assert "release the moderated, agreed marking" in response.content.decode()
    assert not Assessment.objects.filter(released_at__isnull=False).exists()


def test_another_tutors_agreed_draft_is_not_shown_or_editable(
    trainee, tutor, tutor2, cohort, checkpoint, client_for, user_factory
):
    submission = make_submission(checkpoint, trainee)
    mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2, moderator=tutor)
    mark(submission, tutor2)
    agreed = services.moderation_start(submission=submission, moderator=tutor)
    services.assessment_save(
        assessment=agreed, by=tutor, levels={}, comments={}, overall_feedback="qzAgreedDraft", outcome=""
    )
    # Moderation moves to another tutor after the first moderator started the agreed draft.
    successor = add_tutor(user_factory, cohort, "gail@example.test", "Gail Tutor")
    allocate(submission, by=tutor, moderator=successor)
    data = {"overall_feedback": "Taken over", "outcome": "", "action": "save"}
    client = client_for(successor)
    page = client.get(f"/submissions/{submission.pk}/moderate/").content.decode()
    assert "Another tutor is moderating" in page and "qzAgreedDraft" not in page
    assert client.post(f"/submissions/{submission.pk}/moderate/", data).status_code == 400
    # A tutor who isn't the moderator finds no moderation page at all.
    client2 = client_for(tutor2)
    assert client2.get(f"/submissions/{submission.pk}/moderate/").status_code == 404
    assert client2.post(f"/submissions/{submission.pk}/moderate/", data).status_code == 404
    assert Assessment.objects.get(pk=agreed.pk).overall_feedback == "qzAgreedDraft"


# --- query counts --------------------------------------------------------------------

# session, user, unread count, assessment, criteria, levels, scores, marking roles of the submission.
GRID_QUERIES = 8


@pytest.mark.parametrize("criteria", [5, 15])
def test_grid_page_queries_do_not_grow_with_the_rubric(
    trainee, tutor, cohort, programme, client_for, django_assert_num_queries, criteria
):
    checkpoint = make_checkpoint(cohort, make_rubric(programme, criteria=criteria))
    assessment = mark(make_submission(checkpoint, trainee), tutor, complete=False)
    client = client_for(tutor)
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(f"/assessments/{assessment.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('type="radio" class="btn-check"') == criteria * 4


@pytest.mark.parametrize("criteria", [5, 15])
def test_feedback_page_queries_do_not_grow_with_the_rubric(
    trainee, tutor, cohort, programme, client_for, django_assert_num_queries, criteria
):
    checkpoint = make_checkpoint(cohort, make_rubric(programme, criteria=criteria))
    submission = make_submission(checkpoint, trainee)
    services.assessment_release(assessment=mark(submission, tutor), by=tutor)
    client = client_for(trainee)
    # session, user, unread count, submission, released assessment, its notification marked read, scores,
    # criteria, levels, other attempts.
    with django_assert_num_queries(10):
        assert client.get(f"/submissions/{submission.pk}/feedback/").status_code == 200


def test_time_zone_of_due_date_in_other_cohort(trainee, course_admin, other_cohort, checkpoint, client_for):
    other = make_checkpoint(other_cohort, rubric=checkpoint.rubric, title="Spring portfolio")
    Checkpoint.objects.filter(pk=other.pk).update(due_at=datetime.datetime(2027, 1, 15, 17, 0, tzinfo=datetime.UTC))
    page = client_for(course_admin).get("/checkpoints/").content.decode()
    assert "15 Jan 2027, 12:00" in page and "America/New_York" in page
    assert timezone.is_aware(Checkpoint.objects.get(pk=other.pk).due_at)


# --- access matrix -------------------------------------------------------------------

ROLES = ["author", "trainee2", "cohort_tutor", "other_cohort_tutor", "course_admin", "anonymous"]
ENTRY_MARKERS = ["qzEntTTL", "qzEntBDY", "qzSumTXT"]
FEEDBACK_MARKERS = ["qzCmtTXT", "qzFbkTXT", "qzRplTXT"]

# name: (method, path template). {cp} checkpoint, {s} submission, {a} assessment.
URLS = {
    "list": ("get", "/checkpoints/"),
    "checkpoint": ("get", "/checkpoints/{cp}/"),
    "submit_get": ("get", "/checkpoints/{cp}/submit/"),
    "submission": ("get", "/submissions/{s}/"),
    "feedback": ("get", "/submissions/{s}/feedback/"),
    "assessment": ("get", "/assessments/{a}/"),
    "release_get": ("get", "/assessments/{a}/release/"),
    "moderate": ("get", "/submissions/{s}/moderate/"),
    "withdraw_get": ("get", "/submissions/{s}/withdraw/"),
    "assess_post": ("post", "/submissions/{s}/assess/"),
    "withdraw_post": ("post", "/submissions/{s}/withdraw/"),
    "submit_post": ("post", "/checkpoints/{cp}/submit/"),
    "grid_post": ("post", "/assessments/{a}/"),
    "release_post": ("post", "/assessments/{a}/release/"),
    "feedback_post": ("post", "/submissions/{s}/feedback/"),
    "moderate_post": ("post", "/submissions/{s}/moderate/"),
}

# Status per role (author, trainee2, cohort tutor, other-cohort tutor, course admin) with feedback released.
RELEASED = {
    "list": (200, 200, 200, 200, 200),
    "checkpoint": (200, 200, 200, 404, 200),
    "submit_get": (302, 302, 404, 404, 404),  # nothing to submit: back to the checkpoint
    "submission": (200, 404, 200, 404, 404),
    "feedback": (200, 404, 200, 404, 404),
    "assessment": (302, 404, 200, 404, 404),  # the trainee is sent to their feedback page
    "release_get": (404, 404, 200, 404, 404),
    "moderate": (404, 404, 404, 404, 404),  # moderation is allocated, and nobody is: not found for all
    "withdraw_get": (200, 404, 404, 404, 404),
    "assess_post": (404, 404, 302, 404, 404),
    "withdraw_post": (302, 404, 404, 404, 404),  # refused with a message: assessment has started
    "submit_post": (302, 404, 404, 404, 404),  # refused with a message: already submitted
    "grid_post": (404, 404, 400, 404, 404),  # released: read-only
    "release_post": (404, 404, 302, 404, 404),  # refused with a message: already released
    "feedback_post": (302, 404, 404, 404, 404),  # the trainee acknowledges
    "moderate_post": (404, 404, 404, 404, 404),
}
# Before release the trainee finds no feedback at all.
UNRELEASED = {
    **RELEASED,
    "feedback": (404, 404, 404, 404, 404),
    "assessment": (404, 404, 200, 404, 404),
    "feedback_post": (404, 404, 404, 404, 404),
    "grid_post": (404, 404, 302, 404, 404),
}
# Role × action pairs that may change something; every other request must leave the database as it was.
MAY_CHANGE = {("author", "feedback_post"), ("cohort_tutor", "grid_post"), ("cohort_tutor", "release_post")}


@pytest.fixture(params=[True, False], ids=["released", "unreleased"])
def world(request, trainee, trainee2, tutor, other_tutor, course_admin, cohort, client_for):
    checkpoint = make_checkpoint(cohort)
    entry = publish_entry(trainee, cohort, title="Title qzEntTTL", body="Body qzEntBDY")
    submission = make_submission(checkpoint, trainee, entries=[entry], summary="Summary qzSumTXT")
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    levels = full_levels(assessment.rubric)
    services.assessment_save(
        assessment=assessment,
        by=tutor,
        levels=levels,
        comments={min(levels): "Comment qzCmtTXT"},
        overall_feedback="Feedback qzFbkTXT",
        outcome="pass",
        complete=True,
    )
    if request.param:
        services.assessment_release(assessment=assessment, by=tutor)
        services.assessment_acknowledge(assessment=assessment, trainee=trainee, reply="Reply qzRplTXT")
    users = dict(zip(ROLES, [trainee, trainee2, tutor, other_tutor, course_admin, None], strict=True))
    ids = {"cp": checkpoint.pk, "s": submission.pk, "a": assessment.pk}
    return {"released": request.param, "users": users, "ids": ids, "levels": levels}


def db_state() -> tuple:
    return (
        list(Submission.objects.order_by("pk").values_list("pk", "status", "attempt", "withdrawn_at")),
        list(
            Assessment.objects.order_by("pk").values_list(
                "pk",
                "role",
                "outcome",
                "overall_feedback",
                "completed_at",
                "released_at",
                "acknowledged_at",
                "trainee_reply",
            )
        ),
        list(Score.objects.order_by("pk").values_list("pk", "level_id", "comment")),
        Notification.objects.count(),
        list(JournalEntry.objects.order_by("pk").values_list("pk", "visibility")),
    )


def forbidden(role: str, released: bool) -> list[str]:
    if role == "cohort_tutor":
        return []
    if role == "author":
        return [] if released else FEEDBACK_MARKERS
    return ENTRY_MARKERS + FEEDBACK_MARKERS


def post_data(action: str, world) -> dict:
    if action == "submit_post":
        return {"submission": world["ids"]["s"]}
    if action in ("grid_post", "moderate_post"):
        data = {f"level-{c}": lv for c, lv in world["levels"].items()}
        return {**data, "overall_feedback": "Changed by matrix", "outcome": "fail", "action": "save"}
    if action == "feedback_post":
        return {"reply": "Changed reply"}
    return {}


@pytest.mark.parametrize("action", list(URLS))
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, role, action, client_for):
    method, template = URLS[action]
    url = template.format(**world["ids"])
    client = client_for(world["users"][role])
    before = db_state()
    response = getattr(client, method)(url, post_data(action, world))

    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_PREFIX)
    else:
        table = RELEASED if world["released"] else UNRELEASED
        assert response.status_code == table[action][ROLES.index(role)], f"{role} {action}"
    content = response.content.decode()
    leaked = [m for m in forbidden(role, world["released"]) if m in content]
    assert not leaked, f"{role} saw {leaked} on {action}"
    if (role, action) not in MAY_CHANGE:
        assert db_state() == before, f"{role} changed something with {action}"


@pytest.mark.parametrize("role", ["trainee2", "other_cohort_tutor", "course_admin"])
def test_no_page_shows_the_submission_or_feedback_to_outsiders(world, role, client_for):
    client = client_for(world["users"][role])
    for action, (method, template) in URLS.items():
        if method != "get":
            continue
        response = client.get(template.format(**world["ids"]), follow=True)
        content = response.content.decode()
        assert not [m for m in ENTRY_MARKERS + FEEDBACK_MARKERS if m in content], f"{role} on {action}"
