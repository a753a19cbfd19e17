"""Issue 9: who reads a portfolio and its markings (reflect.assessment.policy).

The breaks this reproduces: any tutor of the cohort could read a complete first
marking before release, and start a second marking to get at it; a trainee's
assigned tutor was not the only tutor reading their portfolio. The rules now:
second marking and moderation are allocated; an allocated marker reads that
submission's snapshot, not the journal; markers are blind to each other until
both are complete; the moderator reads both once complete; tutors who are not
marking read released feedback only. Anything refused answers 404."""

import pytest

from reflect.assessment import services
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Assessment, MarkingRole, Submission
from reflect.journal.models import JournalEntry
from tests.reflect.assessment_factories import (
    allocate,
    assign,
    full_levels,
    make_checkpoint,
    make_submission,
    mark,
    publish_entry,
)
from tests.reflect.marking.conftest import SECRETS

pytestmark = pytest.mark.django_db


def page(client, url: str):
    response = client.get(url)
    return response.status_code, response.content.decode()


# --- the bypass ------------------------------------------------------------------------


def test_a_cohort_tutor_with_no_marking_gets_404_on_a_complete_unreleased_first_marking(
    submission, tutor, tutor2, client_for
):
    first = mark(submission, tutor, feedback="qzFirstFeedback")
    client = client_for(tutor2)  # reads the trainee (no assigned tutors), but isn't marking
    status, content = page(client, f"/assessments/{first.pk}/")
    assert status == 404 and "qzFirstFeedback" not in content
    status, content = page(client, f"/submissions/{submission.pk}/")
    assert status == 200 and f"/assessments/{first.pk}/" not in content and "qzFirstFeedback" not in content
    assert not Assessment.objects.visible_to(tutor2).exists()


def test_a_cohort_tutor_cannot_start_a_second_marking_unless_allocated(submission, tutor, tutor2, client_for):
    mark(submission, tutor)
    client = client_for(tutor2)
    response = client.post(f"/submissions/{submission.pk}/assess/", follow=True)
    assert "open only to the tutor allocated" in response.content.decode()
    with pytest.raises(AssessmentError, match="open only to the tutor allocated"):
        services.assessment_start(submission=submission, assessor=tutor2)
    assert list(Assessment.objects.values_list("role", flat=True)) == [MarkingRole.FIRST]

    allocate(submission, by=tutor, second=tutor2)
    response = client.post(f"/submissions/{submission.pk}/assess/")
    second = Assessment.objects.get(role=MarkingRole.SECOND)
    assert second.assessor == tutor2 and response["Location"] == f"/assessments/{second.pk}/"


def test_the_allocated_second_marker_cannot_take_the_first_marking(submission, checkpoint, tutor, tutor2, client_for):
    allocate(checkpoint, by=tutor, second=tutor2)  # tutor2 also reads the trainee as a tutor of the cohort
    assert client_for(tutor2).post(f"/submissions/{submission.pk}/assess/").status_code == 302
    with pytest.raises(AssessmentError, match="second marking opens once the first marking has started"):
        services.assessment_start(submission=submission, assessor=tutor2)
    assert not Assessment.objects.exists()
    assert services.assessment_start(submission=submission, assessor=tutor).role == MarkingRole.FIRST


# --- assigned tutors -------------------------------------------------------------------


