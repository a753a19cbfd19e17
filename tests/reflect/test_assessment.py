"""Assessment rules: the grid, completing, blind second marking, moderation, release and acknowledgement."""

import pytest

from reflect.assessment import services
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Assessment, MarkingRole, Rubric, Score
from reflect.feedback.models import Notification, NotificationKind
from tests.reflect.assessment_factories import (
    add_tutor,
    allocate,
    full_levels,
    make_checkpoint,
    make_rubric,
    make_submission,
    mark,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(trainee, cohort):
    return make_submission(make_checkpoint(cohort), trainee)


@pytest.fixture
def tutor2(user_factory, cohort):
    return add_tutor(user_factory, cohort)


def state(assessment: Assessment) -> tuple:
    assessment = Assessment.objects.get(pk=assessment.pk)
    scores = sorted(assessment.scores.values_list("criterion_id", "level_id", "comment"))
    return (scores, assessment.overall_feedback, assessment.outcome, assessment.completed_at, assessment.released_at)


def test_first_marking_locks_the_rubric_version(submission, tutor):
    rubric = submission.checkpoint.rubric
    assert not rubric.is_locked
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    assert assessment.role == MarkingRole.FIRST and assessment.rubric_id == rubric.pk
    assert Rubric.objects.get(pk=rubric.pk).is_locked


def test_draft_can_be_saved_many_times_and_total_is_computed(submission, tutor):
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    levels = full_levels(assessment.rubric, 1)
    first_criterion = min(levels)
    for n in range(3):
        services.assessment_save(
            assessment=assessment,
            by=tutor,
            levels={first_criterion: levels[first_criterion]},
            comments={first_criterion: f"Comment {n}"},
            overall_feedback=f"Draft {n}",
            outcome="",
        )
    assessment.refresh_from_db()
    assert assessment.overall_feedback == "Draft 2" and assessment.completed_at is None
    assert list(assessment.scores.values_list("comment", flat=True)) == ["Comment 2"]
    services.assessment_save(
        assessment=assessment,
        by=tutor,
        levels=full_levels(assessment.rubric, 3),
        comments={},
        overall_feedback="",
        outcome="pass",
    )
    assert services.total_points(assessment) == 3 * 3


def test_level_of_another_criterion_is_refused_and_nothing_changes(submission, tutor):
    assessment = mark(submission, tutor, complete=False)
    before = state(assessment)
    levels = full_levels(assessment.rubric)
    a, b = sorted(levels)[:2]
    swapped = {**levels, a: levels[b]}
    with pytest.raises(AssessmentError, match="doesn't belong to that criterion"):
        services.assessment_save(
            assessment=assessment, by=tutor, levels=swapped, comments={}, overall_feedback="Changed", outcome="fail"
        )
    assert state(assessment) == before


def test_level_of_another_rubric_is_refused_and_nothing_changes(submission, tutor, programme):
    assessment = mark(submission, tutor, complete=False)
    before = state(assessment)
    foreign = make_rubric(programme, title="Another rubric")
    foreign_levels = full_levels(foreign)
    own = full_levels(assessment.rubric)
    # A level from another rubric under our criterion, then a criterion of another rubric.
    with pytest.raises(AssessmentError, match="doesn't belong"):
        services.assessment_save(
            assessment=assessment,
            by=tutor,
            levels={min(own): next(iter(foreign_levels.values()))},
            comments={},
            overall_feedback="Changed",
            outcome="",
        )
    with pytest.raises(AssessmentError, match="isn't in this rubric"):
        services.assessment_save(
            assessment=assessment, by=tutor, levels=foreign_levels, comments={}, overall_feedback="Changed", outcome=""
        )
    assert state(assessment) == before


def test_completing_needs_every_criterion_and_an_outcome(submission, tutor):
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    levels = full_levels(assessment.rubric)
    partial = dict(list(levels.items())[:1])
    with pytest.raises(AssessmentError, match="every criterion"):
        services.assessment_save(
            assessment=assessment,
            by=tutor,
            levels=partial,
            comments={},
            overall_feedback="",
            outcome="pass",
            complete=True,
        )
    with pytest.raises(AssessmentError, match="outcome"):
        services.assessment_save(
            assessment=assessment, by=tutor, levels=levels, comments={}, overall_feedback="", outcome="", complete=True
        )
    assert Assessment.objects.get(pk=assessment.pk).completed_at is None
    assert not Score.objects.filter(assessment=assessment).exists()


def test_completed_marking_saved_again_with_a_gap_is_a_draft_again(submission, tutor):
    assessment = mark(submission, tutor)
    assert assessment.is_complete
    services.assessment_save(
        assessment=assessment, by=tutor, levels={}, comments={}, overall_feedback="", outcome="pass"
    )
    with pytest.raises(AssessmentError, match="complete the marking"):
        services.assessment_release(assessment=Assessment.objects.get(pk=assessment.pk), by=tutor)


def test_only_the_marker_can_change_their_marking(submission, tutor, tutor2):
    assessment = mark(submission, tutor, complete=False)
    before = state(assessment)
    with pytest.raises(AssessmentError, match="Only the tutor who made"):
        services.assessment_save(
            assessment=assessment, by=tutor2, levels={}, comments={}, overall_feedback="Mine now", outcome=""
        )
    assert state(assessment) == before


def test_assessing_a_withdrawn_submission_is_refused(submission, tutor):
    services.submission_withdraw(submission=submission)
    with pytest.raises(AssessmentError, match="withdrawn"):
        services.assessment_start(submission=submission, assessor=tutor)
    assert not Assessment.objects.exists()
    assert not Rubric.objects.get(pk=submission.checkpoint.rubric_id).is_locked


def test_tutor_of_another_cohort_cannot_assess(submission, other_tutor, trainee):
    for person in (other_tutor, trainee):
        with pytest.raises(AssessmentError, match="Only the tutors who read this trainee"):
            services.assessment_start(submission=submission, assessor=person)
    assert not Assessment.objects.exists()


def test_incomplete_marking_cannot_be_released(submission, tutor, trainee):
    assessment = mark(submission, tutor, complete=False)
    with pytest.raises(AssessmentError, match="complete the marking"):
        services.assessment_release(assessment=assessment, by=tutor)
    assert Assessment.objects.get(pk=assessment.pk).released_at is None
    assert not Notification.objects.filter(user=trainee).exists()


def test_releasing_twice_is_refused_and_notifies_once(submission, tutor, trainee):
    assessment = mark(submission, tutor)
    services.assessment_release(assessment=assessment, by=tutor)
    released_at = Assessment.objects.get(pk=assessment.pk).released_at
    with pytest.raises(AssessmentError, match="released"):
        services.assessment_release(assessment=Assessment.objects.get(pk=assessment.pk), by=tutor)
    assert Assessment.objects.get(pk=assessment.pk).released_at == released_at
    assert Notification.objects.filter(user=trainee).count() == 1


def test_release_notifies_the_trainee_with_a_link_to_the_feedback(submission, tutor, trainee):
    services.assessment_release(assessment=mark(submission, tutor, outcome="refer"), by=tutor)
    notice = Notification.objects.get(user=trainee)
    assert notice.kind == NotificationKind.FEEDBACK_RELEASED and notice.actor == tutor
    assert notice.url == f"/submissions/{submission.pk}/feedback/"
    # The outcome is read on the page, never in a notice that may become an email subject.
    assert "Refer" not in notice.summary and submission.checkpoint.title in notice.summary


def test_released_marking_cannot_be_changed(submission, tutor):
    assessment = mark(submission, tutor)
    services.assessment_release(assessment=assessment, by=tutor)
    before = state(assessment)
    with pytest.raises(AssessmentError, match="released"):
        services.assessment_save(
            assessment=Assessment.objects.get(pk=assessment.pk),
            by=tutor,
            levels={},
            comments={},
            overall_feedback="Rewritten",
            outcome="fail",
        )
    assert state(assessment) == before


def test_trainee_sees_nothing_before_release_and_the_marking_after(submission, tutor, trainee, trainee2):
    assessment = mark(submission, tutor)
    assert not Assessment.objects.visible_to(trainee).exists()
    services.assessment_release(assessment=assessment, by=tutor)
    assert list(Assessment.objects.visible_to(trainee)) == [assessment]
    assert not Assessment.objects.visible_to(trainee2).exists()


def test_course_admin_and_other_cohort_tutor_see_no_assessment(submission, tutor, course_admin, other_tutor):
    services.assessment_release(assessment=mark(submission, tutor), by=tutor)
    assert not Assessment.objects.visible_to(course_admin).exists()
    assert not Assessment.objects.visible_to(other_tutor).exists()


def test_second_marking_is_blind_until_the_second_marker_completes(submission, tutor, tutor2):
    first = mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2)
    second = services.assessment_start(submission=submission, assessor=tutor2)
    assert second.role == MarkingRole.SECOND
    assert list(Assessment.objects.visible_to(tutor2)) == [second]
    # Nor can the first marker see the second's draft.
    assert list(Assessment.objects.visible_to(tutor)) == [first]

    mark(submission, tutor2, index=1)
    assert set(Assessment.objects.visible_to(tutor2)) == {first, second}
    assert set(Assessment.objects.visible_to(tutor)) == {first, second}


