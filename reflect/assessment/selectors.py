"""Reads of portfolio work for staff pages and emails."""

from reflect.assessment.models import Submission, SubmissionQuerySet, SubmissionStatus
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
