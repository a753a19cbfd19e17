"""The tutor's side: a submission, the marking grid and release (moderation: moderation_views).

Every object is fetched through a `visible_to` queryset, so what a person may not
see answers 404; refused actions (AssessmentError) are shown, never half-applied."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from reflect.assessment import policy, services
from reflect.assessment.allocation import allocation_candidates, allocation_set
from reflect.assessment.errors import AssessmentError
from reflect.assessment.forms import AllocationForm, GridForm
from reflect.assessment.models import (
    AllocationRole,
    Assessment,
    MarkingRole,
    Submission,
    SubmissionStatus,
)
from reflect.assessment.view_helpers import (
    _after_grid_save,
    _criteria,
    _history,
    _posted_grid,
    _save_grid,
    _saved_grid,
    _tutor_submission,
)
from reflect.journal.models import AccessEvent


@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The submitted snapshot, the assessments this person may see, and what they can do next."""
    submission = get_object_or_404(
        Submission.objects.visible_to(request.user).select_related(
            "checkpoint__cohort", "checkpoint__rubric", "trainee"
        ),
        pk=pk,
    )
    is_owner = submission.trainee_id == request.user.pk
    if is_owner and submission.status == SubmissionStatus.DRAFT:
        return redirect("reflect:checkpoint-detail", pk=submission.checkpoint_id)
    is_tutor = not is_owner  # visible_to let them in: a tutor who reads the trainee or an allocated marker
    snapshots = list(submission.snapshots.all())
    if is_tutor:
        # Reading the submitted text is a read of the entries, shown to the trainee like any other.
        AccessEvent.objects.bulk_create(
            AccessEvent(entry_id=s.entry_id, user=request.user) for s in snapshots if s.entry_id
        )
    visible = list(Assessment.objects.visible_to(request.user).filter(submission=submission).select_related("assessor"))
    context = {
        "submission": submission,
        "is_owner": is_owner,
        "is_tutor": is_tutor,
        "snapshots": snapshots,
        "assessments": visible,
        "released": next((a for a in visible if a.is_released), None),
        "history": _history(request.user, submission),
    }
    if is_tutor:
        context.update(_tutor_actions(request, submission))
    return render(request, "reflect/assessment/submission_detail.html", context)


def _tutor_actions(request: HttpRequest, submission: Submission) -> dict:
    """What this tutor may do next: exactly what the services would allow (reflect.assessment.policy)."""
    user = request.user
    markings = list(submission.assessments.values("pk", "role", "assessor_id", "completed_at", "released_at"))
    mine = next((m for m in markings if m["assessor_id"] == user.pk and m["role"] != MarkingRole.AGREED), None)
    context = {
        "my_marking": mine,
        "can_assess": policy.can_first_mark(user, submission),
        "can_second_mark": policy.can_second_mark(user, submission),
        "can_moderate": policy.can_moderate(user, submission),
        "can_allocate": policy.can_allocate(user, submission),
        "second_marker_id": policy.allocated_user_id(submission, AllocationRole.SECOND_MARKER),
        "moderator_id": policy.allocated_user_id(submission, AllocationRole.MODERATOR),
        "in_progress": [m for m in markings if not m["completed_at"] and m["assessor_id"] != user.pk],
    }
    allocated = {"second_marker": context["second_marker_id"], "moderator": context["moderator_id"]}
    people = User.objects.in_bulk([pk for pk in allocated.values() if pk])
    # Every marker sees who else is marking; only the first marker changes it here.
    context["allocated"] = {role: people.get(pk) for role, pk in allocated.items()}
    if context["can_allocate"]:
        first = next((m["assessor_id"] for m in markings if m["role"] == MarkingRole.FIRST), None)
        context["allocation_form"] = _allocation_form(submission, first, initial=allocated)
    return context


def _allocation_form(submission: Submission, first_marker_id: int | None, data=None, initial=None) -> AllocationForm:
    candidates = allocation_candidates(submission.checkpoint)
    return AllocationForm(data, initial=initial, candidates=candidates, first_marker_id=first_marker_id)