def test_a_third_tutor_sees_only_released_markings(submission, tutor, tutor2, user_factory):
    # The third tutor reads the trainee (no assigned tutors) but is not marking.
    third = add_tutor(user_factory, submission.checkpoint.cohort, "gail@example.test")
    mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2, moderator=tutor)
    services.assessment_start(submission=submission, assessor=tutor2)
    assert not Assessment.objects.visible_to(third).exists()
    mark(submission, tutor2)
    assert not Assessment.objects.visible_to(third).exists()  # both complete, nothing released

    agreed = services.moderation_start(submission=submission, moderator=tutor)
    levels = full_levels(agreed.rubric)
    services.assessment_save(
        assessment=agreed, by=tutor, levels=levels, comments={}, overall_feedback="", outcome="pass", complete=True
    )
    assert not Assessment.objects.visible_to(third).exists()
    services.assessment_release(assessment=agreed, by=tutor)
    assert list(Assessment.objects.visible_to(third)) == [agreed]


def test_starting_again_returns_the_tutors_own_marking(submission, tutor, tutor2, user_factory):
    first = services.assessment_start(submission=submission, assessor=tutor)
    assert services.assessment_start(submission=submission, assessor=tutor) == first
    allocate(submission, by=tutor, second=tutor2)
    second = services.assessment_start(submission=submission, assessor=tutor2)
    assert second.role == MarkingRole.SECOND
    assert services.assessment_start(submission=submission, assessor=tutor2) == second
    third = add_tutor(user_factory, submission.checkpoint.cohort, "gail@example.test")
    with pytest.raises(AssessmentError, match="already has a first and a second"):
        services.assessment_start(submission=submission, assessor=third)


