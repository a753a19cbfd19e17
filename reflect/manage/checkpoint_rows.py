"""Reads for the checkpoint pages under /manage/: counts, statuses and who is
allocated, never a title or text of anything a trainee wrote. Each function
runs a fixed number of queries whatever the cohort's size."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from accounts.models import User
from reflect.access import trainees_of
from reflect.assessment.models import Allocation, AllocationRole, Checkpoint, Submission, SubmissionStatus
from reflect.assessment.selectors import marking_progress
from reflect.assessment.view_helpers import _status
from reflect.cohorts.models import Cohort

PAGE_SIZE = 50


def _count_filters(cohort_id: int) -> tuple[Q, Q]:
    """Submitted and released, counted among the cohort's current trainees only, so
    the figures read as "n of the trainees" even after someone has left or moved."""
    current = Q(submissions__trainee__in=trainees_of(cohort_id).values("user_id"))
    submitted = current & Q(submissions__status=SubmissionStatus.SUBMITTED)
    return submitted, submitted & Q(submissions__assessments__released_at__isnull=False)


def _no_markers() -> dict[str, User | None]:
    return dict.fromkeys(AllocationRole.values)


def checkpoints_with_counts(cohort: Cohort) -> list[Checkpoint]:
    """The cohort's checkpoints, each with `n_submitted` and `n_released` (trainees
    with a submitted portfolio, and those of them with released feedback) and
    `markers` (role → the whole-checkpoint second marker and moderator)."""
    submitted, released = _count_filters(cohort.pk)
    checkpoints = list(
        Checkpoint.objects.filter(cohort=cohort)
        .select_related("rubric")
        .annotate(
            n_submitted=Count("submissions__trainee", filter=submitted, distinct=True),
            n_released=Count("submissions__trainee", filter=released, distinct=True),
        )
        .order_by("due_at", "id")
    )
    by_id = {checkpoint.pk: checkpoint for checkpoint in checkpoints}
    for checkpoint in checkpoints:
        checkpoint.markers = _no_markers()
    for allocation in Allocation.objects.filter(checkpoint__in=checkpoints).select_related("user"):
        by_id[allocation.checkpoint_id].markers[allocation.role] = allocation.user
    return checkpoints


def checkpoint_counts(checkpoint: Checkpoint) -> dict[str, int]:
    """Trainees with a submitted portfolio, and those with released feedback, in one query."""
    submitted, released = _count_filters(checkpoint.cohort_id)
    return Checkpoint.objects.filter(pk=checkpoint.pk).aggregate(
        submitted=Count("submissions__trainee", filter=submitted, distinct=True),
        released=Count("submissions__trainee", filter=released, distinct=True),
    )


def _latest_submissions(user: User, checkpoint: Checkpoint, trainee_ids: list[int]) -> dict[int, Submission]:
    """trainee id → their latest attempt, reached through the policy's status-table queryset."""
    rows = (
        Submission.objects.overview_for(user)
        .filter(checkpoint=checkpoint, trainee_id__in=trainee_ids)
        .only("id", "trainee_id", "checkpoint_id", "attempt", "status", "submitted_at", "is_late")
        .order_by("trainee_id", "-attempt")
    )
    latest: dict[int, Submission] = {}
    for submission in rows:
        latest.setdefault(submission.trainee_id, submission)
    return latest


def _own_markers(submissions: list[Submission]) -> dict[int, dict[str, User | None]]:
    """submission id → role → the submission's own allocation (overriding the checkpoint's)."""
    found: dict[int, dict[str, User | None]] = {s.pk: _no_markers() for s in submissions}
    for allocation in Allocation.objects.filter(submission__in=submissions).select_related("user"):
        found[allocation.submission_id][allocation.role] = allocation.user
    return found


def submission_rows(*, user: User, checkpoint: Checkpoint, page_number) -> Page:
    """One page of the cohort's trainees, each row a dict: trainee, submission
    (their latest attempt or None), status (label and tone), own (role → the
    submission's own marker), submitted (whether markers can be allocated)."""
    trainees = trainees_of(checkpoint.cohort_id).select_related("user").order_by("user__display_name", "user__email")
    page = Paginator(trainees, PAGE_SIZE).get_page(page_number)
    memberships = list(page.object_list)
    latest = _latest_submissions(user, checkpoint, [m.user_id for m in memberships])
    submissions = list(latest.values())
    markings, outcomes = marking_progress(submissions)
    own = _own_markers(submissions)
    rows = []
    for membership in memberships:
        submission = latest.get(membership.user_id)
        pk = submission.pk if submission else None
        rows.append(
            {
                "trainee": membership.user,
                "submission": submission,
                "status": _status(submission, outcomes.get(pk), markings.get(pk, [])),
                "own": own.get(pk, _no_markers()),
                "submitted": submission is not None and submission.status == SubmissionStatus.SUBMITTED,
            }
        )
    page.object_list = rows
    return page
