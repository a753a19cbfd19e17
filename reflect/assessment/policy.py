"""Who may read and do what with portfolios: submissions, markings and
allocations. Built on the base rules in `reflect.access`; the querysets'
`visible_to` methods, the services and the views all ask here.

- A trainee reads their own submissions, and their markings once released.
- A submitted portfolio is read by the tutors who read the trainee (the
  assignment rule) and by its allocated second marker and moderator, who read
  that snapshot and nothing else of the trainee's journal.
- First marking is open to the tutors who read the trainee. Second marking and
  moderation are allocated: only the allocated tutor may do them.
- Markers are blind to each other until both markings are complete; the
  moderator reads both once complete. Tutors who read the trainee but are not
  marking see only released feedback.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from reflect.access import Reader, cohorts_as, roles_in, runs_cohort, staff_cohorts, tutor_reads
from reflect.assessment.models import (
    Allocation,
    AllocationRole,
    Assessment,
    Checkpoint,
    MarkingRole,
    Submission,
    SubmissionStatus,
)
from reflect.cohorts.models import Role

MARKERS = [MarkingRole.FIRST, MarkingRole.SECOND]


def allocated(user: User, role: str, *, submission="pk", checkpoint="checkpoint") -> Q:
    """True for submissions (rows whose fields `submission`/`checkpoint` are named)
    for which `user` holds the allocation `role`: the submission's own allocation,
    or else the checkpoint's."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    own = Allocation.objects.filter(submission=OuterRef(submission), role=role)
    whole = Allocation.objects.filter(checkpoint=OuterRef(checkpoint), role=role, user=user)
    return Q(Exists(own.filter(user=user)) | (Exists(whole) & ~Exists(own)))


def _reads_trainee(user: User, prefix: str = "") -> Q:
    return tutor_reads(user, trainee=OuterRef(f"{prefix}trainee"), cohort=OuterRef(f"{prefix}checkpoint__cohort"))


def submissions_visible_to(qs: QuerySet, user: User) -> QuerySet:
    if not user.is_authenticated:
        return qs.none()
    staff = (
        _reads_trainee(user) | allocated(user, AllocationRole.SECOND_MARKER) | allocated(user, AllocationRole.MODERATOR)
    )
    return qs.filter(Q(trainee=user) | (~Q(status=SubmissionStatus.DRAFT) & staff))


def submissions_overview_for(qs: QuerySet, user: User) -> QuerySet:
    """Status tables: statuses and outcomes, never text, for the cohorts this
    person tutors or runs."""
    return qs.filter(checkpoint__cohort__in=staff_cohorts(user))


def assessments_visible_to(qs: QuerySet, user: User) -> QuerySet:
    if not user.is_authenticated:
        return qs.none()
    own_complete = Assessment.objects.filter(
        submission=OuterRef("submission"), assessor=user, role__in=MARKERS, completed_at__isnull=False
    )
    complete = Q(completed_at__isnull=False)
    moderator = allocated(user, AllocationRole.MODERATOR, submission="submission", checkpoint="submission__checkpoint")
    # The moderator waits for both markings: a moderator who is also the second
    # marker must not read the first marking while their own is a draft.
    completed = Assessment.objects.filter(submission=OuterRef("submission"), completed_at__isnull=False)
    both_complete = Q(
        Exists(completed.filter(role=MarkingRole.FIRST)) & Exists(completed.filter(role=MarkingRole.SECOND))
    )
    return qs.filter(
        Q(assessor=user)
        | Q(submission__trainee=user, released_at__isnull=False)
        | (complete & Exists(own_complete))
        | (complete & moderator & both_complete)
        | (Q(released_at__isnull=False) & _reads_trainee(user, "submission__"))
    )


# --- predicates: what the services enforce and the pages offer ---------------


def allocated_user_id(submission: Submission, role: str) -> int | None:
    """The tutor allocated `role` for this submission, or None."""
    own = submission.allocations.filter(role=role).values_list("user_id", flat=True).first()
    if own is not None:
        return own
    return (
        Allocation.objects.filter(checkpoint_id=submission.checkpoint_id, role=role)
        .values_list("user_id", flat=True)
        .first()
    )


def reads_trainee(user: User, submission: Submission) -> bool:
    return Submission.objects.filter(pk=submission.pk).filter(_reads_trainee(user)).exists()


def _open(submission: Submission) -> bool:
    return submission.status == SubmissionStatus.SUBMITTED and not submission.checkpoint.cohort.is_read_only


def _markings(submission: Submission) -> dict[str, Assessment]:
    return {a.role: a for a in submission.assessments.all()}


def can_first_mark(user: User, submission: Submission) -> bool:
    markings = _markings(submission)
    return (
        _open(submission)
        and MarkingRole.FIRST not in markings
        and allocated_user_id(submission, AllocationRole.SECOND_MARKER) != user.pk
        and reads_trainee(user, submission)
    )