def test_no_second_marking_after_the_first_was_released(submission, tutor, tutor2):
    services.assessment_release(assessment=mark(submission, tutor), by=tutor)
    allocate(submission, by=tutor, second=tutor2)
    with pytest.raises(AssessmentError, match="already been released"):
        services.assessment_start(submission=submission, assessor=tutor2)
    assert not Assessment.objects.filter(role=MarkingRole.SECOND).exists()


def test_with_second_marking_only_the_agreed_marking_can_be_released(submission, tutor, tutor2, trainee):
    first = mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2)
    # Allocating a second marker is enough: the first marking no longer releases on its own.
    with pytest.raises(AssessmentError, match="release the moderated"):
        services.assessment_release(assessment=first, by=tutor)
    second = mark(submission, tutor2)
    for marking, marker in ((first, tutor), (second, tutor2)):
        with pytest.raises(AssessmentError, match="release the moderated"):
            services.assessment_release(assessment=marking, by=marker)
    assert not Assessment.objects.filter(released_at__isnull=False).exists()
    assert not Notification.objects.filter(user=trainee, kind=NotificationKind.FEEDBACK_RELEASED).exists()


def test_moderation_opens_only_when_both_markings_are_complete(submission, tutor, tutor2):
    mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2, moderator=tutor)
    with pytest.raises(AssessmentError, match="both the first and the second"):
        services.moderation_start(submission=submission, moderator=tutor)
    mark(submission, tutor2, complete=False)
    with pytest.raises(AssessmentError, match="both the first and the second"):
        services.moderation_start(submission=submission, moderator=tutor)
    assert not Assessment.objects.filter(role=MarkingRole.AGREED).exists()


