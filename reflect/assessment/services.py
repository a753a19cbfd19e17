"""Writes for checkpoints, submissions and assessments. Every refused action
raises AssessmentError with a plain message and changes nothing."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reflect.assessment import moderation, policy
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import (
    AllocationRole,
    Assessment,
    Checkpoint,
    Level,
    MarkingRole,
    Outcome,
    Rubric,
    Score,
    Submission,
    SubmissionStatus,
    SubmittedEntry,
)
from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.cohorts.guards import refuse_if_read_only
from reflect.cohorts.models import Cohort
from reflect.feedback.models import NotificationKind
from reflect.feedback.notify import notify
from reflect.journal.models import JournalEntry, Status, Visibility


def rubric_lock(*, rubric: Rubric) -> None:
    """Once any assessment uses a rubric version it never changes again."""
    Rubric.objects.filter(pk=rubric.pk, locked_at__isnull=True).update(locked_at=timezone.now())


# --- Submissions ----------------------------------------------------------


def latest_submission(*, checkpoint: Checkpoint, trainee: User) -> Submission | None:
    return Submission.objects.filter(checkpoint=checkpoint, trainee=trainee).latest_attempts().first()


def _refuse_if_archived(cohort_id: int) -> None:
    """No submitting, marking or releasing in a read-only cohort. The cohort is read
    afresh: the caller's copy may predate the archiving."""
    refuse_if_read_only(Cohort.objects.get(pk=cohort_id), error=AssessmentError)


def _refuse_if_closed(checkpoint_id: int) -> None:
    """A closed checkpoint takes no new submissions. Read from the database, not
    from a cached checkpoint, so a close made a moment ago already counts."""
    if Checkpoint.objects.filter(pk=checkpoint_id, closed_at__isnull=False).exists():
        raise AssessmentError("This checkpoint is closed, so it isn't taking submissions. Ask your course admin.")


def released_outcome(submission: Submission) -> str | None:
    return Assessment.objects.filter(submission=submission).released_outcomes().get(submission.pk)


@transaction.atomic
def submission_start(*, checkpoint: Checkpoint, trainee: User) -> Submission:
    """Open a submission to prepare. A new attempt is allowed only after a released Refer."""
    if not policy.can_submit(trainee, checkpoint):
        raise AssessmentError("Only trainees of this cohort can submit to this checkpoint.")
    _refuse_if_archived(checkpoint.cohort_id)
    _refuse_if_closed(checkpoint.pk)
    latest = latest_submission(checkpoint=checkpoint, trainee=trainee)
    if latest is not None:
        if latest.status == SubmissionStatus.DRAFT:
            return latest
        if latest.status == SubmissionStatus.WITHDRAWN:
            Submission.objects.filter(pk=latest.pk).update(status=SubmissionStatus.DRAFT, withdrawn_at=None)
            latest.refresh_from_db()
            return latest
        if released_outcome(latest) != Outcome.REFER:
            raise AssessmentError("You have already submitted to this checkpoint.")
    attempt = (latest.attempt + 1) if latest else 1
    try:
        with transaction.atomic():
            return Submission.objects.create(checkpoint=checkpoint, trainee=trainee, attempt=attempt)
    except IntegrityError:
        return Submission.objects.get(checkpoint=checkpoint, trainee=trainee, attempt=attempt)


def eligible_entries(*, submission: Submission):
    """Published entries of the trainee in the checkpoint's cohort."""
    return JournalEntry.objects.editable_by(submission.trainee).filter(
        cohort=submission.checkpoint.cohort, status=Status.PUBLISHED
    )


@transaction.atomic
def submission_update(*, submission: Submission, entry_ids: list[int], summary: str) -> Submission:
    _refuse_if_archived(submission.checkpoint.cohort_id)
    if submission.status != SubmissionStatus.DRAFT:
        raise AssessmentError("This submission has been submitted and can no longer be changed.")
    entries = list(eligible_entries(submission=submission).filter(pk__in=entry_ids))
    if len(entries) != len(set(entry_ids)):
        raise AssessmentError("Some of the chosen entries can't be included; only your published entries can.")
    submission.summary = summary
    submission.save(update_fields=["summary"])
    submission.entries.set(entries)
    return submission