def can_second_mark(user: User, submission: Submission) -> bool:
    markings = _markings(submission)
    first = markings.get(MarkingRole.FIRST)
    return (
        _open(submission)
        and first is not None
        and first.assessor_id != user.pk
        and MarkingRole.SECOND not in markings
        and not any(a.released_at for a in markings.values())
        and allocated_user_id(submission, AllocationRole.SECOND_MARKER) == user.pk
    )


def can_moderate(user: User, submission: Submission) -> bool:
    markings = _markings(submission)
    first, second, agreed = (markings.get(r) for r in (MarkingRole.FIRST, MarkingRole.SECOND, MarkingRole.AGREED))
    return (
        _open(submission)
        and bool(first and second and first.is_complete and second.is_complete)
        and (agreed is None or (agreed.assessor_id == user.pk and not agreed.is_released))
        and allocated_user_id(submission, AllocationRole.MODERATOR) == user.pk
    )


def is_moderator(user: User, submission: Submission) -> bool:
    """The allocated moderator: the only tutor whose moderation page exists (404 for
    everyone else); it opens once both markings are complete (`can_moderate`)."""
    return user.is_authenticated and allocated_user_id(submission, AllocationRole.MODERATOR) == user.pk


def needs_second_marking(submission: Submission) -> bool:
    """Second-marked once a second marker is allocated or a second marking exists.
    One query: the marking grid asks on every load. (Any second-marker allocation
    of the submission or its checkpoint counts; which one wins doesn't matter here.)"""
    second = Assessment.objects.filter(submission=OuterRef("pk"), role=MarkingRole.SECOND)
    own = Allocation.objects.filter(submission=OuterRef("pk"), role=AllocationRole.SECOND_MARKER)
    whole = Allocation.objects.filter(checkpoint=OuterRef("checkpoint"), role=AllocationRole.SECOND_MARKER)
    return Submission.objects.filter(pk=submission.pk).filter(Exists(second) | Exists(own) | Exists(whole)).exists()


def can_release(user: User, assessment: Assessment) -> bool:
    """Only the marker releases, once complete; a second-marked submission
    releases its agreed (moderated) marking only."""
    submission = assessment.submission
    if assessment.assessor_id != user.pk or assessment.is_released or not assessment.is_complete:
        return False
    if not _open(submission):
        return False
    if assessment.role == MarkingRole.AGREED:
        return True
    return assessment.role == MarkingRole.FIRST and not needs_second_marking(submission)


def can_allocate(user: User, submission: Submission) -> bool:
    """The course admin, or the first marker, chooses a submission's second marker and moderator."""
    if runs_cohort(user, submission.checkpoint.cohort):
        return True
    return submission.assessments.filter(role=MarkingRole.FIRST, assessor=user).exists()


def can_submit(user: User, checkpoint: Checkpoint) -> bool:
    return Role.TRAINEE in roles_in(user, checkpoint.cohort_id)


def checkpoints_to_submit(user: User) -> QuerySet[Checkpoint]:
    """The checkpoints this person must submit to: those of the cohorts they are a
    trainee of (the rule of `can_submit`), archived ones included."""
    return Checkpoint.objects.filter(cohort__in=cohorts_as(user, Role.TRAINEE))


def checkpoints_tutored_by(user: User) -> QuerySet[Checkpoint]:
    """The checkpoints of the cohorts this person tutors, archived ones included."""
    return Checkpoint.objects.filter(cohort__in=cohorts_as(user, Role.TUTOR))


def can_manage_checkpoints(user: User, checkpoint: Checkpoint | None = None, *, cohort=None) -> bool:
    return runs_cohort(user, cohort or checkpoint.cohort)


def marker_readers_of(trainee: User) -> list[Reader]:
    """Allocated second markers and moderators who can read one of this
    trainee's portfolios (or will, once submitted), with the reason. Four queries."""
    submissions = {
        s.checkpoint_id: s
        for s in Submission.objects.filter(trainee=trainee).exclude(status=SubmissionStatus.DRAFT).order_by("attempt")
    }
    checkpoints = list(
        Checkpoint.objects.filter(Q(cohort__in=cohorts_as(trainee, Role.TRAINEE)) | Q(pk__in=list(submissions)))
        .distinct()
        .order_by("due_at")
    )
    allocations = list(
        Allocation.objects.filter(Q(checkpoint__in=checkpoints) | Q(submission__in=list(submissions.values())))
        .exclude(user=trainee)
        .select_related("user")
    )
    whole = {(a.checkpoint_id, a.role): a for a in allocations if a.checkpoint_id}
    own = {(a.submission_id, a.role): a for a in allocations if a.submission_id}
    readers = []
    for checkpoint in checkpoints:
        submission = submissions.get(checkpoint.pk)
        for role in AllocationRole.values:
            allocation = (submission and own.get((submission.pk, role))) or whole.get((checkpoint.pk, role))
            if allocation:
                reason = f"{AllocationRole(role).label.lower()} for your portfolio “{checkpoint.title}”"
                readers.append(Reader(allocation.user, reason, None))
    return readers
