"""The moderator's page: both markings side by side, criterion by criterion, and the
agreed marking, which is all the trainee ever reads. Only the allocated moderator
finds the page (404 for everyone else), and it opens once both markings are
complete (reflect.assessment.policy). The agreed marking starts from both markings
(reflect.assessment.moderation); "Use first/second marker's" buttons are plain
submit buttons, so choosing works without JavaScript (static/js/moderation.js
does the same in place)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reflect.assessment import moderation, policy, services
from reflect.assessment.forms import GridForm
from reflect.assessment.models import Assessment, Criterion, MarkingRole, SubmissionStatus
from reflect.assessment.view_helpers import (
    _after_grid_save,
    _criteria,
    _grid_rows,
    _posted_choices,
    _posted_grid,
    _save_grid,
    _tutor_submission,
)


@require_http_methods(["GET", "POST"])
def submission_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _tutor_submission(request, pk)
    if not policy.is_moderator(request.user, submission):
        raise Http404
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
    start = moderation.starting_point(first, second, comparison)
    editable = (
        submission.status == SubmissionStatus.SUBMITTED
        and moderator in (None, request.user.pk)
        and not (agreed and agreed.is_released)
    )
    both = {"first": first, "second": second}
    status, notes = 200, {}
    if request.method == "POST" and editable and "use" in request.POST:
        grid, initial, notes = _used(request.POST, criteria, comparison, both)
        form = GridForm(criteria=criteria, initial=initial)
    elif request.method == "POST":
        form = GridForm(_without_untouched_starts(request.POST, start, criteria), criteria=criteria)
        saved = _save_grid(
            request, form, lambda: services.moderation_start(submission=submission, moderator=request.user)
        )
        if saved is not None:
            return _after_grid_save(request, saved, request.path)
        grid, status = _posted_grid(request.POST, criteria), 400
    else:
        grid, initial = _agreed_or_start(agreed, criteria, start)
        form = GridForm(criteria=criteria, initial=initial)
    agreeing = [row for row in comparison if row["agree"]]
    context = {
        "submission": submission,
        "first": first,
        "second": second,
        "agreed": agreed,
        "comparison": comparison,
        "differing": [row for row in comparison if not row["agree"]],
        "percent": round(100 * len(agreeing) / len(comparison)) if comparison else 0,
        "agreeing": len(agreeing),
        "form": form,
        "moderator_elsewhere": moderator is not None and moderator != request.user.pk,
        "editable": editable,
        "overall_markers": _overall_markers(both, notes.get("overall")),
        **grid,
    }
    _add_markers(context["rows"], comparison, both, notes)
    return render(request, "reflect/assessment/moderate.html", context, status=status)


def _agreed_or_start(agreed: Assessment | None, criteria: list[Criterion], start: moderation.Start):
    """The agreed draft as saved; a criterion it hasn't decided yet shows the starting point."""
    if agreed is None:
        initial = {"overall_feedback": start.overall_feedback, "outcome": start.outcome}
        return _grid_rows(criteria, start.levels, start.comments), initial
    scores = {s.criterion_id: s for s in agreed.scores.all()}
    selected = {c.pk: scores[c.pk].level_id if c.pk in scores else start.levels.get(c.pk) for c in criteria}
    comments = {c.pk: scores[c.pk].comment if c.pk in scores else start.comments.get(c.pk, "") for c in criteria}
    initial = {"overall_feedback": agreed.overall_feedback, "outcome": agreed.outcome}
    return _grid_rows(criteria, selected, comments), initial


def _without_untouched_starts(post, start: moderation.Start, criteria: list[Criterion]):
    """Saving a draft while a criterion is undecided: its starting comment, unedited,
    is left out (it comes back from the starting point), so the moderator isn't asked
    for a level to keep text they didn't write. An edited comment still needs one."""
    data = post.copy()
    for c in criteria:
        key, posted = f"comment-{c.pk}", post.get(f"comment-{c.pk}", "")
        undecided = not post.get(f"level-{c.pk}")
        if undecided and c.pk in start.comments and moderation.same_text(posted, start.comments[c.pk]):
            data[key] = ""
    return data


def _used(post, criteria: list[Criterion], comparison: list[dict], both: dict) -> tuple[dict, dict, dict]:
    """A "Use … marker's" button, without JavaScript: the form as posted, with that
    marker's level and comment (or overall feedback) put in. Nothing is saved yet."""
    selected, comments = _posted_choices(post, criteria)
    initial = {"overall_feedback": post.get("overall_feedback", ""), "outcome": post.get("outcome", "")}
    key, _, target = post.get("use", "").partition(":")
    label = moderation.MARKERS.get(key)
    notes = {}
    if label and target == "overall":
        initial["overall_feedback"] = both[key].overall_feedback
        notes["overall"] = moderation.used_note(key, overall=True)
    elif label and target.isdigit():
        row = next((r for r in comparison if r["criterion"].pk == int(target)), None)
        score = row and row[key]
        if score:
            selected[score.criterion_id], comments[score.criterion_id] = score.level_id, score.comment
            notes[score.criterion_id] = moderation.used_note(key)
    return _grid_rows(criteria, selected, comments), initial, notes


def _add_markers(rows: list[dict], comparison: list[dict], both: dict, notes: dict) -> None:
    """Put each criterion's two markings (and any note about a "Use" button) beside its agreed row."""
    by_criterion = {r["criterion"].pk: r for r in comparison}
    for row in rows:
        pk = row["criterion"].pk
        found = by_criterion.get(pk, {})
        row["agree"] = found.get("agree", False)
        row["note"] = notes.get(pk, "")
        row["markers"] = [
            {
                "key": key,
                "label": label,
                "assessor": both[key].assessor,
                "score": found.get(key),
                "note": moderation.used_note(key),
            }
            for key, label in moderation.MARKERS.items()
        ]


def _overall_markers(both: dict, note: str | None) -> dict:
    markers = [
        {
            "key": key,
            "label": label,
            "assessor": both[key].assessor,
            "marking": both[key],
            "note": moderation.used_note(key, overall=True),
        }
        for key, label in moderation.MARKERS.items()
    ]
    return {"markers": markers, "note": note or ""}
