from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reflect.assessment.models import Criterion
from reflect.cohorts.models import Cohort, Role
from reflect.feedback.services import comment_thread
from reflect.journal import services
from reflect.journal.forms import EntryForm
from reflect.journal.markdown import render_markdown
from reflect.journal.models import AccessEvent, JournalEntry, Kind, Tag, Visibility
from reflect.journal.reflective import FREE, STAGES, TEMPLATE_CHOICES, compose_body

PAGE_SIZE = 20


def _trainee_cohorts(user) -> list[Cohort]:
    return list(Cohort.objects.active().filter(memberships__user=user, memberships__role=Role.TRAINEE).distinct())


def _evidence_criteria(user):
    """Criteria of the rubrics used by checkpoints of the trainee's cohorts."""
    return (
        Criterion.objects.filter(
            rubric__checkpoints__cohort__memberships__user=user,
            rubric__checkpoints__cohort__memberships__role=Role.TRAINEE,
        )
        .select_related("rubric")
        .order_by("rubric__title", "rubric__version", "position")
        .distinct()
    )


def _get_editable(request: HttpRequest, pk: int) -> JournalEntry:
    return get_object_or_404(JournalEntry.objects.editable_by(request.user).select_related("cohort"), pk=pk)


def _editor(request: HttpRequest, form: EntryForm, entry: JournalEntry | None, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "entry": entry,
        "stages": STAGES,
        "templates": TEMPLATE_CHOICES,
        "has_cohort": bool(form.fields["cohort"].queryset.exists()),
        "autosave_interval": settings.AUTOSAVE_INTERVAL_SECONDS,
    }
    return render(request, "reflect/entry_form.html", context, status=status)


def _save(request: HttpRequest, entry: JournalEntry | None, *, autosave: bool = False):
    """Validate the editor's POST and save it. Returns (entry, form); entry is None if invalid."""
    publishing = not autosave and request.POST.get("action") == "publish"
    cohorts = _trainee_cohorts(request.user)
    if entry is not None and entry.cohort not in cohorts:
        cohorts.append(entry.cohort)
    form = EntryForm(request.POST, cohorts=cohorts, criteria=_evidence_criteria(request.user), publishing=publishing)
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    kwargs = {
        "author": request.user,
        "cohort": data["cohort"],
        "data": data,
        "entry": entry,
        "tags": data["tags"],
        "criteria": list(data["criteria"]),
    }
    if publishing:
        return services.entry_publish(**kwargs), form
    return services.entry_save_draft(autosave=autosave, **kwargs), form


def entry_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        entry, form = _save(request, None)
        if entry is not None:
            return _after_save(request, entry)
        return _editor(request, form, None, status=400)
    initial = {}
    if request.GET.get("prompt"):
        initial["body"] = f"> {request.GET['prompt'][:500]}\n\n"
    if request.GET.get("template") in STAGES:
        initial["template"] = request.GET["template"]
    form = EntryForm(initial=initial, cohorts=_trainee_cohorts(request.user), criteria=_evidence_criteria(request.user))
    return _editor(request, form, None)


def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_editable(request, pk)
    if request.method == "POST":
        saved, form = _save(request, entry)
        if saved is not None:
            return _after_save(request, saved)
        return _editor(request, form, entry, status=400)
    initial = EntryForm.initial_from_entry(entry)
    if entry.pending:
        initial.update(entry.pending.get("data", {}))
        messages.info(request, "You have unpublished changes; they are loaded below. Publish to update the entry.")
    cohorts = _trainee_cohorts(request.user)
    if entry.cohort not in cohorts:
        cohorts.append(entry.cohort)
    return _editor(
        request, EntryForm(initial=initial, cohorts=cohorts, criteria=_evidence_criteria(request.user)), entry
    )


def _after_save(request: HttpRequest, entry: JournalEntry) -> HttpResponse:
    if entry.is_published and not entry.pending:
        messages.success(request, "Published.")
        return redirect("reflect:entry-detail", pk=entry.pk)
    messages.success(request, f"Draft saved at {date_filter(timezone.localtime(entry.autosaved_at), 'H:i')}.")
    return redirect("reflect:entry-edit", pk=entry.pk)


@require_POST
def entry_autosave(request: HttpRequest) -> JsonResponse:
    """Called by the editor every few seconds and when the page is left."""
    entry = None
    if request.POST.get("entry_id", "").isdigit():
        entry = _get_editable(request, int(request.POST["entry_id"]))
    saved, form = _save(request, entry, autosave=True)
    if saved is None:
        errors = {field: [e["message"] for e in errs] for field, errs in form.errors.get_json_data().items()}
        # Nothing is saved, so the last saved draft stays as it was; the editor shows
        # `message` and keeps everything typed (in the page and in the browser).
        message = next(iter(errors.values()))[0]
        return JsonResponse({"saved": False, "message": message, "errors": errors}, status=400)
    saved_at = timezone.localtime(saved.autosaved_at)
    return JsonResponse(
        {
            "saved": True,
            "id": saved.pk,
            "saved_at": saved_at.isoformat(),
            "saved_label": f"Saved at {date_filter(saved_at, 'H:i')}",
            "edit_url": reverse("reflect:entry-edit", kwargs={"pk": saved.pk}),
        }
    )


