"""Helpers shared by the checkpoint and marking views."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from reflect.assessment import services
from reflect.assessment.errors import AssessmentError
from reflect.assessment.forms import GridForm
from reflect.assessment.models import (
    Assessment,
    Criterion,
    MarkingRole,
    Outcome,
    Submission,
    SubmissionStatus,
)
from reflect.drafts import services as drafts

OUTCOME_TONE = {Outcome.PASS: "text-bg-success", Outcome.REFER: "text-bg-warning", Outcome.FAIL: "text-bg-danger"}
GRID_ACTIONS = {"save", "complete", "release"}


def _released_outcomes(user, submissions) -> dict[int, str]:
    return Assessment.objects.visible_to(user).filter(submission__in=submissions).released_outcomes()


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


def _posted_choices(post, criteria: list[Criterion]) -> tuple[dict[int, int], dict[int, str]]:
    """criterion id → the level id, and → the comment, as posted."""
    selected = {c.pk: int(post[f"level-{c.pk}"]) for c in criteria if post.get(f"level-{c.pk}", "").isdigit()}
    return selected, {c.pk: post.get(f"comment-{c.pk}", "") for c in criteria}


def _posted_grid(post, criteria: list[Criterion]) -> dict:
    """The grid as it was posted, so a refused save keeps what the tutor chose."""
    return _grid_rows(criteria, *_posted_choices(post, criteria))


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
    drafts.sent(request)
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
    if submission.trainee_id == request.user.pk:
        raise Http404
    return submission


# --- checkpoints -------------------------------------------------------------------
