"""The journal's own pages: the list, sharing, deleting, history and Trash. The entry
page and the editor show other capabilities' parts too, so reflect.pages composes them
from `get_readable`/`entry_context` here and reflect/journal/editor.py."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from reflect.journal import checks, services
from reflect.journal.editor import get_editable
from reflect.journal.markdown import render_markdown
from reflect.journal.models import JournalEntry, Kind, Tag, Visibility
from reflect.journal.reflective import STAGES, TEMPLATE_CHOICES

PAGE_SIZE = 20


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


def get_readable(request: HttpRequest, pk: int) -> JournalEntry:
    """The entry if this person may read it (404 otherwise), with what its page shows."""
    return get_object_or_404(
        JournalEntry.objects.visible_to(request.user).select_related("cohort", "author").prefetch_related("tags"),
        pk=pk,
    )


def entry_context(request: HttpRequest, entry: JournalEntry) -> dict:
    """The journal's part of the entry page; recording the read, so the author sees who opened it.
    The page itself, with comments and evidence, is composed in reflect.pages."""
    is_author = entry.author_id == request.user.pk
    services.access_record(entry=entry, user=request.user)
    context = {
        "entry": entry,
        "is_author": is_author,
        "html": render_markdown(entry.body),
        "stages": STAGES.get(entry.template, []),
    }
    if is_author:
        context["readers"] = services.entry_readers(entry=entry)
        context["revision_count"] = entry.revisions.count()
    return context


@require_POST
def entry_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_editable(request, pk)
    visibility = request.POST.get("visibility", "")
    if visibility not in Visibility.values:
        messages.error(request, "That sharing option isn't one we know. Nothing was changed.")
        return redirect("reflect:entry-detail", pk=entry.pk)
    text = checks.entry_text(entry)
    if visibility == Visibility.SHARED and entry.is_published:
        review = _review_before_sharing(
            request,
            entry,
            text,
            hidden=[("visibility", Visibility.SHARED)],
            confirm_action=reverse("reflect:entry-visibility", kwargs={"pk": entry.pk}),
            change_url=reverse("reflect:entry-edit", kwargs={"pk": entry.pk}),
            cancel_url=reverse("reflect:entry-detail", kwargs={"pk": entry.pk}),
            cancel_label="Keep it private",
        )
        if review is not None:
            return review
    services.entry_set_visibility(entry=entry, visibility=visibility)
    confirmed = checks.token_confirms(request.POST.get(checks.CONFIRM_FIELD), {"entry": text})
    if visibility == Visibility.SHARED and confirmed:
        services.entry_identifiers_confirm(entry=entry)
    if visibility == Visibility.SHARED:
        note = "Shared with your tutors." if entry.is_published else "Will be shared with your tutors once published."
    else:
        note = "Made private. Only you can read it now."
    messages.success(request, note)
    return redirect("reflect:entry-detail", pk=entry.pk)


def _review_before_sharing(request: HttpRequest, entry: JournalEntry, text: str, **page) -> HttpResponse | None:
    """The check for identifiers before `text` of a client-work entry becomes readable by
    tutors: the review page, or None to go ahead (nothing found, or this text confirmed
    before or just now; the caller then records it). `page` gives the review's links."""
    rows = checks.review_rows(kind=entry.kind, text=text, checked=entry.identifiers_checked)
    if not rows or checks.token_confirms(request.POST.get(checks.CONFIRM_FIELD), {"entry": text}):
        return None
    context = {"entry": entry, "rows": rows, "token": checks.confirm_token({"entry": text}), **page}
    return render(request, "reflect/identifiers_review.html", context)


def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_editable(request, pk)
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
    entry = get_editable(request, pk)
    revisions = entry.revisions.all()
    return render(request, "reflect/entry_history.html", {"entry": entry, "revisions": revisions})


@require_POST
def revision_restore(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    entry = get_editable(request, pk)
    revision = get_object_or_404(entry.revisions, pk=revision_pk)
    text = checks.checked_text(
        title=revision.title, body=revision.body, body_note=entry.body_note, client_code=entry.client_code
    )
    if entry.is_shared and entry.is_published:  # the earlier text would be shared at once
        review = _review_before_sharing(
            request,
            entry,
            text,
            hidden=[],
            confirm_action=reverse("reflect:revision-restore", kwargs={"pk": entry.pk, "revision_pk": revision.pk}),
            change_url=reverse("reflect:entry-history", kwargs={"pk": entry.pk}),
            change_label="Keep the current text",
        )
        if review is not None:
            return review
    services.entry_restore_revision(entry=entry, revision=revision)
    if entry.is_shared and checks.token_confirms(request.POST.get(checks.CONFIRM_FIELD), {"entry": text}):
        services.entry_identifiers_confirm(entry=entry)
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
