"""A closed checkpoint takes no new submissions, and nobody is reminded to make one;
reopening it takes them again. What was already submitted stays and can be marked."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import EmailCategory
from reflect.assessment import services
from reflect.assessment.checkpoints import checkpoint_close, checkpoint_reopen
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Submission, SubmissionStatus
from reflect.outbox.models import Delivery
from reflect.reminders.dispatch import reminders_dispatch
from reflect.reminders.emails import build_message
from tests.reflect.assessment_factories import make_checkpoint, make_submission, mark, publish_entry

pytestmark = pytest.mark.django_db

CLOSED = "This checkpoint is closed, so it isn't taking submissions."


@pytest.fixture
def checkpoint(cohort):
    return make_checkpoint(cohort)


def close(checkpoint, course_admin) -> None:
    assert checkpoint_close(checkpoint=checkpoint, by=course_admin)


def test_a_closed_checkpoint_refuses_a_new_submission(checkpoint, trainee, course_admin):
    close(checkpoint, course_admin)
    with pytest.raises(AssessmentError, match=CLOSED):
        services.submission_start(checkpoint=checkpoint, trainee=trainee)
    assert not Submission.objects.exists()


def test_a_draft_cannot_be_submitted_once_closed(checkpoint, trainee, course_admin):
    draft = make_submission(checkpoint, trainee, submit=False)
    close(checkpoint, course_admin)
    with pytest.raises(AssessmentError, match=CLOSED):
        services.submission_submit(submission=draft)
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT and not draft.snapshots.exists()


def test_a_submission_cannot_be_withdrawn_once_closed(checkpoint, trainee, course_admin):
    submission = make_submission(checkpoint, trainee)
    close(checkpoint, course_admin)
    with pytest.raises(AssessmentError, match="closed, so your submission can't be withdrawn"):
        services.submission_withdraw(submission=submission)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_what_was_submitted_can_still_be_marked_after_closing(checkpoint, trainee, tutor, course_admin):
    submission = make_submission(checkpoint, trainee)
    close(checkpoint, course_admin)
    assert mark(submission, tutor).is_complete


def test_a_reopened_checkpoint_takes_submissions_again(checkpoint, trainee, course_admin):
    close(checkpoint, course_admin)
    assert checkpoint_reopen(checkpoint=checkpoint, by=course_admin)
    assert not checkpoint_reopen(checkpoint=checkpoint, by=course_admin)  # already open
    assert make_submission(checkpoint, trainee).status == SubmissionStatus.SUBMITTED


def test_the_trainee_is_told_plainly_when_saving_to_a_closed_checkpoint(checkpoint, trainee, course_admin, client_for):
    entry = publish_entry(trainee, checkpoint.cohort)
    close(checkpoint, course_admin)
    client = client_for(trainee)
    assert "Closed</span>" in client.get(reverse("reflect:checkpoint-list")).content.decode()
    address = reverse("reflect:checkpoint-detail", args=[checkpoint.pk])
    assert "This checkpoint is closed: it takes no new submissions." in client.get(address).content.decode()
    response = client.post(address, {"entries": [entry.pk], "summary": "What I learned."})
    assert response.status_code == 400
    assert "This checkpoint is closed, so it isn&#x27;t taking submissions." in response.content.decode()
    assert not Submission.objects.exists()


def test_a_closed_checkpoint_sends_no_deadline_reminders(cohort, trainee, tutor, course_admin):
    due = timezone.now() + datetime.timedelta(days=7)
    checkpoint = make_checkpoint(cohort)
    type(checkpoint).objects.filter(pk=checkpoint.pk).update(due_at=due, reminder_days=[7])
    checkpoint.refresh_from_db()
    close(checkpoint, course_admin)
    reminders_dispatch(now=due - datetime.timedelta(days=7))
    reminders_dispatch(now=due + datetime.timedelta(minutes=5))
    assert not Delivery.objects.filter(kind=EmailCategory.DEADLINES).exists()
    checkpoint_reopen(checkpoint=checkpoint, by=course_admin)
    reminders_dispatch(now=due - datetime.timedelta(days=7))
    assert Delivery.objects.filter(kind=EmailCategory.DEADLINES, user=trainee).exists()


def test_a_reminder_planned_before_closing_is_not_sent(cohort, trainee, course_admin):
    checkpoint = make_checkpoint(cohort, due_in_days=3)
    payload = {"checkpoint_id": checkpoint.pk, "days_before": 3}
    created = Delivery.objects.create(
        user=trainee, kind=EmailCategory.DEADLINES, period=f"checkpoint-{checkpoint.pk}-3d", payload=payload
    )
    rows = Delivery.objects.select_related("user", "user__preferences")  # as a send batch loads them
    assert build_message(rows.get(pk=created.pk)) is not None
    close(checkpoint, course_admin)
    assert build_message(rows.get(pk=created.pk)) is None