def test_a_tutor_not_assigned_to_the_trainee_cannot_read_assess_or_release_their_portfolio(
    trainee2, tutor, tutor_b, cohort, checkpoint, client_for
):
    assign(tutor_b, cohort, trainee2)
    entry = publish_entry(trainee2, cohort, title="Title qzBobTitle", body="Body qzBobBody")
    submission = make_submission(checkpoint, trainee2, entries=[entry], summary="Summary qzBobSummary")
    secrets = ["qzBobTitle", "qzBobBody", "qzBobSummary"]
    client_a, client_b = client_for(tutor), client_for(tutor_b)

    status, content = page(client_a, f"/submissions/{submission.pk}/")
    assert status == 404 and not [s for s in secrets if s in content]
    assert client_a.post(f"/submissions/{submission.pk}/assess/").status_code == 404
    with pytest.raises(AssessmentError, match="Only the tutors who read this trainee"):
        services.assessment_start(submission=submission, assessor=tutor)
    assert not Assessment.objects.exists()

    status, content = page(client_b, f"/submissions/{submission.pk}/")
    assert status == 200 and all(s in content for s in secrets)
    marking = mark(submission, tutor_b)
    assert client_a.get(f"/assessments/{marking.pk}/release/").status_code == 404
    assert client_a.post(f"/assessments/{marking.pk}/release/").status_code == 404
    with pytest.raises(AssessmentError, match="Only the tutor who made"):
        services.assessment_release(assessment=marking, by=tutor)
    assert Assessment.objects.get(pk=marking.pk).released_at is None

    client_b.post(f"/assessments/{marking.pk}/release/")
    assert Assessment.objects.get(pk=marking.pk).released_at is not None
    # Released feedback is for the tutors who read the trainee: still not tutor A.
    assert client_a.get(f"/assessments/{marking.pk}/").status_code == 404


# --- an allocated marker reads one snapshot ----------------------------------------------


def test_an_allocated_second_marker_reads_the_snapshot_but_not_the_journal_or_other_portfolios(
    trainee, tutor, tutor_b, cohort, checkpoint, submission, client_for
):
    assign(tutor_b, cohort, trainee)  # tutor A no longer reads the trainee's journal
    entry = submission.snapshots.get().entry
    later = make_submission(make_checkpoint(cohort, checkpoint.rubric, title="Second portfolio"), trainee)
    mark(submission, tutor_b)
    allocate(submission, by=tutor_b, second=tutor)
    client = client_for(tutor)

    status, content = page(client, f"/submissions/{submission.pk}/")
    assert status == 200 and all(s in content for s in SECRETS)
    status, content = page(client, f"/journal/{entry.pk}/")
    assert status == 404 and "qzSnapBody" not in content
    assert client.get(f"/submissions/{later.pk}/").status_code == 404
    assert list(Submission.objects.visible_to(tutor)) == [submission]
    assert not JournalEntry.objects.visible_to(tutor).exists()
    # The assigned tutor still reads the journal entry the snapshot came from.
    assert client_for(tutor_b).get(f"/journal/{entry.pk}/").status_code == 200


# --- blind markers ---------------------------------------------------------------------


def test_the_second_marker_cannot_see_the_first_marking_until_their_own_is_complete(
    submission, tutor, tutor2, client_for
):
    first = mark(submission, tutor, feedback="qzFirstFeedback")
    allocate(submission, by=tutor, second=tutor2)
    second = mark(submission, tutor2, complete=False)
    client = client_for(tutor2)
    status, content = page(client, f"/assessments/{first.pk}/")
    assert status == 404 and "qzFirstFeedback" not in content
    assert list(Assessment.objects.visible_to(tutor2)) == [second]

    mark(submission, tutor2)
    status, content = page(client, f"/assessments/{first.pk}/")
    assert status == 200 and "qzFirstFeedback" in content


def test_the_first_marker_cannot_see_the_second_marking_until_both_are_complete(submission, tutor, tutor2, client_for):
    first = mark(submission, tutor, complete=False)
    allocate(submission, by=tutor, second=tutor2)
    second = mark(submission, tutor2, feedback="qzSecondFeedback")
    client = client_for(tutor)
    # The second marking is complete, the first isn't: still hidden from the first marker.
    status, content = page(client, f"/assessments/{second.pk}/")
    assert status == 404 and "qzSecondFeedback" not in content
    assert list(Assessment.objects.visible_to(tutor)) == [first]

    # Now the first is complete and the second marker takes theirs back to a draft: hidden again.
    mark(submission, tutor)
    mark(submission, tutor2, complete=False, levels={}, feedback="qzSecondFeedback")
    status, content = page(client, f"/assessments/{second.pk}/")
    assert status == 404 and "qzSecondFeedback" not in content

    mark(submission, tutor2, feedback="qzSecondFeedback")
    status, content = page(client, f"/assessments/{second.pk}/")
    assert status == 200 and "qzSecondFeedback" in content


