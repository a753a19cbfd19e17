"""Checkpoints, submissions, the marking grid, moderation and released feedback.

Every object is fetched through a `visible_to` queryset, so what a person may not
see answers 404. Writes go through reflect.assessment.services; a refused action
(AssessmentError) is shown as a message, or as a 400 with the form kept."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.assessment import services
from reflect.assessment.errors import AssessmentError
from reflect.assessment.forms import AcknowledgeForm, GridForm, SubmissionForm
from reflect.assessment.models import (
    Assessment,
    Checkpoint,
    Criterion,
    MarkingRole,
    Outcome,
    Submission,
    SubmissionStatus,
)
from reflect.cohorts.models import Membership, Role
from reflect.journal.models import AccessEvent

OUTCOME_TONE = {Outcome.PASS: "text-bg-success", Outcome.REFER: "text-bg-warning", Outcome.FAIL: "text-bg-danger"}
GRID_ACTIONS = {"save", "complete", "release"}


# --- helpers -------------------------------------------------------------------


def _roles(user, cohort_id: int) -> set[str]:
    return set(Membership.objects.filter(user=user, cohort_id=cohort_id).values_list("role", flat=True))


def _released_outcomes(user, submissions) -> dict[int, str]:
    rows = Assessment.objects.visible_to(user).filter(submission__in=submissions, released_at__isnull=False)
    return dict(rows.values_list("submission_id", "outcome"))


def _status(submission: Submission | None, outcome: str | None = None, markings=()) -> dict:
    """A label and badge colour for a submission's state; `markings` (role, completed) adds staff progress."""
    if submission is None:
        return {"label": "Not started", "tone": "text-bg-light border"}
    if submission.status == SubmissionStatus.DRAFT:
        label = "Resubmission being prepared" if submission.attempt > 1 else "Being prepared"
        return {"label": label, "tone": "text-bg-info"}
    if submission.status == SubmissionStatus.WITHDRAWN:
        return {"label": "Withdrawn", "tone": "text-bg-secondary"}
    if outcome:
        return {"label": f"Feedback released: {Outcome(outcome).label}", "tone": OUTCOME_TONE[outcome]}
    roles = {role: done for role, done in markings}
    if MarkingRole.AGREED in roles:
        label = "Being moderated"
    elif roles.get(MarkingRole.FIRST) and roles.get(MarkingRole.SECOND):
        label = "Ready to moderate"
    elif roles:
        label = "Being assessed"
    else:
        label = "Submitted late" if submission.is_late else "Submitted"
    return {"label": label, "tone": "text-bg-warning" if submission.is_late else "text-bg-primary"}


def _criteria(rubric_id: int) -> list[Criterion]:
    return list(Criterion.objects.filter(rubric_id=rubric_id).prefetch_related("levels"))


def _grid_rows(criteria: list[Criterion], selected: dict[int, int], comments: dict[int, str]) -> dict:
    """The grid as the templates draw it, with the total of the chosen levels and the maximum."""
    rows, total, maximum = [], 0, 0
    for criterion in criteria:
        levels = list(criterion.levels.all())
        chosen = next((lv for lv in levels if lv.pk == selected.get(criterion.pk)), None)
        total += chosen.points if chosen else 0
        maximum += max((lv.points for lv in levels), default=0)
        rows.append({"criterion": criterion, "levels": levels, "chosen": chosen, "comment": comments.get(criterion.pk)})
    return {"rows": rows, "total": total, "max_points": maximum}


def _saved_grid(assessment: Assessment | None, criteria: list[Criterion]) -> dict:
    scores = list(assessment.scores.all()) if assessment else []
    return _grid_rows(
        criteria, {s.criterion_id: s.level_id for s in scores}, {s.criterion_id: s.comment for s in scores}
    )


def _posted_grid(post, criteria: list[Criterion]) -> dict:
    """The grid as it was posted, so a refused save keeps what the tutor chose."""
    selected = {c.pk: int(post[f"level-{c.pk}"]) for c in criteria if post.get(f"level-{c.pk}", "").isdigit()}
    return _grid_rows(criteria, selected, {c.pk: post.get(f"comment-{c.pk}", "") for c in criteria})


def _save_grid(request: HttpRequest, form: GridForm, get_assessment) -> Assessment | None:
    """Save a posted grid in one transaction, so a refusal changes nothing. None if refused (errors on the form)."""
    if not form.is_valid():
        return None
    try:
        with transaction.atomic():
            return services.assessment_save(
                assessment=get_assessment(),
                by=request.user,
                levels=form.cleaned_data["levels"],
                comments=form.cleaned_data["comments"],
                overall_feedback=form.cleaned_data["overall_feedback"],
                outcome=form.cleaned_data["outcome"],
                complete=request.POST.get("action") in ("complete", "release"),
            )
    except AssessmentError as error:
        form.add_error(None, str(error))
        return None


