"""Checkpoints, submissions and released feedback: the trainee's side, and status tables.

Every object is fetched through a `visible_to` queryset, so what a person may not
see answers 404. Writes go through reflect.assessment.services; a refused action
(AssessmentError) is shown as a message, or as a 400 with the form kept."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.access import cohorts_administered_by, cohorts_as, roles_in, trainees_of
from reflect.assessment import policy, services
from reflect.assessment.errors import AssessmentError
from reflect.assessment.forms import AcknowledgeForm, SubmissionForm
from reflect.assessment.models import (
    Assessment,
    Checkpoint,
    Outcome,
    Submission,
    SubmissionStatus,
)
from reflect.assessment.selectors import marking_progress
from reflect.assessment.view_helpers import (
    _criteria,
    _history,
    _released_outcomes,
    _saved_grid,
    _status,
)
from reflect.cohorts.models import Role
from reflect.drafts import services as drafts
from reflect.feedback.services import notifications_read_on_open
from reflect.journal import checks
from reflect.journal import services as journal_services


def _own_submissions(request: HttpRequest, checkpoint: Checkpoint):
    return Submission.objects.visible_to(request.user).filter(checkpoint=checkpoint, trainee=request.user)


def _workspace(request: HttpRequest, checkpoint: Checkpoint) -> HttpResponse:
    """The trainee's submission: prepare, submit, withdraw, see feedback status and earlier attempts."""
    submissions = list(_own_submissions(request, checkpoint).order_by("-attempt"))
    current = submissions[0] if submissions else None
    eligible = services.eligible_entries(submission=current or Submission(checkpoint=checkpoint, trainee=request.user))
    eligible = eligible.order_by("-created_at")
    status = 200
    if request.method == "POST":
        form = SubmissionForm(request.POST, eligible=eligible)
        if form.is_valid():
            try:
                with transaction.atomic():
                    current = services.submission_start(checkpoint=checkpoint, trainee=request.user)
                    services.submission_update(
                        submission=current,
                        entry_ids=[e.pk for e in form.cleaned_data["entries"]],
                        summary=form.cleaned_data["summary"],
                    )
            except AssessmentError as error:
                form.add_error(None, str(error))
            else:
                drafts.sent(request)
                if request.POST.get("action") == "review":
                    return redirect("reflect:checkpoint-submit", pk=checkpoint.pk)
                messages.success(request, "Saved. Nothing is shared with your tutors until you submit.")
                return redirect("reflect:checkpoint-detail", pk=checkpoint.pk)
        status = 400
    else:
        initial = {}
        if current and current.status != SubmissionStatus.SUBMITTED:
            initial = {"entries": list(current.entries.values_list("pk", flat=True)), "summary": current.summary}
        form = SubmissionForm(initial=initial, eligible=eligible)
    outcomes = _released_outcomes(request.user, submissions)
    context = {
        "checkpoint": checkpoint,
        "current": current,
        "form": form,
        "status": _status(current, outcomes.get(current.pk) if current else None),
        "outcome": outcomes.get(current.pk) if current else None,
        "history": [
            {"submission": s, "status": _status(s, outcomes.get(s.pk)), "outcome": outcomes.get(s.pk)}
            for s in submissions[1:]
        ],
    }
    if current and current.status == SubmissionStatus.SUBMITTED:
        context["snapshots"] = current.snapshots.all()
        context["can_withdraw"] = not current.assessments.exists()
        context["can_resubmit"] = context["outcome"] == Outcome.REFER
    return render(request, "reflect/assessment/workspace.html", context, status=status)