@require_POST
def entry_preview(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST, cohorts=[], publishing=False)
    form.is_valid()
    data = form.cleaned_data
    template = data.get("template") or FREE
    text = data.get("body", "") if template == FREE else compose_body(template, data.get("sections", {}))
    return render(request, "reflect/_entry_preview.html", {"html": render_markdown(text[:100_000])})


@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    entries = JournalEntry.objects.visible_to(request.user).filter(author=request.user)
    filters = {k: request.GET.get(k, "").strip() for k in ("kind", "visibility", "tag", "template", "q", "status")}
    if filters["kind"] in Kind.values:
        entries = entries.filter(kind=filters["kind"])
    if filters["visibility"] in Visibility.values:
        entries = entries.filter(visibility=filters["visibility"])
    if filters["template"] in STAGES:
        entries = entries.filter(template=filters["template"])
    if filters["status"] in ("draft", "published"):
        entries = entries.filter(status=filters["status"])
    if filters["tag"]:
        entries = entries.filter(tags__name=filters["tag"].lower())
    entries = entries.search(filters["q"]).prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "kinds": Kind.choices,
        "visibilities": Visibility.choices,
        "templates": TEMPLATE_CHOICES,
        "user_tags": Tag.objects.filter(owner=request.user).values_list("name", flat=True),
        "filtered": any(filters.values()),
    }
    return render(request, "reflect/entry_list.html", context)


@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        JournalEntry.objects.visible_to(request.user)
        .select_related("cohort", "author")
        .prefetch_related("tags", Prefetch("criteria", queryset=Criterion.objects.select_related("rubric"))),
        pk=pk,
    )
    is_author = entry.author_id == request.user.pk
    services.access_record(entry=entry, user=request.user)
    context = {
        "entry": entry,
        "is_author": is_author,
        "html": render_markdown(entry.body),
        "stages": STAGES.get(entry.template, []),
        "entry_comments": comment_thread(entry_id=entry.pk, user=request.user),
    }
    if is_author:
        context["reads"] = AccessEvent.objects.filter(entry=entry).select_related("user")[:20]
        context["revision_count"] = entry.revisions.count()
    return render(request, "reflect/entry_detail.html", context)


@require_POST
def entry_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_editable(request, pk)
    visibility = request.POST.get("visibility", "")
    if visibility not in Visibility.values:
        messages.error(request, "That sharing option isn't one we know. Nothing was changed.")
        return redirect("reflect:entry-detail", pk=entry.pk)
    services.entry_set_visibility(entry=entry, visibility=visibility)
    if visibility == Visibility.SHARED:
        note = "Shared with your tutors." if entry.is_published else "Will be shared with your tutors once published."
    else:
        note = "Made private. Only you can read it now."
    messages.success(request, note)
    return redirect("reflect:entry-detail", pk=entry.pk)


def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_editable(request, pk)
    if request.method == "POST":
        services.entry_delete(entry=entry)
        messages.success(
            request,
            f"“{entry.display_title}” moved to Trash. You can restore it for {settings.TRASH_RETENTION_DAYS} days.",
        )
        return redirect("reflect:entry-list")
    context = {"entry": entry, "retention_days": settings.TRASH_RETENTION_DAYS}
    return render(request, "reflect/entry_confirm_delete.html", context)


@require_GET
def entry_history(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _get_editable(request, pk)
    revisions = entry.revisions.all()
    return render(request, "reflect/entry_history.html", {"entry": entry, "revisions": revisions})


@require_POST
def revision_restore(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    entry = _get_editable(request, pk)
    revision = get_object_or_404(entry.revisions, pk=revision_pk)
    services.entry_restore_revision(entry=entry, revision=revision)
    messages.success(request, "Earlier version restored. The text it replaced is kept in the history.")
    return redirect("reflect:entry-detail", pk=entry.pk)


@require_GET
def trash(request: HttpRequest) -> HttpResponse:
    entries = JournalEntry.objects.in_trash_of(request.user).order_by("-deleted_at")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reflect/trash.html", {"page": page, "retention_days": settings.TRASH_RETENTION_DAYS})


@require_POST
def entry_restore(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(JournalEntry.objects.in_trash_of(request.user), pk=pk)
    services.entry_restore(entry=entry)
    messages.success(request, f"“{entry.display_title}” restored.")
    return redirect("reflect:entry-detail", pk=entry.pk)