# --- moderation ------------------------------------------------------------------------


def test_the_moderator_reads_both_markings_once_both_are_complete(
    trainee, submission, tutor, tutor2, tutor_b, moderator, cohort, client_for
):
    # Charlie and Hana are the trainee's tutors: the moderator gets in only by the allocation.
    assign(tutor, cohort, trainee)
    assign(tutor_b, cohort, trainee)
    first = mark(submission, tutor, feedback="qzFirstFeedback")
    allocate(submission, by=tutor, second=tutor2, moderator=moderator)
    second = mark(submission, tutor2, complete=False, feedback="qzSecondFeedback")
    client = client_for(moderator)
    assert not Assessment.objects.visible_to(moderator).exists()
    assert client.get(f"/assessments/{first.pk}/").status_code == 404
    response = client.get(f"/submissions/{submission.pk}/moderate/", follow=True)
    assert "opens once both" in response.content.decode() and "qzFirstFeedback" not in response.content.decode()

    mark(submission, tutor2, feedback="qzSecondFeedback")
    assert set(Assessment.objects.visible_to(moderator)) == {first, second}
    status, content = page(client, f"/submissions/{submission.pk}/moderate/")
    assert status == 200 and "qzFirstFeedback" in content and "qzSecondFeedback" in content
    # The trainee's other tutor, not marking and not moderating, sees none of it until release.
    assert not Assessment.objects.visible_to(tutor_b).exists()


def test_a_moderator_who_is_also_the_second_marker_stays_blind_until_their_marking_is_complete(
    submission, tutor, tutor2, client_for
):
    first = mark(submission, tutor, feedback="qzFirstFeedback")
    allocate(submission, by=tutor, second=tutor2, moderator=tutor2)
    mark(submission, tutor2, complete=False)
    status, content = page(client_for(tutor2), f"/assessments/{first.pk}/")
    assert status == 404 and "qzFirstFeedback" not in content


def test_only_the_allocated_moderator_can_moderate(submission, tutor, tutor2, moderator, client_for):
    mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2, moderator=moderator)
    mark(submission, tutor2)
    url = f"/submissions/{submission.pk}/moderate/"
    data = {f"level-{c}": lv for c, lv in full_levels(submission.checkpoint.rubric).items()}
    data.update({"overall_feedback": "Agreed", "outcome": "pass", "action": "save"})
    for marker in (tutor, tutor2):  # both markers read both markings now, but neither moderates
        client = client_for(marker)
        assert client.get(url).status_code == 404
        assert client.post(url, data).status_code == 404
        assert f'href="{url}"' not in client.get(f"/submissions/{submission.pk}/").content.decode()
        with pytest.raises(AssessmentError, match="allocated to moderate"):
            services.moderation_start(submission=submission, moderator=marker)
    assert not Assessment.objects.filter(role=MarkingRole.AGREED).exists()

    client = client_for(moderator)
    assert f'href="{url}"' in client.get(f"/submissions/{submission.pk}/").content.decode()
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    agreed = Assessment.objects.get(role=MarkingRole.AGREED)
    assert agreed.assessor == moderator and agreed.overall_feedback == "Agreed"


def test_the_allocated_second_marker_is_told_why_there_is_nothing_to_do_yet(
    submission, checkpoint, tutor, tutor2, course_admin, client_for
):
    allocate(checkpoint, by=course_admin, second=tutor2)
    waiting = 'data-testid="second-marker-waiting"'
    assert waiting in client_for(tutor2).get(f"/submissions/{submission.pk}/").content.decode()
    assert waiting not in client_for(tutor).get(f"/submissions/{submission.pk}/").content.decode()
    mark(submission, tutor)
    page = client_for(tutor2).get(f"/submissions/{submission.pk}/").content.decode()
    assert waiting not in page and "Second mark" in page
