"""Submission rules: preparing, submitting once, snapshots, lateness, withdrawal and resubmission."""

import pytest

from reflect.assessment import services
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Checkpoint, Submission, SubmissionStatus, SubmittedEntry
from reflect.journal import services as journal_services
from reflect.journal.models import JournalEntry, Visibility
from tests.conftest import entry_data
from tests.reflect.assessment_factories import make_checkpoint, make_submission, mark, publish_entry

pytestmark = pytest.mark.django_db


def test_submitting_snapshots_entries_so_later_edits_do_not_change_what_was_assessed(trainee, cohort):
    checkpoint = make_checkpoint(cohort)
    entry = publish_entry(trainee, cohort, title="Rupture and repair", body="What I wrote at the time.")
    submission = make_submission(checkpoint, trainee, entries=[entry])

    journal_services.entry_publish(
        author=trainee, cohort=cohort, entry=entry, data=entry_data(title="Rewritten", body="Rewritten later.")
    )

    snapshot = submission.snapshots.get()
    assert (snapshot.title, snapshot.body, snapshot.entry_id) == (
        "Rupture and repair",
        "What I wrote at the time.",
        entry.pk,
    )
    assert JournalEntry.objects.get(pk=entry.pk).body == "Rewritten later."


def test_submitting_shares_the_chosen_entries_only(trainee, cohort):
    checkpoint = make_checkpoint(cohort)
    chosen = publish_entry(trainee, cohort, title="Chosen")
    other = publish_entry(trainee, cohort, title="Not chosen")
    assert chosen.visibility == Visibility.PRIVATE

    make_submission(checkpoint, trainee, entries=[chosen])

    assert JournalEntry.objects.get(pk=chosen.pk).visibility == Visibility.SHARED
    assert JournalEntry.objects.get(pk=other.pk).visibility == Visibility.PRIVATE


def test_on_time_submission_is_not_late_and_late_one_is_marked_late(trainee, trainee2, cohort):
    on_time = make_checkpoint(cohort, due_in_days=3)
    assert make_submission(on_time, trainee).is_late is False

    overdue = make_checkpoint(cohort, rubric=on_time.rubric, due_in_days=-1, title="Overdue")
    submission = make_submission(overdue, trainee2)
    assert submission.is_late is True
    assert submission.status == SubmissionStatus.SUBMITTED


def test_second_tab_submitting_the_same_draft_gets_a_clear_error_and_nothing_doubles(trainee, cohort):
    checkpoint = make_checkpoint(cohort)
    draft = make_submission(checkpoint, trainee, submit=False)
    tab_one = Submission.objects.get(pk=draft.pk)
    tab_two = Submission.objects.get(pk=draft.pk)

    services.submission_submit(submission=tab_one)
    with pytest.raises(AssessmentError, match="already been submitted"):
        services.submission_submit(submission=tab_two)

    assert SubmittedEntry.objects.filter(submission=draft).count() == 1
    assert Submission.objects.filter(checkpoint=checkpoint, trainee=trainee).count() == 1


def test_submitting_needs_an_entry_and_a_summary(trainee, cohort):
    checkpoint = make_checkpoint(cohort)
    submission = services.submission_start(checkpoint=checkpoint, trainee=trainee)
    with pytest.raises(AssessmentError, match="at least one published entry"):
        services.submission_submit(submission=submission)
    entry = publish_entry(trainee, cohort)
    services.submission_update(submission=submission, entry_ids=[entry.pk], summary="   ")
    with pytest.raises(AssessmentError, match="summary"):
        services.submission_submit(submission=submission)
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.DRAFT


def test_only_own_published_entries_in_the_cohort_can_be_chosen(trainee, trainee2, cohort, other_cohort, make_entry):
    checkpoint = make_checkpoint(cohort)
    submission = services.submission_start(checkpoint=checkpoint, trainee=trainee)
    someone_elses = publish_entry(trainee2, cohort)
    own_draft = make_entry(trainee, cohort, draft=True)
    for entry in (someone_elses, own_draft):
        with pytest.raises(AssessmentError, match="can't be included"):
            services.submission_update(submission=submission, entry_ids=[entry.pk], summary="x")
    assert list(submission.entries.all()) == []


def test_entry_trashed_after_choosing_is_not_snapshotted(trainee, cohort):
    checkpoint = make_checkpoint(cohort)
    kept, trashed = publish_entry(trainee, cohort, title="Kept"), publish_entry(trainee, cohort, title="Trashed")
    submission = make_submission(checkpoint, trainee, entries=[kept, trashed], submit=False)
    journal_services.entry_delete(entry=trashed)
    services.submission_submit(submission=submission)
    assert list(submission.snapshots.values_list("title", flat=True)) == ["Kept"]