@transaction.atomic
def submission_submit(*, submission: Submission) -> Submission:
    """Submit once: chosen entries become shared and their text is snapshotted."""
    _refuse_if_archived(submission.checkpoint.cohort_id)
    _refuse_if_closed(submission.checkpoint_id)
    # Only entries that are still published and not in Trash are snapshotted.
    entries = list(eligible_entries(submission=submission).filter(submissions=submission).order_by("created_at"))
    if not entries:
        raise AssessmentError("Please choose at least one published entry before submitting.")
    if not submission.summary.strip():
        raise AssessmentError("Please write a summary reflection before submitting.")
    now = timezone.now()
    is_late = now > submission.checkpoint.due_at
    claimed = Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.DRAFT).update(
        status=SubmissionStatus.SUBMITTED, submitted_at=now, is_late=is_late
    )
    if not claimed:
        raise AssessmentError("This submission has already been submitted.")
    JournalEntry.objects.filter(pk__in=[e.pk for e in entries]).update(visibility=Visibility.SHARED)
    SubmittedEntry.objects.bulk_create(
        SubmittedEntry(
            submission=submission,
            entry=e,
            position=n,
            title=e.title,
            body=e.body,
            kind=e.kind,
            created_at=e.created_at,
        )
        for n, e in enumerate(entries)
    )
    submission.refresh_from_db()
    return submission


@transaction.atomic
def submission_withdraw(*, submission: Submission) -> Submission:
    """Withdraw is possible only until a tutor starts assessing, and not once the
    checkpoint is closed (a withdrawn submission could not be submitted again)."""
    _refuse_if_archived(submission.checkpoint.cohort_id)
    if Checkpoint.objects.filter(pk=submission.checkpoint_id, closed_at__isnull=False).exists():
        raise AssessmentError(
            "This checkpoint is closed, so your submission can't be withdrawn: it couldn't be submitted again."
        )
    # Lock the row assessment_start locks, so a withdrawal and a first marking can't cross.
    Submission.objects.select_for_update().filter(pk=submission.pk).first()
    if submission.assessments.exists():
        raise AssessmentError("Assessment has started, so this submission can no longer be withdrawn.")
    claimed = Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.SUBMITTED).update(
        status=SubmissionStatus.WITHDRAWN, withdrawn_at=timezone.now()
    )
    if not claimed:
        raise AssessmentError("Only a submitted submission can be withdrawn.")
    submission.snapshots.all().delete()
    submission.refresh_from_db()
    return submission


# --- Assessment ----------------------------------------------------------


@transaction.atomic
def assessment_start(*, submission: Submission, assessor: User) -> Assessment:
    """First marking by a tutor who reads the trainee, or blind second marking by
    the allocated second marker. Returns the tutor's existing marking if they have one."""
    submission = Submission.objects.select_for_update().select_related("checkpoint__cohort").get(pk=submission.pk)
    _refuse_if_archived(submission.checkpoint.cohort_id)
    existing = submission.assessments.filter(assessor=assessor).exclude(role=MarkingRole.AGREED).first()
    if existing is not None:
        return existing
    if submission.status != SubmissionStatus.SUBMITTED:
        raise AssessmentError("This submission isn't submitted (it may have been withdrawn), so it can't be assessed.")
    if policy.can_first_mark(assessor, submission):
        role = MarkingRole.FIRST
    elif policy.can_second_mark(assessor, submission):
        role = MarkingRole.SECOND
    else:
        raise AssessmentError(_why_not_marking(assessor, submission))
    rubric = submission.checkpoint.rubric
    rubric_lock(rubric=rubric)
    return Assessment.objects.create(submission=submission, assessor=assessor, rubric=rubric, role=role)


def _why_not_marking(user: User, submission: Submission) -> str:
    """The refusal in words. Strangers learn nothing about the markings (the pages 404 for them anyway)."""
    second_marker = policy.allocated_user_id(submission, AllocationRole.SECOND_MARKER) == user.pk
    if not (second_marker or policy.reads_trainee(user, submission)):
        return "Only the tutors who read this trainee can assess this submission."
    markings = {a.role: a for a in submission.assessments.all()}
    if any(a.is_released for a in markings.values()):
        return "Feedback has already been released for this submission, so it can't be marked again."
    if MarkingRole.FIRST not in markings and second_marker:
        return "You are the allocated second marker: second marking opens once the first marking has started."
    if MarkingRole.SECOND in markings:
        return "This submission already has a first and a second marking."
    return "This submission already has a first marking. Second marking is open only to the tutor allocated to it."


