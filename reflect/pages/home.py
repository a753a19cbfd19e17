"""The home page: what each person sees first, by the roles they hold."""

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reflect.access import staff_cohorts, tutor_readers_of
from reflect.assessment.policy import marker_readers_of
from reflect.assessment.selectors import deadlines_due
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.journal.models import JournalEntry, Status, Visibility
from reflect.journal.stats import weekly_streak
from reflect.prompts.services import prompt_for_week

RECENT = 5
DEADLINES = 5  # the rest are one click away, on the portfolio page


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles: dict[str, list[Cohort]] = {}
    for membership in Membership.objects.filter(user=user).select_related("cohort__programme"):
        roles.setdefault(membership.role, []).append(membership.cohort)
    context = {"roles": roles, "is_trainee": Role.TRAINEE in roles}
    if Role.TRAINEE in roles:
        context.update(_trainee_context(user))
    context["staff_cohorts"] = _staff_cohorts(user, roles)
    return render(request, "reflect/dashboard.html", context)


def _trainee_context(user) -> dict:
    recent = JournalEntry.objects.visible_to(user).filter(author=user).select_related("cohort")[:RECENT]
    return {
        "prompt": prompt_for_week(timezone.localdate()),
        "streak": weekly_streak(author=user),
        "recent": recent,
        "deadlines": deadlines_due(user, limit=DEADLINES),
        "readers": readers_of(user),
    }


def readers_of(trainee) -> list:
    """Everyone who can read this trainee's shared writing, and why: tutors by
    the assignment rule, and allocated markers of their portfolios."""
    return tutor_readers_of(trainee) + marker_readers_of(trainee)


def _staff_cohorts(user, roles: dict) -> list[Cohort]:
    cohorts = (
        staff_cohorts(user)
        .active()
        .select_related("programme")
        .annotate(
            trainee_count=Count("memberships", filter=Q(memberships__role=Role.TRAINEE), distinct=True),
        )
    )
    shared = dict(
        JournalEntry.objects.visible_to(user)
        .exclude(author=user)
        .filter(cohort__in=staff_cohorts(user))
        .filter(status=Status.PUBLISHED, visibility=Visibility.SHARED)
        .values("cohort_id")
        .annotate(n=Count("id"))
        .values_list("cohort_id", "n")
    )
    tutor_ids = {c.pk for c in roles.get(Role.TUTOR, [])}
    result = []
    for cohort in cohorts:
        cohort.is_tutor = cohort.pk in tutor_ids
        cohort.shared_count = shared.get(cohort.pk, 0)
        result.append(cohort)
    return result