def _after_grid_save(request: HttpRequest, assessment: Assessment, here: str) -> HttpResponse:
    action = request.POST.get("action")
    if action == "release":
        return redirect("reflect:assessment-release", pk=assessment.pk)
    messages.success(request, "Marking complete." if action == "complete" else "Draft saved. Nobody else can see it.")
    return redirect(here)


def _history(user, submission: Submission) -> list[dict]:
    others = Submission.objects.visible_to(user).filter(checkpoint=submission.checkpoint, trainee=submission.trainee)
    others = list(others.exclude(pk=submission.pk).order_by("-attempt"))
    outcomes = _released_outcomes(user, others)
    return [{"submission": s, "status": _status(s, outcomes.get(s.pk)), "outcome": outcomes.get(s.pk)} for s in others]


def _tutor_submission(request: HttpRequest, pk: int) -> Submission:
    submission = get_object_or_404(
        Submission.objects.visible_to(request.user).select_related("checkpoint__cohort", "trainee"), pk=pk
    )
    if not services.is_tutor(request.user, submission.checkpoint.cohort_id):
        raise Http404
    return submission


# --- checkpoints -------------------------------------------------------------------


@require_GET
def checkpoint_list(request: HttpRequest) -> HttpResponse:
    """Trainees: their checkpoints and status. Tutors: counts to act on. Course admins: statuses and outcomes."""
    memberships = list(Membership.objects.filter(user=request.user).values_list("cohort_id", "role"))
    by_role = {role: {c for c, r in memberships if r == role} for role in Role.values}
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
    own = list(own.order_by("checkpoint_id", "-attempt"))
    outcomes = _released_outcomes(request.user, own)
    latest = {}
    for submission in own:
        latest.setdefault(submission.checkpoint_id, submission)
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
    roles = _roles(request.user, checkpoint.cohort_id)
    if Role.TRAINEE in roles:
        return _workspace(request, checkpoint)
    if request.method == "POST":
        raise Http404
    return _status_table(request, checkpoint, is_tutor=Role.TUTOR in roles)


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


