"""A cohort's checkpoints under /manage/cohorts/<id>/checkpoints/: list, create,
edit, close and reopen, and allocate second markers and moderators per
submission. The cohort comes through get_cohort_for_admin, so anyone who does
not run its programme gets a 404; pages show statuses and counts, never text."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.access import trainees_of
from reflect.assessment import checkpoints as services
from reflect.assessment.allocation import allocation_candidates, allocation_set
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import AllocationRole, Checkpoint, Rubric, Submission, SubmissionStatus
from reflect.cohorts.models import Cohort
from reflect.manage import checkpoint_rows
from reflect.manage.access import get_cohort_for_admin
from reflect.manage.checkpoint_forms import CheckpointForm, SubmissionAllocationForm

ROLE_FIELDS = ((AllocationRole.SECOND_MARKER, "second_marker"), (AllocationRole.MODERATOR, "moderator"))
READ_ONLY = "This cohort is archived, so its checkpoints can't be created or changed. Unarchive it to make changes."


def _get_checkpoint(request: HttpRequest, pk: int, checkpoint_pk: int) -> Checkpoint:
    """The checkpoint, if it belongs to a cohort this person runs; 404 otherwise."""
    cohort = get_cohort_for_admin(request, pk)
    checkpoint = get_object_or_404(Checkpoint.objects.select_related("rubric"), pk=checkpoint_pk, cohort=cohort)
    checkpoint.cohort = cohort
    return checkpoint


def _list_url(cohort: Cohort) -> str:
    return reverse("reflect:manage-checkpoints", kwargs={"pk": cohort.pk})


def _detail_url(checkpoint: Checkpoint, page: str = "") -> str:
    url = reverse("reflect:manage-checkpoint", kwargs={"pk": checkpoint.cohort_id, "checkpoint_pk": checkpoint.pk})
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url


# --- List, create, edit ---------------------------------------------------------------------


@require_GET
def checkpoint_list(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    context = {
        "cohort": cohort,
        "checkpoints": checkpoint_rows.checkpoints_with_counts(cohort),
        "trainees": trainees_of(cohort).count(),
    }
    return render(request, "reflect/manage/checkpoint_list.html", context)


def _form_page(request: HttpRequest, form: CheckpointForm, checkpoint: Checkpoint | None = None) -> HttpResponse:
    cohort = form.cohort
    context = {
        "cohort": cohort,
        "checkpoint": checkpoint,
        "form": form,
        "has_rubrics": Rubric.objects.filter(programme_id=cohort.programme_id).exists(),
        "has_tutors": form.fields["second_marker"].queryset.exists(),
    }
    return render(request, "reflect/manage/checkpoint_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def checkpoint_create(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    if cohort.is_read_only:
        messages.error(request, READ_ONLY)
        return redirect(_list_url(cohort))
    form = CheckpointForm(request.POST if request.method == "POST" else None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            checkpoint = services.checkpoint_create(cohort=cohort, by=request.user, **form.service_kwargs())
        except AssessmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Checkpoint “{checkpoint.title}” created. Trainees can now see it.")
            return redirect(_list_url(cohort))
    return _form_page(request, form)


@require_http_methods(["GET", "POST"])
def checkpoint_edit(request: HttpRequest, pk: int, checkpoint_pk: int) -> HttpResponse:
    checkpoint = _get_checkpoint(request, pk, checkpoint_pk)
    if checkpoint.cohort.is_read_only:
        messages.error(request, READ_ONLY)
        return redirect(_list_url(checkpoint.cohort))
    form = CheckpointForm(
        request.POST if request.method == "POST" else None, cohort=checkpoint.cohort, checkpoint=checkpoint
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.checkpoint_update(checkpoint=checkpoint, by=request.user, **form.service_kwargs())
        except AssessmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Checkpoint “{form.cleaned_data['title']}” saved.")
            return redirect(_list_url(checkpoint.cohort))
    return _form_page(request, form, checkpoint)


# --- Close and reopen -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkpoint_close(request: HttpRequest, pk: int, checkpoint_pk: int) -> HttpResponse:
    """GET asks for confirmation; POST closes."""
    checkpoint = _get_checkpoint(request, pk, checkpoint_pk)
    if request.method == "GET":
        context = {
            "cohort": checkpoint.cohort,
            "checkpoint": checkpoint,
            "counts": checkpoint_rows.checkpoint_counts(checkpoint),
            "trainees": trainees_of(checkpoint.cohort).count(),
        }
        return render(request, "reflect/manage/checkpoint_confirm_close.html", context)
    try:
        closed = services.checkpoint_close(checkpoint=checkpoint, by=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        if closed:
            messages.success(request, f"“{checkpoint.title}” is closed: it takes no new submissions.")
        else:
            messages.info(request, f"“{checkpoint.title}” was already closed.")
    return redirect(_list_url(checkpoint.cohort))


@require_POST
def checkpoint_reopen(request: HttpRequest, pk: int, checkpoint_pk: int) -> HttpResponse:
    checkpoint = _get_checkpoint(request, pk, checkpoint_pk)
    try:
        reopened = services.checkpoint_reopen(checkpoint=checkpoint, by=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        if reopened:
            messages.success(request, f"“{checkpoint.title}” is open again: trainees can submit to it.")
        else:
            messages.info(request, f"“{checkpoint.title}” was already open.")
    return redirect(_list_url(checkpoint.cohort))


# --- One checkpoint: trainees and per-submission allocation -------------------------------------


def _detail_page(request: HttpRequest, checkpoint: Checkpoint, *, page_number, failed=None) -> HttpResponse:
    """The checkpoint's page. `failed` is (submission id, bound form) after a refused
    allocation, so that row shows its error and what was chosen."""
    page = checkpoint_rows.submission_rows(user=request.user, checkpoint=checkpoint, page_number=page_number)
    editable = not checkpoint.cohort.is_read_only
    markers = services.checkpoint_allocations(checkpoint)
    candidates = list(allocation_candidates(checkpoint)) if editable else []
    for row in page.object_list:
        if not (row["submitted"] and editable):
            continue
        submission = row["submission"]
        if failed and failed[0] == submission.pk:
            row["form"] = failed[1]
            continue
        own = row["own"]
        initial = {
            "second_marker": _pk(own[AllocationRole.SECOND_MARKER]),
            "moderator": _pk(own[AllocationRole.MODERATOR]),
        }
        row["form"] = SubmissionAllocationForm(
            prefix=f"s{submission.pk}", initial=initial, candidates=candidates, defaults=markers
        )
    context = {
        "cohort": checkpoint.cohort,
        "checkpoint": checkpoint,
        "page": page,
        "counts": checkpoint_rows.checkpoint_counts(checkpoint),
        "markers": markers,
        "editable": editable,
        "has_tutors": bool(candidates),
        "detail_url": _detail_url(checkpoint),
    }
    return render(request, "reflect/manage/checkpoint_detail.html", context, status=400 if failed else 200)


def _pk(user) -> int | None:
    return user.pk if user is not None else None


@require_GET
def checkpoint_detail(request: HttpRequest, pk: int, checkpoint_pk: int) -> HttpResponse:
    checkpoint = _get_checkpoint(request, pk, checkpoint_pk)
    return _detail_page(request, checkpoint, page_number=request.GET.get("page"))


@require_POST
def submission_allocate(request: HttpRequest, pk: int, checkpoint_pk: int, submission_pk: int) -> HttpResponse:
    """Save one submission's own second marker and moderator (empty follows the checkpoint's)."""
    checkpoint = _get_checkpoint(request, pk, checkpoint_pk)
    submission = get_object_or_404(
        Submission.objects.filter(checkpoint=checkpoint, status=SubmissionStatus.SUBMITTED), pk=submission_pk
    )
    submission.checkpoint = checkpoint
    page_number = request.POST.get("page", "")
    if checkpoint.cohort.is_read_only:
        messages.error(request, READ_ONLY)
        return redirect(_detail_url(checkpoint, page_number))
    form = SubmissionAllocationForm(
        request.POST,
        prefix=f"s{submission.pk}",
        candidates=list(allocation_candidates(checkpoint)),
        defaults=services.checkpoint_allocations(checkpoint),
    )
    if form.is_valid():
        try:
            with transaction.atomic():
                for role, name in ROLE_FIELDS:
                    allocation_set(role=role, user=form.cleaned_data[name], by=request.user, submission=submission)
        except AssessmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Markers saved for {submission.trainee}'s submission.")
            return redirect(f"{_detail_url(checkpoint, page_number)}#row-{submission.pk}")
    return _detail_page(request, checkpoint, page_number=page_number, failed=(submission.pk, form))
