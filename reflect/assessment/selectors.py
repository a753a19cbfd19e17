"""Reads of portfolio work for pages and emails."""

from django.db.models import Exists, OuterRef

from reflect.assessment import policy
from reflect.assessment.models import Assessment, Checkpoint, Submission, SubmissionQuerySet, SubmissionStatus
from reflect.cohorts.models import Cohort, read_write_q


def awaiting_assessment(cohort: Cohort, tutor) -> SubmissionQuerySet:
    """Submitted submissions in this cohort with no released feedback yet."""
    return (
        Submission.objects.visible_to(tutor)
        .filter(checkpoint__cohort=cohort, status=SubmissionStatus.SUBMITTED)
        .without_release()
        .select_related("trainee", "checkpoint")
        .order_by("submitted_at")
        .distinct()
    )


def marking_progress(submissions) -> tuple[dict, dict]:
    """For status tables, in one query: submission id → [(marking role, complete)],
    and submission id → released outcome. Never any marking's text."""
    markings: dict[int, list] = {}
    outcomes: dict[int, str] = {}
    rows = Assessment.objects.filter(submission__in=list(submissions)).values(
        "submission_id", "role", "completed_at", "released_at", "outcome"
    )
    for row in rows.order_by("released_at", "id"):
        markings.setdefault(row["submission_id"], []).append((row["role"], row["completed_at"] is not None))
        if row["released_at"]:
            outcomes[row["submission_id"]] = row["outcome"]
    return markings, outcomes


def has_submitted(trainee) -> Exists:
    """For checkpoint rows: true where this trainee's latest attempt is submitted."""
    submitted = Submission.objects.filter(checkpoint=OuterRef("pk"), trainee=trainee, status=SubmissionStatus.SUBMITTED)
    return Exists(submitted.latest_attempts())


def deadlines_due(trainee, *, limit: int) -> list[Checkpoint]:
    """The checkpoints this trainee still has to submit to, soonest first (those
    past their deadline first: late work is taken until a checkpoint is closed).
    Not closed, not in an archived cohort, and their latest attempt not submitted
    (a draft, a withdrawn one, or a new attempt after a Refer still counts as due).
    One query."""
    due = (
        policy.checkpoints_to_submit(trainee)
        .filter(read_write_q("cohort"), closed_at__isnull=True)
        .exclude(has_submitted(trainee))
        .select_related("cohort")
        .order_by("due_at", "id")
    )
    return list(due[:limit])
