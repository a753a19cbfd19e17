"""Choosing second markers and moderators. Allocating someone gives them read
access to a submission's snapshot, so the trainees concerned are told and the
change is in the audit log."""

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from reflect.access import trainees_of, tutors_of
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Allocation, AllocationRole, Checkpoint, MarkingRole, Submission
from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.cohorts.guards import refuse_if_read_only
from reflect.feedback.models import NotificationKind
from reflect.feedback.notify import notify


def allocation_candidates(checkpoint: Checkpoint):
    """Who may be allocated: the tutors of the checkpoint's cohort."""
    return User.objects.filter(pk__in=tutors_of(checkpoint.cohort_id).values("user_id")).order_by(
        "display_name", "email"
    )


def _check(*, checkpoint: Checkpoint, submission: Submission | None, role: str, user: User | None) -> None:
    if role not in AllocationRole.values:
        raise AssessmentError("Choose second marker or moderator.")
    refuse_if_read_only(checkpoint.cohort, error=AssessmentError)
    if user is None:
        return
    if not allocation_candidates(checkpoint).filter(pk=user.pk).exists():
        raise AssessmentError("Only a tutor of this cohort can be allocated.")
    if submission is not None and role == AllocationRole.SECOND_MARKER:
        if submission.assessments.filter(role=MarkingRole.FIRST, assessor=user).exists():
            raise AssessmentError("The first marker can't also second-mark the same submission.")
        if submission.assessments.filter(role=MarkingRole.SECOND).exists():
            raise AssessmentError("Second marking has already started, so the second marker can't be changed.")


@transaction.atomic
def allocation_set(
    *,
    role: str,
    user: User | None,
    by: User,
    checkpoint: Checkpoint | None = None,
    submission: Submission | None = None,
) -> Allocation | None:
    """Allocate `user` as `role` for one submission or a whole checkpoint (None
    removes the allocation). The trainees who gain a reader are notified."""
    if (checkpoint is None) == (submission is None):
        raise ValueError("Allocate for a checkpoint or for a submission.")
    checkpoint = checkpoint or submission.checkpoint
    _check(checkpoint=checkpoint, submission=submission, role=role, user=user)
    scope = {"submission": submission} if submission else {"checkpoint": checkpoint}
    current = Allocation.objects.filter(role=role, **scope).first()
    if (current.user_id if current else None) == (user.pk if user else None):
        return current
    if current:
        current.delete()
    allocation = Allocation.objects.create(role=role, user=user, allocated_by=by, **scope) if user else None
    label = AllocationRole(role).label.lower()
    audit_record(
        actor=by,
        action=Action.ALLOCATION_CHANGED,
        cohort=checkpoint.cohort,
        subject=user,
        detail=f"{label} for “{checkpoint.title}”"
        + (f", submission #{submission.pk}" if submission else ", whole checkpoint")
        + ("" if user else ": removed"),
    )
    if user is not None:
        _tell_trainees(user=user, by=by, label=label, checkpoint=checkpoint, submission=submission)
    return allocation


def _tell_trainees(*, user: User, by: User, label: str, checkpoint: Checkpoint, submission: Submission | None) -> None:
    if submission is not None:
        trainee_ids = [submission.trainee_id]
    else:
        trainee_ids = list(trainees_of(checkpoint.cohort_id).values_list("user_id", flat=True))
    url = reverse("reflect:dashboard") + "#readers"
    summary = f"{user} is now {label} for “{checkpoint.title}” and can read your submitted portfolio for it."
    for trainee in User.objects.filter(pk__in=trainee_ids).exclude(pk=user.pk):
        notify(user=trainee, kind=NotificationKind.READER_ADDED, actor=by, summary=summary, url=url)
