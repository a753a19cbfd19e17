"""Who holds which role where, and which tutor reads which trainee."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from reflect.cohorts.models import Cohort, Membership, Programme, Role


def roles_in(user: User, cohort_id: int) -> set[str]:
    """The roles this person holds in one cohort (empty for strangers)."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, cohort_id=cohort_id).values_list("role", flat=True))


def memberships_as(user: User, *roles: str) -> QuerySet[Membership]:
    """This person's memberships in any of `roles` (archived cohorts included)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, role__in=roles)


def cohorts_as(user: User, *roles: str) -> QuerySet[Cohort]:
    """Cohorts where this person holds any of `roles` (archived ones included)."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.filter(pk__in=memberships_as(user, *roles).values("cohort_id"))


def trainees_of(cohort) -> QuerySet[Membership]:
    """The trainee memberships of a cohort (a Cohort, an id or an OuterRef)."""
    return Membership.objects.filter(cohort=cohort, role=Role.TRAINEE)


def tutors_of(cohort) -> QuerySet[Membership]:
    """The tutor memberships of a cohort (a Cohort, an id or an OuterRef)."""
    return Membership.objects.filter(cohort=cohort, role=Role.TUTOR)


def programmes_administered_by(user: User) -> QuerySet[Programme]:
    """Programmes this person runs: named in `Programme.admins`, or a course admin
    of any of its cohorts. Either way they run every cohort of the programme."""
    if not user.is_authenticated:
        return Programme.objects.none()
    admin_of = Membership.objects.filter(user=user, role=Role.COURSE_ADMIN).values("cohort__programme_id")
    return Programme.objects.filter(Q(admins=user) | Q(pk__in=admin_of)).distinct()


def manages_programmes(user: User) -> bool:
    """Whether this person may use the course-admin pages (Manage): they run a
    programme, or they are a site operator, who creates the first programmes."""
    return user.is_authenticated and (user.is_staff or programmes_administered_by(user).exists())


def roles_anywhere(user: User, **also) -> dict:
    """In one query: whether this person is a trainee anywhere (archived cohorts too:
    their journal stays theirs to read), a tutor anywhere, runs a programme, and may
    use the course-admin pages (as `manages_programmes`). `also` adds annotations of
    the caller's to the same query (the menu's unread count), returned by name."""
    if not user.is_authenticated:
        return dict.fromkeys(("is_trainee", "is_tutor", "runs_programme", "manages"), False) | dict.fromkeys(also)
    flags = {
        "is_trainee": Exists(Membership.objects.filter(user=user, role=Role.TRAINEE)),
        "is_tutor": Exists(Membership.objects.filter(user=user, role=Role.TUTOR)),
        "runs_programme": Exists(programmes_administered_by(user)),
    }
    row = User.objects.filter(pk=user.pk).annotate(**flags, **also).values(*flags, *also).first() or {}
    roles = {name: bool(row.get(name)) for name in flags}
    roles["manages"] = user.is_staff or roles["runs_programme"]
    return roles | {name: row.get(name) for name in also}


def cohorts_administered_by(user: User) -> QuerySet[Cohort]:
    """Cohorts of the programmes this person runs (archived ones included)."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.filter(programme__in=programmes_administered_by(user))


def runs_cohort(user: User, cohort: Cohort) -> bool:
    return cohorts_administered_by(user).filter(pk=cohort.pk).exists()


def staff_cohorts(user: User) -> QuerySet[Cohort]:
    """Cohorts whose staff pages this person may open: those they tutor and those they run."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.filter(
        Q(pk__in=cohorts_as(user, Role.TUTOR)) | Q(pk__in=cohorts_administered_by(user))
    ).distinct()


def tutor_reads(user: User, *, trainee, cohort) -> Q:
    """An expression, true when `user` is a tutor who reads `trainee` in `cohort`
    (values or OuterRefs): the trainee is a trainee of that cohort, and either the
    user is one of their assigned tutors, or they have no assigned tutor and the
    user tutors the cohort."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    mine = tutors_of(cohort).filter(user=user)
    assigned_to_me = mine.filter(assigned_trainees=trainee)
    has_assigned_tutor = tutors_of(cohort).filter(assigned_trainees=trainee)
    is_trainee = trainees_of(cohort).filter(user=trainee)
    # Each Exists stays at the top level, so OuterRefs point at the caller's row.
    return Q(Exists(is_trainee) & (Exists(assigned_to_me) | (Exists(mine) & ~Exists(has_assigned_tutor))))


def trainee_ids_read_by(user: User, cohort: Cohort) -> QuerySet:
    """Ids of the trainees of `cohort` this tutor reads (a values queryset)."""
    return trainees_of(cohort).filter(tutor_reads(user, trainee=OuterRef("user"), cohort=cohort)).values("user_id")