@require_POST
def submission_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """The first marker chooses this submission's second marker and moderator. Both
    changes apply together or not at all; the trainee is told (allocation_set)."""
    submission = _tutor_submission(request, pk)
    if not policy.can_allocate(request.user, submission):
        raise Http404
    first = submission.assessments.filter(role=MarkingRole.FIRST).values_list("assessor_id", flat=True).first()
    form = _allocation_form(submission, first, data=request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("reflect:submission-detail", pk=submission.pk)
    chosen = {
        AllocationRole.MODERATOR: form.cleaned_data["moderator"],
        AllocationRole.SECOND_MARKER: form.cleaned_data["second_marker"],
    }
    try:
        with transaction.atomic():
            changed = [_allocate(request.user, submission, role, user) for role, user in chosen.items()]
    except AssessmentError as error:
        messages.error(request, f"{error} Nothing was changed.")
    else:
        if any(changed):
            messages.success(request, "Allocation saved. The trainee has been told who can read this submission.")
        else:
            messages.info(request, "Nothing changed.")
    return redirect("reflect:submission-detail", pk=submission.pk)


def _allocate(by, submission: Submission, role: str, user) -> bool:
    """Allocate `role` for this one submission (overriding its checkpoint's), if it changes."""
    if (user.pk if user else None) == policy.allocated_user_id(submission, role):
        return False
    if user is None and not submission.allocations.filter(role=role).exists():
        # Nothing of the submission's own to remove: the checkpoint allocates for every submission.
        label = AllocationRole(role).label.lower()
        raise AssessmentError(f"The {label} is allocated for the whole checkpoint and can only be changed there.")
    allocation_set(role=role, user=user, by=by, submission=submission)
    return True


@require_POST
def submission_assess(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or return to) this tutor's first or blind second marking."""
    submission = _tutor_submission(request, pk)
    try:
        assessment = services.assessment_start(submission=submission, assessor=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
        return redirect("reflect:submission-detail", pk=submission.pk)
    return redirect("reflect:assessment-edit", pk=assessment.pk)


@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The marking grid: editable by its tutor until released, read-only for anyone else who may see it."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related(
            "submission__checkpoint__cohort", "submission__trainee", "rubric", "assessor"
        ),
        pk=pk,
    )
    submission = assessment.submission
    is_mine = assessment.assessor_id == request.user.pk
    if request.method == "POST" and not is_mine:
        raise Http404
    if submission.trainee_id == request.user.pk:
        return redirect("reflect:submission-feedback", pk=submission.pk)
    criteria = _criteria(assessment.rubric_id)
    initial = {"overall_feedback": assessment.overall_feedback, "outcome": assessment.outcome}
    form, grid, status = GridForm(criteria=criteria, initial=initial), _saved_grid(assessment, criteria), 200
    if request.method == "POST":
        form = GridForm(request.POST, criteria=criteria)
        saved = _save_grid(request, form, lambda: assessment)
        if saved is not None:
            return _after_grid_save(request, saved, request.path)
        grid, status = _posted_grid(request.POST, criteria), 400
    context = {
        "assessment": assessment,
        "submission": submission,
        "form": form,
        "editable": is_mine and not assessment.is_released and submission.status == SubmissionStatus.SUBMITTED,
        "releasable": is_mine
        and not assessment.is_released
        and (assessment.role == MarkingRole.AGREED or not policy.needs_second_marking(submission)),
        **grid,
    }
    return render(request, "reflect/assessment/assessment_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def assessment_release(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user)
        .filter(assessor=request.user)
        .select_related("submission__checkpoint", "submission__trainee"),
        pk=pk,
    )
    if request.method == "GET":
        return render(request, "reflect/assessment/release_confirm.html", {"assessment": assessment})
    try:
        services.assessment_release(assessment=assessment, by=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
        return redirect("reflect:assessment-edit", pk=assessment.pk)
    messages.success(request, f"Feedback released to {assessment.submission.trainee}. They have been notified.")
    return redirect("reflect:submission-detail", pk=assessment.submission_id)