def test_moderation_prefills_where_markers_agree_and_the_agreed_marking_is_released(
    submission, tutor, tutor2, trainee, user_factory
):
    rubric = submission.checkpoint.rubric
    levels_2, levels_1 = full_levels(rubric, 2), full_levels(rubric, 1)
    criteria = sorted(levels_2)
    first = mark(submission, tutor, levels=levels_2, outcome="pass")
    moderator = add_tutor(user_factory, submission.checkpoint.cohort, "gail@example.test")
    allocate(submission, by=tutor, second=tutor2, moderator=moderator)
    # The second marker differs on the last criterion and on the outcome.
    second = mark(submission, tutor2, levels={**levels_2, criteria[-1]: levels_1[criteria[-1]]}, outcome="refer")

    rows = services.agreement(first=first, second=second)
    assert [row["agree"] for row in rows] == [True] * (len(criteria) - 1) + [False]

    # The moderator's own agreed draft doesn't hide the markings being moderated.
    agreed = services.moderation_start(submission=submission, moderator=moderator)
    assert set(Assessment.objects.visible_to(moderator)) >= {first, second}
    assert agreed.role == MarkingRole.AGREED and agreed.outcome == ""
    assert dict(agreed.scores.values_list("criterion_id", "level_id")) == {c: levels_2[c] for c in criteria[:-1]}
    assert services.moderation_start(submission=submission, moderator=moderator) == agreed

    with pytest.raises(AssessmentError, match="complete the marking"):
        services.assessment_release(assessment=agreed, by=moderator)
    services.assessment_save(
        assessment=agreed,
        by=moderator,
        levels=levels_2,
        comments={},
        overall_feedback="Agreed.",
        outcome="pass",
        complete=True,
    )
    services.assessment_release(assessment=agreed, by=moderator)

    assert list(Assessment.objects.visible_to(trainee)) == [agreed]
    assert Notification.objects.filter(user=trainee, kind=NotificationKind.FEEDBACK_RELEASED).count() == 1


def test_moderation_prefills_the_outcome_when_both_agree(submission, tutor, tutor2):
    mark(submission, tutor, outcome="refer")
    allocate(submission, by=tutor, second=tutor2, moderator=tutor)
    mark(submission, tutor2, outcome="refer", index=3)
    agreed = services.moderation_start(submission=submission, moderator=tutor)
    assert agreed.outcome == "refer" and not agreed.scores.exists()


def test_trainee_acknowledges_and_replies_to_released_feedback_only(submission, tutor, trainee, trainee2):
    assessment = mark(submission, tutor)
    with pytest.raises(AssessmentError):
        services.assessment_acknowledge(assessment=assessment, trainee=trainee, reply="Thanks")
    services.assessment_release(assessment=assessment, by=tutor)
    with pytest.raises(AssessmentError):
        services.assessment_acknowledge(assessment=assessment, trainee=trainee2, reply="Not mine")
    services.assessment_acknowledge(assessment=assessment, trainee=trainee, reply="  Thank you, this helps.  ")
    assessment.refresh_from_db()
    assert assessment.acknowledged_at is not None and assessment.trainee_reply == "Thank you, this helps."
