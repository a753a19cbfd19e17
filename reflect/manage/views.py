"""The course admin's home, programmes and cohorts under /manage/.

Every object is fetched through `administered_by(request.user)`, so anything the
person does not run is simply not found (404). No page here shows entry titles or
text: only counts, dates and statuses."""

import datetime

from django.contrib import messages
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.access import manages_programmes, programmes_administered_by
from reflect.assessment.models import Checkpoint, SubmissionStatus
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.journal.models import JournalEntry, Status
from reflect.manage import services
from reflect.manage.access import get_cohort_for_admin, get_programme_for_admin
from reflect.manage.forms import CohortForm, ProgrammeForm

JOURNALED_WITHIN = datetime.timedelta(days=7)


# --- Figures ----------------------------------------------------------------


def cohort_figures(cohort_ids: list[int], now: datetime.datetime | None = None) -> dict[int, dict]:
    """Headline figures per cohort in three queries, whatever the cohorts' sizes.

    trainees, tutors; journaled_pct: share of trainees who published an entry in the
    cohort in the last 7 days; outstanding: for every checkpoint of the cohort, the
    trainees who have not submitted it yet, added up; overdue: the part of that for
    checkpoints whose deadline has passed."""
    now = now or timezone.now()
    keys = ("trainees", "tutors", "journaled", "journaled_pct", "outstanding", "overdue")
    figures = {pk: dict.fromkeys(keys, 0) for pk in cohort_ids}
    if not cohort_ids:
        return figures
    roles = (
        Membership.objects.filter(cohort_id__in=cohort_ids, role__in=[Role.TRAINEE, Role.TUTOR])
        .values("cohort_id", "role")
        .annotate(n=Count("user_id", distinct=True))
    )
    for row in roles:
        figures[row["cohort_id"]]["trainees" if row["role"] == Role.TRAINEE else "tutors"] = row["n"]

    is_trainee = Membership.objects.filter(user=OuterRef("author"), cohort=OuterRef("cohort"), role=Role.TRAINEE)
    journaled = (
        JournalEntry.objects.alive()
        .filter(cohort_id__in=cohort_ids, status=Status.PUBLISHED, published_at__gte=now - JOURNALED_WITHIN)
        .filter(Exists(is_trainee))
        .values("cohort_id")
        .annotate(n=Count("author_id", distinct=True))
    )
    for row in journaled:
        figures[row["cohort_id"]]["journaled"] = row["n"]

    # Per checkpoint: how many of the cohort's current trainees have a submitted submission.
    submitted_by_trainee = Q(
        submissions__status=SubmissionStatus.SUBMITTED,
        submissions__trainee__memberships__role=Role.TRAINEE,
        submissions__trainee__memberships__cohort=F("cohort"),
    )
    checkpoints = (
        Checkpoint.objects.filter(cohort_id__in=cohort_ids)
        .values("id", "cohort_id", "due_at")
        .annotate(n=Count("submissions__trainee", distinct=True, filter=submitted_by_trainee))
    )
    for row in checkpoints:
        fig = figures[row["cohort_id"]]
        missing = max(fig["trainees"] - row["n"], 0)
        fig["outstanding"] += missing
        if row["due_at"] <= now:
            fig["overdue"] += missing

    for fig in figures.values():
        fig["journaled_pct"] = round(100 * fig["journaled"] / fig["trainees"]) if fig["trainees"] else 0
    return figures


# --- Home -------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The programmes this person runs, each with its cohorts and headline figures."""
    programmes = list(programmes_administered_by(request.user).order_by("name"))
    cohorts = list(Cohort.objects.filter(programme__in=[p.pk for p in programmes]).order_by("-start_date", "name"))
    figures = cohort_figures([c.pk for c in cohorts])
    by_programme: dict[int, list[Cohort]] = {}
    for cohort in cohorts:
        cohort.figures = figures[cohort.pk]
        by_programme.setdefault(cohort.programme_id, []).append(cohort)
    for programme in programmes:
        mine = by_programme.get(programme.pk, [])
        programme.active_cohorts = [c for c in mine if not c.is_read_only]
        programme.archived_cohorts = [c for c in mine if c.is_read_only]
    context = {
        "programmes": programmes,
        "may_create": request.user.is_staff or bool(programmes),
    }
    return render(request, "reflect/manage/home.html", context)


# --- Programmes ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    if not manages_programmes(request.user):
        raise Http404
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = services.programme_create(by=request.user, data=form.cleaned_data)
        messages.success(request, f"Programme “{programme}” created. Add its first cohort.")
        return redirect("reflect:manage-cohort-create", pk=programme.pk)
    return render(request, "reflect/manage/programme_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_admin(request, pk)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        services.programme_update(programme=programme, data=form.cleaned_data)
        messages.success(request, "Programme saved.")
        return redirect("reflect:manage-home")
    programme.refresh_from_db()  # the heading shows the saved name, not a rejected one
    context = {"form": form, "programme": programme}
    return render(request, "reflect/manage/programme_form.html", context, status=400 if form.errors else 200)


# --- Cohorts ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def cohort_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_admin(request, pk)
    form = CohortForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        cohort = services.cohort_create(programme=programme, by=request.user, data=form.cleaned_data)
        messages.success(request, f"Cohort “{cohort.name}” created. You are its course admin; now add its members.")
        return redirect("reflect:manage-members", pk=cohort.pk)
    context = {"form": form, "programme": programme}
    return render(request, "reflect/manage/cohort_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    if cohort.is_read_only:
        messages.error(request, "This cohort is archived, so it cannot be edited. Unarchive it first.")
        return redirect("reflect:manage-home")
    form = CohortForm(request.POST or None, instance=cohort, programme=cohort.programme)
    if request.method == "POST" and form.is_valid():
        services.cohort_update(cohort=cohort, data=form.cleaned_data)
        messages.success(request, "Cohort saved.")
        return redirect("reflect:manage-home")
    cohort.refresh_from_db()
    context = {"form": form, "programme": cohort.programme, "cohort": cohort}
    return render(request, "reflect/manage/cohort_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def cohort_archive(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    if request.method == "POST":
        if services.cohort_archive(cohort=cohort, by=request.user):
            messages.success(request, f"“{cohort.name}” is archived. Everything in it is kept, read-only.")
        else:
            messages.info(request, f"“{cohort.name}” was already archived.")
        return redirect("reflect:manage-home")
    return render(request, "reflect/manage/cohort_confirm_archive.html", {"cohort": cohort})


@require_POST
def cohort_unarchive(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    services.cohort_unarchive(cohort=cohort, by=request.user)
    messages.success(request, f"“{cohort.name}” is active again: its members can write and it shows on dashboards.")
    return redirect("reflect:manage-home")