def test_submitted_submission_cannot_be_changed(trainee, cohort):
    submission = make_submission(make_checkpoint(cohort), trainee)
    with pytest.raises(AssessmentError, match="can no longer be changed"):
        services.submission_update(submission=submission, entry_ids=[], summary="changed")
    assert Submission.objects.get(pk=submission.pk).summary == "What I learned this term."


def test_withdraw_before_assessment_then_prepare_again(trainee, cohort):
    checkpoint = make_checkpoint(cohort)
    submission = make_submission(checkpoint, trainee)
    services.submission_withdraw(submission=submission)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.WITHDRAWN and submission.withdrawn_at is not None
    assert not submission.snapshots.exists()

    again = services.submission_start(checkpoint=checkpoint, trainee=trainee)
    assert again.pk == submission.pk and again.status == SubmissionStatus.DRAFT and again.attempt == 1


def test_withdraw_refused_once_a_tutor_has_started_assessing(trainee, tutor, cohort):
    submission = make_submission(make_checkpoint(cohort), trainee)
    services.assessment_start(submission=submission, assessor=tutor)
    with pytest.raises(AssessmentError, match="can no longer be withdrawn"):
        services.submission_withdraw(submission=submission)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.snapshots.count() == 1


def test_withdrawing_a_draft_is_refused(trainee, cohort):
    submission = make_submission(make_checkpoint(cohort), trainee, submit=False)
    with pytest.raises(AssessmentError, match="Only a submitted submission"):
        services.submission_withdraw(submission=submission)


def test_only_trainees_of_the_cohort_can_start_a_submission(tutor, other_tutor, cohort):
    checkpoint = make_checkpoint(cohort)
    for person in (tutor, other_tutor):
        with pytest.raises(AssessmentError, match="Only trainees"):
            services.submission_start(checkpoint=checkpoint, trainee=person)
    assert not Submission.objects.exists()


def test_no_second_attempt_without_a_released_refer(trainee, tutor, cohort):
    checkpoint = make_checkpoint(cohort)
    submission = make_submission(checkpoint, trainee)
    with pytest.raises(AssessmentError, match="already submitted"):
        services.submission_start(checkpoint=checkpoint, trainee=trainee)
    # A Refer that has not been released doesn't open a new attempt either.
    mark(submission, tutor, outcome="refer")
    with pytest.raises(AssessmentError, match="already submitted"):
        services.submission_start(checkpoint=checkpoint, trainee=trainee)


def test_refer_opens_attempt_two_and_keeps_the_history(trainee, tutor, cohort):
    checkpoint = make_checkpoint(cohort)
    first = make_submission(checkpoint, trainee)
    services.assessment_release(assessment=mark(first, tutor, outcome="refer"), by=tutor)

    second = make_submission(checkpoint, trainee, summary="My resubmission.")

    assert second.attempt == 2 and second.pk != first.pk
    attempts = list(Submission.objects.filter(checkpoint=checkpoint, trainee=trainee).order_by("attempt"))
    assert [s.attempt for s in attempts] == [1, 2]
    assert attempts[0].snapshots.count() == 1 and attempts[0].assessments.get().outcome == "refer"
    assert services.next_attempt_number(checkpoint=checkpoint, trainee=trainee) == 3


def test_pass_does_not_allow_resubmitting(trainee, tutor, cohort):
    checkpoint = make_checkpoint(cohort)
    services.assessment_release(assessment=mark(make_submission(checkpoint, trainee), tutor), by=tutor)
    with pytest.raises(AssessmentError):
        services.submission_start(checkpoint=checkpoint, trainee=trainee)


def test_draft_submission_is_hidden_from_tutors_until_submitted(trainee, tutor, other_tutor, course_admin, cohort):
    submission = make_submission(make_checkpoint(cohort), trainee, submit=False)
    assert list(Submission.objects.visible_to(trainee)) == [submission]
    assert not Submission.objects.visible_to(tutor).exists()
    services.submission_submit(submission=submission)
    assert list(Submission.objects.visible_to(tutor)) == [submission]
    assert not Submission.objects.visible_to(other_tutor).exists()
    assert not Submission.objects.visible_to(course_admin).exists()
    assert list(Submission.objects.overview_for(course_admin)) == [submission]


def test_checkpoint_visible_to_cohort_members_only(trainee, other_tutor, course_admin, cohort):
    checkpoint = make_checkpoint(cohort)
    assert list(Checkpoint.objects.visible_to(trainee)) == [checkpoint]
    assert list(Checkpoint.objects.visible_to(course_admin)) == [checkpoint]
    assert not Checkpoint.objects.visible_to(other_tutor).exists()
