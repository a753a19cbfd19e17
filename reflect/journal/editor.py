"""The entry editor: new, edit, autosave and preview.

The journal knows only its own fields. What other capabilities add to an entry
(evidence for rubric criteria, from assessment) comes in through an `Editor`
that reflect.pages passes in, so this module never imports them."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_POST

from reflect.access import cohorts_as
from reflect.cohorts.models import Cohort, Role
from reflect.journal import checks, services
from reflect.journal.forms import EntryForm
from reflect.journal.markdown import render_markdown
from reflect.journal.models import BODY_MAX, JournalEntry, Visibility
from reflect.journal.reflective import FREE, STAGES, TEMPLATE_CHOICES, compose_body, section_field_name
from reflect.journal.versions import EntryChanged, Loaded, latest_text

TOO_LONG = (
    "This entry is too long to save: an entry can be up to {limit:,} characters. "
    "Please shorten it or split it into two entries; everything you typed is still in the page."
)


class Editor:
    """The journal's own editor. A higher layer subclasses it to add fields to the
    form and save them with the entry, in the same transaction."""

    form_class: type[EntryForm] = EntryForm

    def form_kwargs(self, request: HttpRequest) -> dict:
        return {}

    def initial(self, entry: JournalEntry) -> dict:
        return {}

    def held_aside(self, form: EntryForm) -> dict:
        """Validated extra fields to keep with a published entry's unpublished changes."""
        return {}

    def saved(self, entry: JournalEntry, form: EntryForm, *, publishing: bool) -> None:
        """Called after the journal saved the entry. A published entry saved as a
        draft holds its changes aside (in `pending`), so extras should wait too."""


EDITOR_URL_NAMES = {"entry-new", "entry-edit"}


def is_editor_path(path: str) -> bool:
    """Whether `path` (a sign-in page's `next`) is the editor, so that page can say what
    became of the text of someone whose session expired while writing."""
    parts = urlsplit(path or "")
    if parts.scheme or parts.netloc:
        return False  # another site's address, not our editor
    try:
        return resolve(parts.path).url_name in EDITOR_URL_NAMES
    except Resolver404:
        return False


def trainee_cohorts(user) -> list[Cohort]:
    return list(cohorts_as(user, Role.TRAINEE).active())


def get_editable(request: HttpRequest, pk: int) -> JournalEntry:
    return get_object_or_404(JournalEntry.objects.editable_by(request.user).select_related("cohort"), pk=pk)


def _form(request: HttpRequest, editor: Editor, *args, cohorts, **kwargs) -> EntryForm:
    return editor.form_class(*args, cohorts=cohorts, **kwargs, **editor.form_kwargs(request))


def _render(
    request: HttpRequest, form: EntryForm, entry: JournalEntry | None, status: int = 200, *, conflict: bool = False
) -> HttpResponse:
    context = {
        "form": form,
        "entry": entry,
        "stages": STAGES,
        "templates": TEMPLATE_CHOICES,
        "has_cohort": bool(form.fields["cohort"].queryset.exists()),
        "autosave_interval": settings.AUTOSAVE_INTERVAL_SECONDS,
        "body_max": BODY_MAX,
        "upload_max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "latest_entry": _latest_entry(request) if entry is None else None,
        # A form sent back with errors still started from the version its page loaded;
        # only after a conflict, shown to the person, does the page move on to the newer one.
        "version": (not conflict and Loaded.parse(request.POST.get("version"))) or Loaded.fresh(entry),
    }
    if conflict:
        context.update(yours=_typed_text(form), saved=latest_text(entry))
    template = "reflect/entry_form_conflict.html" if conflict else "reflect/entry_form.html"
    return render(request, template, context, status=status)


def _typed_text(form: EntryForm) -> tuple[str, str]:
    data = form.cleaned_data
    template = data.get("template") or FREE
    return data.get("title", ""), data.get("body", "") if template == FREE else compose_body(template, data["sections"])


def _editor_text(initial: dict) -> dict:
    """A templated entry's body is composed from its sections; the editor's (hidden) free
    writing box starts empty, so switching to Free writing brings the sections back once."""
    if initial.get("template", FREE) != FREE:
        initial["body"] = ""
    return initial


