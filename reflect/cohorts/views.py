from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from reflect.cohorts.models import Cohort, Membership, Role
from reflect.journal.models import JournalEntry, Status

PAGE_SIZE = 20


@require_GET
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A tutor's view of their cohort: trainees and the entries shared with them.
    A course admin sees the same page with counts and dates only."""
    cohort = get_object_or_404(Cohort.objects.staffed_by(request.user).select_related("programme"), pk=pk)
    my_roles = set(Membership.objects.filter(user=request.user, cohort=cohort).values_list("role", flat=True))
    trainees = list(
        Membership.objects.filter(cohort=cohort, role=Role.TRAINEE)
        .select_related("user")
        .order_by("user__display_name")
    )
    context = {"cohort": cohort, "is_tutor": Role.TUTOR in my_roles, "is_admin": Role.COURSE_ADMIN in my_roles}
    if context["is_tutor"]:
        shared = JournalEntry.objects.visible_to(request.user).filter(cohort=cohort).exclude(author=request.user)
        per_author = {
            row["author_id"]: row
            for row in shared.values("author_id").annotate(n=Count("id"), last=Max("published_at"))
        }
        for m in trainees:
            m.shared = per_author.get(m.user_id)
        context["page"] = Paginator(
            shared.select_related("author").prefetch_related("tags").order_by("-published_at", "-id"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
    if context["is_admin"]:
        published = Q(entries__status=Status.PUBLISHED, entries__deleted_at__isnull=True, entries__cohort=cohort)
        figures = {
            row["pk"]: row
            for row in get_user_model()
            .objects.filter(pk__in=[m.user_id for m in trainees])
            .values("pk")
            .annotate(n=Count("entries", filter=published), last=Max("entries__created_at", filter=published))
        }
        for m in trainees:
            m.figures = figures.get(m.user_id)
    context["trainees"] = trainees
    return render(request, "reflect/cohort_detail.html", context)