def _status_table(request: HttpRequest, checkpoint: Checkpoint) -> HttpResponse:
    """Trainees × status for staff; statuses and released outcomes only, never text.
    A row links to the submission only where this person may open it."""
    openable = set(
        Submission.objects.visible_to(request.user).filter(checkpoint=checkpoint).values_list("pk", flat=True)
    )
    is_tutor = Role.TUTOR in roles_in(request.user, checkpoint.cohort_id)
    trainees = list(trainees_of(checkpoint.cohort).select_related("user").order_by("user__display_name", "user__email"))
    submissions = Submission.objects.overview_for(request.user).filter(checkpoint=checkpoint).latest_attempts()
    latest = {
        s.trainee_id: s
        for s in submissions.only("id", "trainee_id", "checkpoint_id", "attempt", "status", "submitted_at", "is_late")
    }
    markings, outcomes = marking_progress(latest.values())
    rows = []
    for membership in trainees:
        submission = latest.get(membership.user_id)
        pk = submission.pk if submission else None
        rows.append(
            {
                "trainee": membership.user,
                "submission": submission,
                "status": _status(submission, outcomes.get(pk), markings.get(pk, [])),
                "linked": submission is not None and submission.pk in openable,
            }
        )
    context = {"checkpoint": checkpoint, "rows": rows, "is_tutor": is_tutor}
    return render(request, "reflect/assessment/checkpoint_status.html", context)


@require_GET
def checkpoint_list(request: HttpRequest) -> HttpResponse:
    """Trainees: their checkpoints and status. Tutors: counts to act on. Course admins: statuses and outcomes."""
    by_role = {role: set(cohorts_as(request.user, role).values_list("pk", flat=True)) for role in Role.values}
    by_role[Role.COURSE_ADMIN] |= set(cohorts_administered_by(request.user).values_list("pk", flat=True))
    released = Q(submissions__status=SubmissionStatus.SUBMITTED, submissions__assessments__released_at__isnull=False)
    checkpoints = list(
        Checkpoint.objects.visible_to(request.user)
        .select_related("cohort", "rubric")
        .annotate(
            n_submitted=Count("submissions", filter=Q(submissions__status=SubmissionStatus.SUBMITTED), distinct=True),
            n_released=Count("submissions", filter=released, distinct=True),
            **{
                f"n_{o}": Count("submissions", filter=released & Q(submissions__assessments__outcome=o), distinct=True)
                for o in Outcome.values
            },
        )
        .order_by("due_at", "id")
    )
    mine = [c for c in checkpoints if c.cohort_id in by_role[Role.TRAINEE]]
    own = Submission.objects.visible_to(request.user).filter(trainee=request.user, checkpoint__in=mine)
    latest = {s.checkpoint_id: s for s in own.latest_attempts()}
    outcomes = _released_outcomes(request.user, list(latest.values()))
    for checkpoint in mine:
        current = latest.get(checkpoint.pk)
        checkpoint.status = _status(current, outcomes.get(current.pk) if current else None)
    for checkpoint in checkpoints:
        checkpoint.n_awaiting = checkpoint.n_submitted - checkpoint.n_released
    context = {
        "mine": mine,
        "tutoring": [c for c in checkpoints if c.cohort_id in by_role[Role.TUTOR]],
        "running": [
            c
            for c in checkpoints
            if c.cohort_id in by_role[Role.COURSE_ADMIN] - by_role[Role.TUTOR] - by_role[Role.TRAINEE]
        ],
    }
    return render(request, "reflect/assessment/checkpoint_list.html", context)


@require_http_methods(["GET", "POST"])
def checkpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = get_object_or_404(
        Checkpoint.objects.visible_to(request.user).select_related("cohort", "rubric"), pk=pk
    )
    if policy.can_submit(request.user, checkpoint):
        return _workspace(request, checkpoint)
    if request.method == "POST":
        raise Http404
    return _status_table(request, checkpoint)