def _latest_entry(request: HttpRequest) -> dict | None:
    """The text of the user's most recently saved entry, so the new-entry page can tell
    a browser copy that a last save on leaving did reach from one that never arrived."""
    entry = JournalEntry.objects.editable_by(request.user).order_by("-updated_at").first()
    if entry is None:
        return None
    saved = {**EntryForm.initial_from_entry(entry, with_tags=False), **(entry.pending or {}).get("data", {})}
    values = _editor_text(saved)
    text_fields = ["title", "body", *(section_field_name(t, s.key) for t, stages in STAGES.items() for s in stages)]
    return {"id": entry.pk, "values": {k: str(values.get(k) or "") for k in text_fields}}


def _cohorts_for(request: HttpRequest, entry: JournalEntry | None) -> list[Cohort]:
    cohorts = trainee_cohorts(request.user)
    if entry is not None and entry.cohort not in cohorts:
        cohorts.append(entry.cohort)
    return cohorts


@transaction.atomic
def _save(request: HttpRequest, entry: JournalEntry | None, editor: Editor, *, autosave: bool = False):
    """Validate the editor's POST and save it. Returns (entry, form); entry is None if invalid."""
    publishing = not autosave and request.POST.get("action") == "publish"
    form = _form(request, editor, request.POST, cohorts=_cohorts_for(request, entry), publishing=publishing)
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    form.review, confirmed = _identifier_review(request, entry, form) if publishing else (None, False)
    if form.review:
        publishing = False  # kept as a draft, private, until the trainee has looked
    # No `version` (a page rendered before it existed): saved unchecked, as before.
    kwargs = {"author": request.user, "cohort": data["cohort"], "data": data, "entry": entry, "tags": data["tags"]}
    kwargs["loaded"] = Loaded.parse(request.POST.get("version"))
    try:
        if publishing:
            saved = services.entry_publish(**kwargs)
        else:
            saved = services.entry_save_draft(autosave=autosave, extra=editor.held_aside(form), **kwargs)
    except EntryChanged as changed:
        changed.form = form  # what they typed, for the page that shows both texts
        raise
    editor.saved(saved, form, publishing=publishing)
    if confirmed:
        services.entry_identifiers_confirm(entry=saved)
    return saved, form


def _identifier_review(request: HttpRequest, entry: JournalEntry | None, form: EntryForm):
    """For a client-work entry published as shared: (what to review, None) if its text
    has likely identifiers the trainee has not confirmed, else (None, whether they just
    confirmed it). Private entries and other kinds are never checked."""
    data = form.cleaned_data
    if data.get("visibility") != Visibility.SHARED:
        return None, False
    title, body = _typed_text(form)
    text = checks.checked_text(
        title=title, body=body, body_note=data.get("body_note", ""), client_code=data.get("client_code", "")
    )
    rows = checks.review_rows(kind=data.get("kind"), text=text, checked=entry.identifiers_checked if entry else "")
    if not rows:
        return None, False
    if checks.token_confirms(request.POST.get(checks.CONFIRM_FIELD), {"entry": text}):
        return None, True
    return {"rows": rows, "token": checks.confirm_token({"entry": text})}, False


REPOSTED_EXCEPT = {"csrfmiddlewaretoken", "version", "entry_id", "action", checks.CONFIRM_FIELD}


def _review(request: HttpRequest, entry: JournalEntry, review: dict) -> HttpResponse:
    """The check's findings, after the text was kept as a draft. "I've checked" sends the
    same fields again, now to the saved entry's editor, with the signed confirmation."""
    hidden = [(k, v) for k, values in request.POST.lists() if k not in REPOSTED_EXCEPT for v in values]
    hidden += [("version", str(Loaded(entry.version, entry.saved_by_page))), ("action", "publish")]
    context = {
        "entry": entry,
        "rows": review["rows"],
        "token": review["token"],
        "hidden": hidden,
        "saved_as_draft": True,
        "confirm_action": reverse("reflect:entry-edit", kwargs={"pk": entry.pk}),
        "change_url": reverse("reflect:entry-edit", kwargs={"pk": entry.pk}),
    }
    return render(request, "reflect/identifiers_review.html", context)


