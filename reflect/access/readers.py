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


ASSIGNED, COHORT_TUTOR = "assigned", "cohort"


def tutor_readers_in(cohort_id: int) -> dict[int, dict[int, str]]:
    """For every trainee of one cohort: the user ids of the tutors who read them
    there, each with why (ASSIGNED or COHORT_TUTOR). The rule of `tutor_reads`,
    in two queries whatever the cohort's size, so a change to hundreds of people
    (a roster import) can be compared before and after."""
    rows = Membership.objects.filter(cohort_id=cohort_id, role__in=[Role.TRAINEE, Role.TUTOR]).values_list(
        "role", "user_id"
    )
    trainee_ids, tutor_ids = set(), set()
    for role, user_id in rows:
        (trainee_ids if role == Role.TRAINEE else tutor_ids).add(user_id)
    assigned: dict[int, set[int]] = {}
    through = Membership.assigned_trainees.through.objects.filter(
        membership__cohort_id=cohort_id, membership__role=Role.TUTOR
    )
    for trainee_id, tutor_id in through.values_list("user_id", "membership__user_id"):
        assigned.setdefault(trainee_id, set()).add(tutor_id)
    readers = {}
    for trainee_id in trainee_ids:
        mine = assigned.get(trainee_id)
        why = ASSIGNED if mine else COHORT_TUTOR
        readers[trainee_id] = {tutor_id: why for tutor_id in (mine or tutor_ids) if tutor_id != trainee_id}
    return readers