@require_http_methods(["GET", "POST"])
def checkpoint_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then submit. A second tab submitting the same draft gets a clear error."""
    checkpoint = get_object_or_404(Checkpoint.objects.visible_to(request.user).select_related("cohort"), pk=pk)
    if not policy.can_submit(request.user, checkpoint):
        raise Http404
    if request.method == "POST":
        submission = get_object_or_404(_own_submissions(request, checkpoint), pk=request.POST.get("submission") or 0)
        to_check = _entries_to_check(submission)
        texts = {str(entry.pk): checks.entry_text(entry) for entry, _ in to_check}
        if to_check and not checks.token_confirms(request.POST.get(checks.CONFIRM_FIELD), texts):
            error = "Please look over the marked details below, then tick “I've checked” to submit."
            error += " Nothing was submitted."
            return _submit_confirm(request, checkpoint, submission, to_check, error=error)
        try:
            with transaction.atomic():
                services.submission_submit(submission=submission)
                for entry, _ in to_check:
                    journal_services.entry_identifiers_confirm(entry=entry)
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Submitted. Your tutors can now read the chosen entries.")
        return redirect("reflect:checkpoint-detail", pk=checkpoint.pk)
    submission = _own_submissions(request, checkpoint).latest_attempts().first()
    if submission is None or submission.status != SubmissionStatus.DRAFT:
        messages.info(request, "There is no prepared submission to submit.")
        return redirect("reflect:checkpoint-detail", pk=checkpoint.pk)
    return _submit_confirm(request, checkpoint, submission, _entries_to_check(submission))


def _entries_to_check(submission: Submission) -> list[tuple]:
    """Chosen client-work entries whose text has likely identifiers not yet confirmed,
    each with its findings: submitting shares them (reflect/journal/checks.py)."""
    entries = services.eligible_entries(submission=submission).filter(submissions=submission).order_by("created_at")
    return [(entry, rows) for entry in entries if (rows := checks.entry_review_rows(entry))]


def _submit_confirm(request, checkpoint, submission, to_check, *, error: str = "") -> HttpResponse:
    texts = {str(entry.pk): checks.entry_text(entry) for entry, _ in to_check}
    context = {
        "checkpoint": checkpoint,
        "submission": submission,
        "entries": submission.entries.order_by("created_at"),
        "to_check": to_check,
        "identifiers_token": checks.confirm_token(texts) if to_check else "",
        "identifiers_error": error,
    }
    return render(request, "reflect/assessment/submit_confirm.html", context, status=400 if error else 200)


@require_POST
def submission_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a resubmission (after a released Refer) or reopen a withdrawn one."""
    checkpoint = get_object_or_404(Checkpoint.objects.visible_to(request.user), pk=pk)
    if not policy.can_submit(request.user, checkpoint):
        raise Http404
    try:
        submission = services.submission_start(checkpoint=checkpoint, trainee=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Attempt {submission.attempt} started. Choose entries and write your summary.")
    return redirect("reflect:checkpoint-detail", pk=checkpoint.pk)


@require_http_methods(["GET", "POST"])
def submission_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(
        Submission.objects.visible_to(request.user).filter(trainee=request.user).select_related("checkpoint"), pk=pk
    )
    if request.method == "GET":
        return render(request, "reflect/assessment/withdraw_confirm.html", {"submission": submission})
    try:
        services.submission_withdraw(submission=submission)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Withdrawn. You can change it and submit again before a tutor assesses it.")
    return redirect("reflect:checkpoint-detail", pk=submission.checkpoint_id)


# --- submissions and assessment ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def submission_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Released feedback: the grid, comments, outcome; the trainee acknowledges and may reply. 404 before release."""
    submission = get_object_or_404(
        Submission.objects.visible_to(request.user).select_related("checkpoint__cohort", "trainee"), pk=pk
    )
    assessment = (
        Assessment.objects.visible_to(request.user)
        .filter(submission=submission)
        .released()
        .select_related("assessor", "rubric")
        .first()
    )
    if assessment is None:
        raise Http404
    is_owner = submission.trainee_id == request.user.pk
    form = AcknowledgeForm(initial={"reply": assessment.trainee_reply})
    if request.method == "POST":
        if not is_owner:
            raise Http404
        form = AcknowledgeForm(request.POST)
        if form.is_valid():
            services.assessment_acknowledge(
                assessment=assessment, trainee=request.user, reply=form.cleaned_data["reply"]
            )
            drafts.sent(request)
            messages.success(request, "Thank you. Your tutor can see that you have read this feedback.")
            return redirect("reflect:submission-feedback", pk=submission.pk)
    # The "feedback released" notification points here: opened by any way, it is read.
    here = reverse("reflect:submission-feedback", kwargs={"pk": submission.pk})
    notifications_read_on_open(user=request.user, path=here)
    context = {
        "submission": submission,
        "assessment": assessment,
        "is_owner": is_owner,
        "form": form,
        "history": _history(request.user, submission),
        **_saved_grid(assessment, _criteria(assessment.rubric_id)),
    }
    return render(request, "reflect/assessment/feedback.html", context, status=400 if form.errors else 200)
