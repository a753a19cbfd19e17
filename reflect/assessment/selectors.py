"""Reads of portfolio work for staff pages and emails."""

from reflect.assessment.models import Assessment, Submission, SubmissionQuerySet, SubmissionStatus
from reflect.cohorts.models import Cohort


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
