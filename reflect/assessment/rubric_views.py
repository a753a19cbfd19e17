"""The rubric builder. Course admins of a programme build its rubrics; tutors and
trainees of its cohorts read them; anyone else gets 404.

Edits of criteria and levels work as plain form POSTs and, where htmx is
present, swap just the criteria section (`rubric_edit_criteria.html`).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from reflect.access import cohorts_as, programmes_administered_by
from reflect.assessment import rubrics
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Assessment, Criterion, Level, Rubric
from reflect.assessment.rubric_forms import CriterionForm, LevelForm, RubricCreateForm, RubricForm, RubricImportForm
from reflect.cohorts.models import Role

PAGE_SIZE = 20
EDITOR_PARTIAL = "reflect/assessment/rubric_edit_criteria.html"
OFFSETS = {"up": -1, "down": 1}


def _admin_programmes(user):
    return programmes_administered_by(user)


def _with_grid(queryset):
    return queryset.select_related("programme").prefetch_related("criteria__levels")


def _get_visible(request: HttpRequest, pk: int) -> Rubric:
    return get_object_or_404(_with_grid(Rubric.objects.visible_to(request.user)), pk=pk)


def _get_editable(request: HttpRequest, pk: int) -> Rubric:
    return get_object_or_404(_with_grid(Rubric.objects.editable_by(request.user)), pk=pk)


def _edit_url(rubric: Rubric, anchor: str = "") -> str:
    url = reverse("reflect:rubric-edit", kwargs={"pk": rubric.pk})
    return f"{url}#{anchor}" if anchor else url


# --- Reading -------------------------------------------------------------------


@require_GET
def rubric_list(request: HttpRequest) -> HttpResponse:
    """The latest version of each rubric of the programmes this person belongs to or runs."""
    if not (cohorts_as(request.user, *Role.values).exists() or _admin_programmes(request.user).exists()):
        raise Http404
    found = (
        Rubric.objects.filter(pk__in=Rubric.objects.visible_to(request.user).values("pk"))
        .latest_versions()
        .select_related("programme")
        .annotate(n_criteria=Count("criteria"), in_use=Exists(Assessment.objects.filter(rubric=OuterRef("pk"))))
        .order_by("programme__name", "title", "pk")
    )
    admin_of = set(_admin_programmes(request.user).values_list("pk", flat=True))
    context = {
        "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
        "admin_of": admin_of,
        "query": "",
    }
    return render(request, "reflect/assessment/rubric_list.html", context)


@require_GET
def rubric_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid a tutor will mark on, the versions of the rubric and an export link."""
    rubric = _get_visible(request, pk)
    versions = list(
        Rubric.objects.filter(lineage=rubric.lineage)
        .annotate(n_assessments=Count("assessments", distinct=True), n_checkpoints=Count("checkpoints", distinct=True))
        .order_by("-version")
    )
    this = next(v for v in versions if v.pk == rubric.pk)
    context = {
        "rubric": rubric,
        "versions": versions,
        "latest": versions[0],
        "is_locked": rubric.is_locked or this.n_assessments > 0,
        "can_edit": Rubric.objects.editable_by(request.user).filter(pk=rubric.pk).exists(),
    }
    return render(request, "reflect/assessment/rubric_detail.html", context)