def _why_not_moderating(user: User, submission: Submission) -> str:
    agreed = submission.assessments.filter(role=MarkingRole.AGREED).first()
    if policy.allocated_user_id(submission, AllocationRole.MODERATOR) != user.pk:
        return "Moderation is open only to the tutor allocated to moderate this submission."
    if agreed is not None and agreed.assessor_id != user.pk:
        return "Another tutor has already started the agreed marking."
    if agreed is not None and agreed.is_released:
        return "The agreed marking has already been released."
    return "Moderation opens once both the first and the second marking are complete."


def _check_editable(assessment: Assessment) -> None:
    _refuse_if_archived(assessment.submission.checkpoint.cohort_id)
    if assessment.is_released:
        raise AssessmentError("This feedback has been released and can no longer be changed.")
    if assessment.submission.status != SubmissionStatus.SUBMITTED:
        raise AssessmentError("This submission has been withdrawn, so it can't be assessed.")


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    by: User,
    levels: dict[int, int],
    comments: dict[int, str],
    overall_feedback: str,
    outcome: str,
    complete: bool = False,
) -> Assessment:
    """Save the grid. `levels` maps criterion id → level id. Completing needs a
    level for every criterion and an outcome."""
    if assessment.assessor_id != by.pk:
        raise AssessmentError("Only the tutor who made this marking can change it.")
    _check_editable(assessment)
    criteria = {c.pk: c for c in assessment.rubric.criteria.all()}
    unknown = set(levels) - set(criteria)
    if unknown:
        raise AssessmentError("One of the marks is for a criterion that isn't in this rubric. Nothing was saved.")
    valid = dict(
        Level.objects.filter(pk__in=levels.values(), criterion_id__in=criteria).values_list("pk", "criterion_id")
    )
    for criterion_id, level_id in levels.items():
        if valid.get(level_id) != criterion_id:
            raise AssessmentError(
                f"The level chosen for “{criteria[criterion_id].title}” doesn't belong to that criterion. "
                "Nothing was saved."
            )
    if outcome and outcome not in Outcome.values:
        raise AssessmentError("Please choose Pass, Refer or Fail as the outcome.")
    missing = [c.title for pk, c in criteria.items() if pk not in levels]
    if complete:
        if missing:
            raise AssessmentError(
                f"Please choose a level for every criterion before completing (missing: {', '.join(missing)})."
            )
        if not outcome:
            raise AssessmentError("Please choose an outcome before completing.")
        if assessment.role == MarkingRole.AGREED:
            _refuse_unmerged(comments, overall_feedback, criteria)
    assessment.scores.exclude(criterion_id__in=levels).delete()
    for criterion_id, level_id in levels.items():
        Score.objects.update_or_create(
            assessment=assessment,
            criterion_id=criterion_id,
            defaults={"level_id": level_id, "comment": comments.get(criterion_id, "")},
        )
    assessment.overall_feedback = overall_feedback
    assessment.outcome = outcome
    if complete and assessment.completed_at is None:
        assessment.completed_at = timezone.now()
    elif missing or not outcome:
        # A completed marking saved again with gaps is a draft again, so it can't be released incomplete.
        assessment.completed_at = None
    assessment.save()
    return assessment


def _refuse_unmerged(comments: dict[int, str], overall_feedback: str, criteria: dict) -> None:
    """An agreed marking is what the trainee reads, so it completes only once the
    moderator has merged or chosen between the markers' labelled comments."""
    names = moderation.unmerged(comments, overall_feedback, {pk: c.title for pk, c in criteria.items()})
    if names:
        raise AssessmentError(
            f"Still in both markers' words: {', '.join(f'“{n}”' for n in names)}. Edit each into one text without "
            f"the {moderation.FIRST_LABEL} and {moderation.SECOND_LABEL} labels (or use one marker's) before "
            "completing: the trainee reads exactly what you agree."
        )


def total_points(assessment: Assessment) -> int:
    return sum(score.level.points for score in assessment.scores.select_related("level"))


