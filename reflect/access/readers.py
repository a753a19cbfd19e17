"""Who reads a trainee, and why, for the trainee's own "who can read" panel."""

from dataclasses import dataclass

from accounts.models import User
from reflect.cohorts.models import Cohort, Membership, Role


@dataclass(frozen=True)
class Reader:
    user: User
    reason: str
    cohort: Cohort | None = None


def tutor_readers_of(trainee: User) -> list[Reader]:
    """The tutors who read this trainee's shared writing, in every cohort they
    are a trainee of, with the reason in plain words (the rule of `tutor_reads`)."""
    cohort_ids = Membership.objects.filter(user=trainee, role=Role.TRAINEE).values("cohort_id")
    tutors = list(
        Membership.objects.filter(role=Role.TUTOR, cohort_id__in=cohort_ids)
        .exclude(user=trainee)
        .select_related("user", "cohort")
        .prefetch_related("assigned_trainees")
        .order_by("cohort__name", "user__display_name", "user__email")
    )
    assigned = {m.pk for m in tutors if any(t.pk == trainee.pk for t in m.assigned_trainees.all())}
    cohorts_with_assigned = {m.cohort_id for m in tutors if m.pk in assigned}
    readers = []
    for m in tutors:
        if m.pk in assigned:
            readers.append(Reader(m.user, f"your assigned tutor in {m.cohort.name}", m.cohort))
        elif m.cohort_id not in cohorts_with_assigned:
            readers.append(Reader(m.user, f"a tutor of {m.cohort.name}", m.cohort))
    return readers