@require_GET
def rubric_export(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = get_object_or_404(Rubric.objects.visible_to(request.user), pk=pk)
    response = HttpResponse(rubrics.rubric_export_json(rubric=rubric), content_type="application/json; charset=utf-8")
    filename = f"{slugify(rubric.title) or 'rubric'}-v{rubric.version}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Creating and importing ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rubric_create(request: HttpRequest) -> HttpResponse:
    programmes = _admin_programmes(request.user)
    if not programmes.exists():
        raise Http404
    form = RubricCreateForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rubric = rubrics.rubric_create(
            programme=data["programme"], title=data["title"], description=data["description"], by=request.user
        )
        messages.success(request, "Rubric created. Now add its criteria and the levels of each.")
        return redirect("reflect:rubric-edit", pk=rubric.pk)
    status = 400 if form.is_bound else 200
    return render(request, "reflect/assessment/rubric_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def rubric_import(request: HttpRequest) -> HttpResponse:
    programmes = _admin_programmes(request.user)
    if not programmes.exists():
        raise Http404
    if request.method != "POST":
        form = RubricImportForm(programmes=programmes)
        return render(request, "reflect/assessment/rubric_import.html", {"form": form})
    form = RubricImportForm(request.POST, request.FILES, programmes=programmes)
    if form.is_valid():
        data = form.cleaned_data
        rubric = rubrics.rubric_import(programme=data["programme"], data=data["data"], by=request.user)
        messages.success(request, f"Imported “{rubric.title}” with {len(data['data']['criteria'])} criteria.")
        return redirect("reflect:rubric-detail", pk=rubric.pk)
    from_file = bool(form.file_text) and not form.data.get("text", "").strip()
    if from_file:
        # Show the uploaded file's text so it can be fixed here and imported again.
        form.data = form.data.copy()
        form.data["text"] = form.file_text
    context = {"form": form, "from_file": from_file}
    return render(request, "reflect/assessment/rubric_import.html", context, status=400)


# --- Editing ----------------------------------------------------------------


def _editor_context(rubric: Rubric, *, bound: tuple | None = None, note: str = "", focus: tuple = ()) -> dict:
    """Unbound forms for every criterion and level, except the one `bound`
    (kind, pk, form) that failed validation and is shown with its errors.
    `focus` (kind, pk, what) says which control gets focus after an htmx swap."""
    kind, bound_pk, bound_form = bound or (None, None, None)

    def pick(this_kind: str, pk, make):
        return bound_form if (kind, bound_pk) == (this_kind, pk) else make()

    def focus_on(this_kind: str, item, is_first: bool, is_last: bool) -> str:
        if tuple(focus[:2]) != (this_kind, item.pk):
            return ""
        # A button that just became disabled can't take focus; use its twin.
        return {"up": "down" if is_first else "up", "down": "up" if is_last else "down"}.get(focus[2], focus[2])

    criteria = list(rubric.criteria.all())
    for n, c in enumerate(criteria):
        c.is_first, c.is_last = n == 0, n == len(criteria) - 1
        c.focus = focus_on("criterion", c, c.is_first, c.is_last)
        c.form = pick(
            "criterion",
            c.pk,
            lambda c=c: CriterionForm(
                initial={"title": c.title, "description": c.description}, auto_id=f"id_c{c.pk}_%s"
            ),
        )
        c.rows = list(c.levels.all())
        for m, lv in enumerate(c.rows):
            lv.is_first, lv.is_last = m == 0, m == len(c.rows) - 1
            lv.focus = focus_on("level", lv, lv.is_first, lv.is_last)
            lv.form = pick(
                "level",
                lv.pk,
                lambda lv=lv: LevelForm(
                    initial={"label": lv.label, "points": lv.points, "descriptor": lv.descriptor},
                    auto_id=f"id_l{lv.pk}_%s",
                ),
            )
        next_points = min(max((lv.points for lv in c.rows), default=-1) + 1, rubrics.POINTS_MAX)
        c.new_level_form = pick(
            "new_level", c.pk, lambda c=c, p=next_points: LevelForm(initial={"points": p}, auto_id=f"id_c{c.pk}_new_%s")
        )
        if c.focus == "new_level":
            c.new_level_form.fields["label"].widget.attrs["autofocus"] = True
    return {
        "rubric": rubric,
        "criteria": criteria,
        "new_criterion_form": pick("new_criterion", None, lambda: CriterionForm(auto_id="id_new_criterion_%s")),
        "limits": {"criteria": rubrics.MAX_CRITERIA, "levels": rubrics.MAX_LEVELS},
        "note": note,
        "note_is_error": bound is not None,
    }


def _editor_page(request: HttpRequest, rubric: Rubric, *, form=None, bound=None, status: int = 200) -> HttpResponse:
    locked = rubrics.rubric_is_locked(rubric)
    context = _editor_context(rubric, bound=bound)
    context.update(
        {
            "is_locked": locked,
            "form": form or RubricForm(initial={"title": rubric.title, "description": rubric.description}),
            "latest": Rubric.objects.filter(lineage=rubric.lineage).order_by("-version").first(),
        }
    )
    return render(request, "reflect/assessment/rubric_edit.html", context, status=status)


def _done(request: HttpRequest, rubric_pk: int, note: str, *, anchor: str = "", focus: tuple = ()) -> HttpResponse:
    rubric = get_object_or_404(_with_grid(Rubric.objects.all()), pk=rubric_pk)
    if request.htmx:
        return render(request, EDITOR_PARTIAL, _editor_context(rubric, note=note, focus=focus))
    messages.success(request, note)
    return redirect(_edit_url(rubric, anchor))


def _invalid(request: HttpRequest, rubric: Rubric, bound: tuple) -> HttpResponse:
    note = "Not saved yet: please check the highlighted field."
    if request.htmx:
        # 200 so that htmx swaps the fragment in and the errors show next to the field.
        return render(request, EDITOR_PARTIAL, _editor_context(rubric, bound=bound, note=note))
    messages.error(request, note)
    return _editor_page(request, rubric, bound=bound, status=400)


def _refused(request: HttpRequest, rubric: Rubric, exc: AssessmentError) -> HttpResponse:
    messages.error(request, str(exc))
    if request.htmx:
        return HttpResponseClientRedirect(_edit_url(rubric))
    return redirect(_edit_url(rubric))


@require_http_methods(["GET", "POST"])
def rubric_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Title and description here; criteria and levels through the views below.
    A locked version offers "Create a new version" instead."""
    rubric = _get_editable(request, pk)
    if request.method != "POST":
        return _editor_page(request, rubric)
    form = RubricForm(request.POST)
    if not form.is_valid():
        return _editor_page(request, rubric, form=form, status=400)
    try:
        rubrics.rubric_update(rubric=rubric, **form.cleaned_data)
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    messages.success(request, "Title and description saved.")
    return redirect("reflect:rubric-edit", pk=rubric.pk)


@require_POST
def rubric_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    try:
        copy = rubrics.rubric_new_version(rubric=rubric, by=request.user)
    except AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("reflect:rubric-detail", pk=rubric.pk)
    messages.success(
        request,
        f"Version {copy.version} created; edit it below. Version {rubric.version} stays exactly as it was "
        "for the assessments and checkpoints that use it.",
    )
    return redirect("reflect:rubric-edit", pk=copy.pk)


def _criterion(rubric: Rubric, criterion_pk: int) -> Criterion:
    return get_object_or_404(Criterion.objects.select_related("rubric"), rubric=rubric, pk=criterion_pk)


def _level(rubric: Rubric, level_pk: int) -> Level:
    return get_object_or_404(Level.objects.select_related("criterion"), criterion__rubric=rubric, pk=level_pk)


@require_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    form = CriterionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, rubric, ("new_criterion", None, form))
    try:
        criterion = rubrics.criterion_add(rubric=rubric, **form.cleaned_data)
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    note = f"Criterion “{criterion.title}” added. Now add its levels."
    return _done(
        request, rubric.pk, note, anchor=f"criterion-{criterion.pk}", focus=("criterion", criterion.pk, "new_level")
    )


@require_POST
def criterion_edit(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    criterion = _criterion(rubric, criterion_pk)
    form = CriterionForm(request.POST, auto_id=f"id_c{criterion.pk}_%s")
    if not form.is_valid():
        return _invalid(request, rubric, ("criterion", criterion.pk, form))
    try:
        rubrics.criterion_update(criterion=criterion, **form.cleaned_data)
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    return _done(request, rubric.pk, f"Criterion “{criterion.title}” saved.", anchor=f"criterion-{criterion.pk}")


@require_POST
def criterion_move(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    criterion = _criterion(rubric, criterion_pk)
    direction = request.POST.get("direction", "")
    try:
        if direction not in OFFSETS:
            raise AssessmentError("Please choose whether to move it up or down.")
        rubrics.criterion_move(criterion=criterion, offset=OFFSETS[direction])
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    note = f"Criterion “{criterion.title}” moved {direction}."
    return _done(
        request, rubric.pk, note, anchor=f"criterion-{criterion.pk}", focus=("criterion", criterion.pk, direction)
    )


@require_http_methods(["GET", "POST"])
def criterion_remove(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    criterion = _criterion(rubric, criterion_pk)
    if rubrics.rubric_is_locked(rubric):
        return _refused(request, rubric, AssessmentError(rubrics.LOCKED_MESSAGE))
    if request.method != "POST":
        context = {
            "rubric": rubric,
            "criterion": criterion,
            "level_count": criterion.levels.count(),
            "evidence_count": criterion.evidence.count(),
        }
        return render(request, "reflect/assessment/rubric_confirm_remove.html", context)
    try:
        rubrics.criterion_remove(criterion=criterion)
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    messages.success(request, f"Criterion “{criterion.title}” removed.")
    return redirect(_edit_url(rubric, "criteria"))


@require_POST
def level_add(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    criterion = _criterion(rubric, criterion_pk)
    form = LevelForm(request.POST, auto_id=f"id_c{criterion.pk}_new_%s")
    if not form.is_valid():
        return _invalid(request, rubric, ("new_level", criterion.pk, form))
    try:
        level = rubrics.level_add(criterion=criterion, **form.cleaned_data)
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    note = f"Level “{level.label}” added to “{criterion.title}”."
    return _done(
        request, rubric.pk, note, anchor=f"criterion-{criterion.pk}", focus=("criterion", criterion.pk, "new_level")
    )


@require_POST
def level_edit(request: HttpRequest, pk: int, level_pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    level = _level(rubric, level_pk)
    form = LevelForm(request.POST, auto_id=f"id_l{level.pk}_%s")
    if not form.is_valid():
        return _invalid(request, rubric, ("level", level.pk, form))
    try:
        rubrics.level_update(level=level, **form.cleaned_data)
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    return _done(request, rubric.pk, f"Level “{level.label}” saved.", anchor=f"level-{level.pk}")


@require_POST
def level_move(request: HttpRequest, pk: int, level_pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    level = _level(rubric, level_pk)
    direction = request.POST.get("direction", "")
    try:
        if direction not in OFFSETS:
            raise AssessmentError("Please choose whether to move it up or down.")
        rubrics.level_move(level=level, offset=OFFSETS[direction])
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    note = f"Level “{level.label}” moved {direction}."
    return _done(request, rubric.pk, note, anchor=f"level-{level.pk}", focus=("level", level.pk, direction))


@require_http_methods(["GET", "POST"])
def level_remove(request: HttpRequest, pk: int, level_pk: int) -> HttpResponse:
    rubric = _get_editable(request, pk)
    level = _level(rubric, level_pk)
    if rubrics.rubric_is_locked(rubric):
        return _refused(request, rubric, AssessmentError(rubrics.LOCKED_MESSAGE))
    if request.method != "POST":
        context = {"rubric": rubric, "level": level, "criterion": level.criterion}
        return render(request, "reflect/assessment/rubric_confirm_remove.html", context)
    try:
        rubrics.level_remove(level=level)
    except AssessmentError as exc:
        return _refused(request, rubric, exc)
    messages.success(request, f"Level “{level.label}” removed from “{level.criterion.title}”.")
    return redirect(_edit_url(rubric, f"criterion-{level.criterion_id}"))