def agreement(*, first: Assessment, second: Assessment) -> list[dict]:
    """Per criterion: both levels and whether the markers agree."""
    a = {s.criterion_id: s for s in first.scores.select_related("level")}
    b = {s.criterion_id: s for s in second.scores.select_related("level")}
    rows = []
    for criterion in first.rubric.criteria.all():
        sa, sb = a.get(criterion.pk), b.get(criterion.pk)
        rows.append(
            {
                "criterion": criterion,
                "first": sa,
                "second": sb,
                "agree": bool(sa and sb and sa.level_id == sb.level_id),
            }
        )
    return rows


@transaction.atomic
def moderation_start(*, submission: Submission, moderator: User) -> Assessment:
    """The agreed marking, started from both markings (moderation.starting_point)."""
    _refuse_if_archived(submission.checkpoint.cohort_id)
    # Serialise moderators of one submission so only one agreed marking is ever created.
    Submission.objects.select_for_update().filter(pk=submission.pk).first()
    if not policy.can_moderate(moderator, submission):
        raise AssessmentError(_why_not_moderating(moderator, submission))
    markings = {a.role: a for a in submission.assessments.all()}
    if MarkingRole.AGREED in markings:
        return markings[MarkingRole.AGREED]
    first, second = markings[MarkingRole.FIRST], markings[MarkingRole.SECOND]  # both complete: can_moderate
    start = moderation.starting_point(first, second, agreement(first=first, second=second))
    agreed = Assessment.objects.create(
        submission=submission,
        assessor=moderator,
        rubric=first.rubric,
        role=MarkingRole.AGREED,
        outcome=start.outcome,
        overall_feedback=start.overall_feedback,
    )
    # A comment is stored with its level, so only the criteria both markers agree on start filled.
    Score.objects.bulk_create(
        Score(assessment=agreed, criterion_id=pk, level_id=level_id, comment=start.comments.get(pk, ""))
        for pk, level_id in start.levels.items()
    )
    return agreed


@transaction.atomic
def assessment_release(*, assessment: Assessment, by: User) -> Assessment:
    """Make feedback visible to the trainee, once. With second marking, only the
    moderated (agreed) marking can be released."""
    if assessment.assessor_id != by.pk:
        raise AssessmentError("Only the tutor who made this marking can release it.")
    _check_editable(assessment)
    if not assessment.is_complete:
        raise AssessmentError("Please complete the marking (every criterion and an outcome) before releasing it.")
    if not policy.can_release(by, assessment):
        raise AssessmentError("This submission is second-marked: release the moderated, agreed marking instead.")
    claimed = Assessment.objects.filter(pk=assessment.pk, released_at__isnull=True).update(released_at=timezone.now())
    if not claimed:
        raise AssessmentError("This feedback has already been released.")
    assessment.refresh_from_db()
    submission = assessment.submission
    audit_record(
        actor=by,
        action=Action.FEEDBACK_RELEASED,
        cohort=submission.checkpoint.cohort,
        subject=submission.trainee,
        detail=f"for “{submission.checkpoint.title}”, attempt {submission.attempt}: {assessment.get_outcome_display()}",
    )
    notify(
        user=submission.trainee,
        kind=NotificationKind.FEEDBACK_RELEASED,
        actor=by,
        summary=f"Feedback on “{submission.checkpoint.title}” has been released.",  # the outcome stays on the page
        url=reverse("reflect:submission-feedback", kwargs={"pk": submission.pk}),
    )
    return assessment


def assessment_acknowledge(*, assessment: Assessment, trainee: User, reply: str) -> Assessment:
    if assessment.submission.trainee_id != trainee.pk or not assessment.is_released:
        raise AssessmentError("This feedback isn't available to you.")
    _refuse_if_archived(assessment.submission.checkpoint.cohort_id)
    Assessment.objects.filter(pk=assessment.pk, acknowledged_at__isnull=True).update(acknowledged_at=timezone.now())
    if reply.strip():
        Assessment.objects.filter(pk=assessment.pk).update(trainee_reply=reply.strip())
    assessment.refresh_from_db()
    return assessment


def next_attempt_number(*, checkpoint: Checkpoint, trainee: User) -> int:
    top = Submission.objects.filter(checkpoint=checkpoint, trainee=trainee).aggregate(m=Max("attempt"))["m"]
    return (top or 0) + 1
