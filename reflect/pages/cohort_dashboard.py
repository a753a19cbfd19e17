"""A cohort's page for its tutors and course admins, in a fixed number of queries
whatever its size: the journal's counts, what is new to read, and portfolio
submissions waiting for feedback."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reflect.access import roles_in, runs_cohort, staff_cohorts, trainees_of
from reflect.assessment.selectors import awaiting_assessment
from reflect.cohorts.models import Cohort, Role
from reflect.cohorts.weeks import first_counted_week, week_starts_back
from reflect.journal.models import JournalEntry
from reflect.journal.selectors import admin_figures, unread_shared, weekly_counts

PAGE_SIZE = 20
UNREAD_SHOWN = 10
WEEKS = 12


def week_starts(cohort: Cohort, today: datetime.date | None = None) -> list[datetime.date]:
    """The Mondays of the last WEEKS weeks in the cohort's time zone, oldest first."""
    today = today or timezone.localtime(timezone=cohort.tz).date()
    return week_starts_back(today, WEEKS)


@require_GET
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A tutor's cohort dashboard: weekly writing counts, what is new for them to
    read, and submissions waiting. A course admin sees counts and dates only."""
    cohort = get_object_or_404(staff_cohorts(request.user).select_related("programme"), pk=pk)
    my_roles = roles_in(request.user, cohort.pk)
    trainees = list(trainees_of(cohort).select_related("user").order_by("user__display_name"))
    trainee_ids = [m.user_id for m in trainees]
    weeks = week_starts(cohort)
    counts = weekly_counts(cohort, trainee_ids, weeks)
    for m in trainees:
        # None for the weeks before they joined: not counted, as in the engagement report.
        first = first_counted_week(cohort.start_date, m.joined_at, cohort.tz)
        m.weekly = [n if week >= first else None for week, n in zip(weeks, counts.get(m.user_id, []), strict=False)]
    context = {
        "cohort": cohort,
        "is_tutor": Role.TUTOR in my_roles,
        "is_admin": runs_cohort(request.user, cohort),
        "weeks": weeks,
        "trainees": trainees,
    }
    if context["is_tutor"]:
        context.update(_tutor_context(request, cohort, trainees))
    if context["is_admin"]:
        figures = admin_figures(cohort, trainee_ids)
        for m in trainees:
            m.figures = figures.get(m.user_id)
    return render(request, "reflect/cohort_detail.html", context)


def _tutor_context(request: HttpRequest, cohort: Cohort, trainees: list) -> dict:
    shared = JournalEntry.objects.visible_to(request.user).filter(cohort=cohort).exclude(author=request.user)
    per_author = {
        row["author_id"]: row for row in shared.values("author_id").annotate(n=Count("id"), last=Max("published_at"))
    }
    for m in trainees:
        m.shared = per_author.get(m.user_id)
    unread = unread_shared(cohort, request.user)
    unread_count = unread.count()
    first_unread = list(unread[:UNREAD_SHOWN])
    return {
        "unread": first_unread,
        "unread_count": unread_count,
        "unread_more": unread_count - len(first_unread),
        "awaiting": awaiting_assessment(cohort, request.user)[:20],
        "page": Paginator(shared.select_related("author").order_by("-published_at", "-id"), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
    }
