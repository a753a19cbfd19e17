"""An archived cohort is read-only for everyone and hidden from dashboards; its data is kept."""

import datetime

import pytest
from django.utils import timezone

from reflect.assessment import services as assessment
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Checkpoint, Rubric
from reflect.feedback.services import CommentError, comment_create, comment_edit
from reflect.journal.models import JournalEntry
from reflect.reminders.dispatch import reminders_dispatch
from tests.reflect.assessment_factories import make_checkpoint, make_rubric, make_submission, mark
from tests.reminders.factories import SUNDAY_EVENING, london_sunday_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(cohort):
    cohort.start_date, cohort.end_date = datetime.date(2026, 9, 1), datetime.date(2027, 7, 1)
    cohort.archived_at = timezone.now()
    cohort.save()
    return cohort


def test_entries_of_an_archived_cohort_can_be_read_but_not_changed(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort, title="Kept for the record")
    cohort.archived_at = timezone.now()
    cohort.save()
    client = client_for(trainee)
    assert "Kept for the record" in client.get(f"/journal/{entry.pk}/").content.decode()
    assert client.get(f"/journal/{entry.pk}/edit/").status_code == 404
    assert client.post(f"/journal/{entry.pk}/delete/").status_code == 404
    assert JournalEntry.objects.get(pk=entry.pk).deleted_at is None
    new_entry = client.get("/journal/new/").content.decode()
    assert "Your cohort has been archived, so new entries can't be written." in new_entry


def test_archived_cohort_is_hidden_from_the_tutor_dashboard_but_its_page_still_reads(tutor, archived, client_for):
    client = client_for(tutor)
    assert f"/cohorts/{archived.pk}/" not in client.get("/").content.decode()
    assert "was archived" in client.get(f"/cohorts/{archived.pk}/").content.decode()


def test_no_reminders_for_an_archived_cohort(trainee, archived):
    london_sunday_schedule(archived)
    assert reminders_dispatch(now=SUNDAY_EVENING).created == 0


def test_no_comments_or_submissions_in_an_archived_cohort(trainee, tutor, cohort, make_entry):
    entry = make_entry(trainee, cohort, visibility="shared")
    checkpoint = Checkpoint.objects.create(
        cohort=cohort,
        rubric=Rubric.objects.create(programme=cohort.programme, title="R"),
        title="CP",
        due_at=timezone.now() + datetime.timedelta(days=3),
    )
    cohort.archived_at = timezone.now()
    cohort.save()
    with pytest.raises(CommentError):
        comment_create(entry=JournalEntry.objects.get(pk=entry.pk), author=tutor, body="Hello")
    with pytest.raises(AssessmentError):
        assessment.submission_start(checkpoint=Checkpoint.objects.get(pk=checkpoint.pk), trainee=trainee)


def test_work_begun_before_archiving_cannot_be_changed_after(trainee, trainee2, tutor, cohort, make_entry):
    checkpoint = make_checkpoint(cohort, make_rubric(cohort.programme))
    draft = make_submission(checkpoint, trainee2, submit=False)
    submitted = make_submission(checkpoint, trainee)
    marking = mark(submitted, tutor, complete=True)
    entry = make_entry(trainee, cohort, visibility="shared")
    comment = comment_create(entry=entry, author=tutor, body="First thoughts")
    cohort.archived_at = timezone.now()
    cohort.save()

    attempts = [
        lambda: assessment.submission_update(submission=draft, entry_ids=[], summary="Changed"),
        lambda: assessment.submission_submit(submission=draft),
        lambda: assessment.submission_withdraw(submission=submitted),
        lambda: assessment.assessment_save(
            assessment=marking, by=tutor, levels={}, comments={}, overall_feedback="Changed", outcome="pass"
        ),
        lambda: assessment.assessment_release(assessment=marking, by=tutor),
    ]
    for attempt in attempts:
        with pytest.raises(AssessmentError, match="archived"):
            attempt()
    with pytest.raises(CommentError, match="archived"):
        comment_edit(comment=comment, by=tutor, body="Second thoughts")
    marking.refresh_from_db()
    assert marking.released_at is None and marking.overall_feedback == "Thoughtful work."
    comment.refresh_from_db()
    assert comment.body == "First thoughts"