def entry_new(request: HttpRequest, editor: Editor) -> HttpResponse:
    if request.method == "POST":
        entry, form = _save(request, None, editor)
        if entry is not None:
            return _review(request, entry, form.review) if form.review else _after_save(request, entry)
        return _render(request, form, None, status=400)
    initial = {}
    template = request.GET.get("template") if request.GET.get("template") in STAGES else FREE
    initial["template"] = template
    if request.GET.get("prompt"):
        # The prompt goes where the trainee will write: the body, or a template's first section.
        field = "body" if template == FREE else section_field_name(template, STAGES[template][0].key)
        initial[field] = f"> {request.GET['prompt'][:500]}\n\n"
    return _render(request, _form(request, editor, initial=initial, cohorts=_cohorts_for(request, None)), None)


def entry_edit(request: HttpRequest, pk: int, editor: Editor) -> HttpResponse:
    entry = get_editable(request, pk)
    if request.method == "POST":
        try:
            saved, form = _save(request, entry, editor)
        except EntryChanged as changed:
            # Both texts side by side; what they typed stays in the form, and the page now
            # carries the newer version, so their next save (their choice, or a merge) applies.
            return _render(request, changed.form, changed.entry, status=409, conflict=True)
        if saved is not None:
            return _review(request, saved, form.review) if form.review else _after_save(request, saved)
        return _render(request, form, entry, status=400)
    initial = {**EntryForm.initial_from_entry(entry), **editor.initial(entry)}
    if entry.pending:
        initial.update(entry.pending.get("data", {}))
        messages.info(request, "You have unpublished changes; they are loaded below. Publish to update the entry.")
    initial = _editor_text(initial)
    return _render(request, _form(request, editor, initial=initial, cohorts=_cohorts_for(request, entry)), entry)


def _after_save(request: HttpRequest, entry: JournalEntry) -> HttpResponse:
    if entry.is_published and not entry.pending:
        messages.success(request, "Published.")
        return redirect("reflect:entry-detail", pk=entry.pk)
    messages.success(request, f"Draft saved at {date_filter(timezone.localtime(entry.autosaved_at), 'H:i')}.")
    return redirect("reflect:entry-edit", pk=entry.pk)


def entry_autosave(request: HttpRequest, editor: Editor) -> JsonResponse:
    """Called by the editor every few seconds and when the page is left."""
    entry = None
    if request.POST.get("entry_id", "").isdigit():
        entry = get_editable(request, int(request.POST["entry_id"]))
    try:
        saved, form = _save(request, entry, editor, autosave=True)
    except EntryChanged as changed:
        return _conflict_json(changed.entry)
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
            "updated_at": timezone.localtime(saved.updated_at).isoformat(),
            "saved_label": f"Saved at {date_filter(saved_at, 'H:i')}",
            "edit_url": reverse("reflect:entry-edit", kwargs={"pk": saved.pk}),
            # The page's `version` field should take this, so its next save is checked against it.
            "version": str(Loaded(saved.version, saved.saved_by_page)),
        }
    )


def _conflict_json(changed: JournalEntry) -> JsonResponse:
    """Autosave from a page that loaded an older version: nothing saved. The text is the
    author's own (only they can edit), so the editor may show it to offer a merge.
    `saved`/`message` let editors that know nothing of conflicts say something true."""
    title, body = latest_text(changed)
    message = "this entry was changed in another tab or window. Publish or save to compare the two texts."
    return JsonResponse(
        {
            "saved": False,
            "conflict": True,
            "message": message,
            "server_version": changed.version,
            "server_title": title,
            "server_body": body,
        },
        status=409,
    )


@require_POST
def entry_preview(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST, cohorts=[], publishing=False)
    form.is_valid()
    data = form.cleaned_data
    template = data.get("template") or FREE
    text = data.get("body", "") if template == FREE else compose_body(template, data.get("sections", {}))
    return render(request, "reflect/_entry_preview.html", {"html": render_markdown(text[:100_000])})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400. A request bigger than DATA_UPLOAD_MAX_MEMORY_SIZE fails before any view
    runs (the CSRF check reads the form); the editor's autosave gets JSON it can put in
    plain words rather than a bare 400 it would take for a lost session."""
    if isinstance(exception, RequestDataTooBig):
        message = TOO_LONG.format(limit=BODY_MAX)
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"saved": False, "message": message, "errors": {"body": [message]}}, status=413)
        return HttpResponse(message, content_type="text/plain; charset=utf-8", status=413)
    return defaults.bad_request(request, exception)