def _status_table(request: HttpRequest, checkpoint: Checkpoint, *, is_tutor: bool) -> HttpResponse:
    """Trainees × status for staff; statuses and released outcomes only, never text."""
    trainees = list(
        Membership.objects.filter(cohort=checkpoint.cohort, role=Role.TRAINEE)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    submissions = Submission.objects.overview_for(request.user).filter(checkpoint=checkpoint)
    latest = {}
    for submission in submissions.only(
        "id", "trainee_id", "checkpoint_id", "attempt", "status", "submitted_at", "is_late"
    ).order_by("-attempt"):
        latest.setdefault(submission.trainee_id, submission)
    markings, outcomes = {}, {}
    for row in Assessment.objects.filter(submission__in=list(latest.values())).values(
        "submission_id", "role", "completed_at", "released_at", "outcome"
    ):
        markings.setdefault(row["submission_id"], []).append((row["role"], row["completed_at"] is not None))
        if row["released_at"]:
            outcomes[row["submission_id"]] = row["outcome"]
    rows = []
    for membership in trainees:
        submission = latest.get(membership.user_id)
        pk = submission.pk if submission else None
        rows.append(
            {
                "trainee": membership.user,
                "submission": submission,
                "status": _status(submission, outcomes.get(pk), markings.get(pk, [])),
                "linked": is_tutor and submission is not None and submission.status != SubmissionStatus.DRAFT,
            }
        )
    context = {"checkpoint": checkpoint, "rows": rows, "is_tutor": is_tutor}
    return render(request, "reflect/assessment/checkpoint_status.html", context)


@require_http_methods(["GET", "POST"])
def checkpoint_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then submit. A second tab submitting the same draft gets a clear error."""
    checkpoint = get_object_or_404(Checkpoint.objects.visible_to(request.user).select_related("cohort"), pk=pk)
    if Role.TRAINEE not in _roles(request.user, checkpoint.cohort_id):
        raise Http404
    if request.method == "POST":
        submission = get_object_or_404(_own_submissions(request, checkpoint), pk=request.POST.get("submission") or 0)
        try:
            services.submission_submit(submission=submission)
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Submitted. Your tutors can now read the chosen entries.")
        return redirect("reflect:checkpoint-detail", pk=checkpoint.pk)
    submission = _own_submissions(request, checkpoint).order_by("-attempt").first()
    if submission is None or submission.status != SubmissionStatus.DRAFT:
        messages.info(request, "There is no prepared submission to submit.")
        return redirect("reflect:checkpoint-detail", pk=checkpoint.pk)
    context = {"checkpoint": checkpoint, "submission": submission, "entries": submission.entries.order_by("created_at")}
    return render(request, "reflect/assessment/submit_confirm.html", context)


@require_POST
def submission_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a resubmission (after a released Refer) or reopen a withdrawn one."""
    checkpoint = get_object_or_404(Checkpoint.objects.visible_to(request.user), pk=pk)
    if Role.TRAINEE not in _roles(request.user, checkpoint.cohort_id):
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
    is_tutor = not is_owner and services.is_tutor(request.user, submission.checkpoint.cohort_id)
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
        if context["can_second_mark"]:
            # Keep the way to a blind second marking open: don't put the first marking in front of them.
            context["assessments"] = [a for a in visible if a.role != MarkingRole.FIRST]
    return render(request, "reflect/assessment/submission_detail.html", context)


def _tutor_actions(request: HttpRequest, submission: Submission) -> dict:
    markings = list(submission.assessments.values("pk", "role", "assessor_id", "completed_at", "released_at"))
    roles = {m["role"]: m for m in markings}
    mine = next((m for m in markings if m["assessor_id"] == request.user.pk and m["role"] != MarkingRole.AGREED), None)
    open_for_marking = submission.status == SubmissionStatus.SUBMITTED and mine is None
    both_done = all(roles.get(r) and roles[r]["completed_at"] for r in (MarkingRole.FIRST, MarkingRole.SECOND))
    return {
        "my_marking": mine,
        "can_assess": open_for_marking and MarkingRole.FIRST not in roles,
        "can_second_mark": open_for_marking
        and MarkingRole.FIRST in roles
        and MarkingRole.SECOND not in roles
        and not any(m["released_at"] for m in markings),
        "can_moderate": both_done,
        "in_progress": [m for m in markings if not m["completed_at"] and m["assessor_id"] != request.user.pk],
    }


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
    roles = set(submission.assessments.values_list("role", flat=True))
    context = {
        "assessment": assessment,
        "submission": submission,
        "form": form,
        "editable": is_mine and not assessment.is_released and submission.status == SubmissionStatus.SUBMITTED,
        "releasable": is_mine
        and not assessment.is_released
        and (assessment.role == MarkingRole.AGREED or MarkingRole.SECOND not in roles),
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


@require_http_methods(["GET", "POST"])
def submission_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """First and second marking side by side, and the agreed marking that gets released."""
    submission = _tutor_submission(request, pk)
    markings = {
        a.role: a
        for a in Assessment.objects.visible_to(request.user).filter(submission=submission).select_related("assessor")
    }
    first, second = markings.get(MarkingRole.FIRST), markings.get(MarkingRole.SECOND)
    if not (first and second and first.is_complete and second.is_complete):
        messages.info(request, "Moderation opens once both the first and the second marking are complete.")
        return redirect("reflect:submission-detail", pk=submission.pk)
    # Another tutor's agreed marking is shown only once complete, like any marking (visible_to).
    agreed = markings.get(MarkingRole.AGREED)
    moderator = submission.assessments.filter(role=MarkingRole.AGREED).values_list("assessor_id", flat=True).first()
    criteria = _criteria(first.rubric_id)
    comparison = services.agreement(first=first, second=second)
    if agreed is not None:
        grid = _saved_grid(agreed, criteria)
        initial = {"overall_feedback": agreed.overall_feedback, "outcome": agreed.outcome}
    else:
        prefill = {row["criterion"].pk: row["first"].level_id for row in comparison if row["agree"]}
        grid = _grid_rows(criteria, prefill, {})
        initial = {"outcome": first.outcome if first.outcome == second.outcome else ""}
    form, status = GridForm(criteria=criteria, initial=initial), 200
    if request.method == "POST":
        form = GridForm(request.POST, criteria=criteria)
        saved = _save_grid(
            request, form, lambda: services.moderation_start(submission=submission, moderator=request.user)
        )
        if saved is not None:
            return _after_grid_save(request, saved, request.path)
        grid, status = _posted_grid(request.POST, criteria), 400
    agreeing = sum(1 for row in comparison if row["agree"])
    context = {
        "submission": submission,
        "first": first,
        "second": second,
        "agreed": agreed,
        "comparison": comparison,
        "percent": round(100 * agreeing / len(comparison)) if comparison else 0,
        "agreeing": agreeing,
        "form": form,
        "moderator_elsewhere": moderator is not None and moderator != request.user.pk,
        "editable": submission.status == SubmissionStatus.SUBMITTED
        and moderator in (None, request.user.pk)
        and not (agreed and agreed.is_released),
        **grid,
    }
    return render(request, "reflect/assessment/moderate.html", context, status=status)


@require_http_methods(["GET", "POST"])
def submission_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Released feedback: the grid, comments, outcome; the trainee acknowledges and may reply. 404 before release."""
    submission = get_object_or_404(
        Submission.objects.visible_to(request.user).select_related("checkpoint__cohort", "trainee"), pk=pk
    )
    assessment = (
        Assessment.objects.visible_to(request.user)
        .filter(submission=submission, released_at__isnull=False)
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
            messages.success(request, "Thank you. Your tutor can see that you have read this feedback.")
            return redirect("reflect:submission-feedback", pk=submission.pk)
    context = {
        "submission": submission,
        "assessment": assessment,
        "is_owner": is_owner,
        "form": form,
        "history": _history(request.user, submission),
        **_saved_grid(assessment, _criteria(assessment.rubric_id)),
    }
    return render(request, "reflect/assessment/feedback.html", context, status=400 if form.errors else 200)
