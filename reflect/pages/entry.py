"""The entry page and the entry editor, composed from the journal (the writing),
feedback (the comment thread) and assessment (evidence for rubric criteria)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from reflect.assessment.evidence import EvidenceFormMixin, criteria_evidenced, evidence_set
from reflect.feedback.services import comment_thread, notifications_read_on_open
from reflect.journal import editor, views
from reflect.journal.forms import EntryForm
from reflect.journal.models import JournalEntry


class EntryWithEvidenceForm(EvidenceFormMixin, EntryForm):
    """The journal's editor form with the optional "Evidence for" ticks."""


class EvidenceEditor(editor.Editor):
    form_class = EntryWithEvidenceForm

    def form_kwargs(self, request: HttpRequest) -> dict:
        return {"trainee": request.user}

    def initial(self, entry: JournalEntry) -> dict:
        return EntryWithEvidenceForm.evidence_initial(entry)

    def held_aside(self, form: EntryForm) -> dict:
        return {"criteria": [c.pk for c in form.cleaned_data["criteria"]]}

    def saved(self, entry: JournalEntry, form: EntryForm, *, publishing: bool) -> None:
        # A published entry saved as a draft keeps its ticks with its text, in `pending`, until republished.
        if publishing or not entry.is_published:
            evidence_set(entry=entry, criteria=list(form.cleaned_data["criteria"]))


EDITOR = EvidenceEditor()


@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = views.get_readable(request, pk)
    # Read here, the entry's notifications are read too, however the person came.
    notifications_read_on_open(user=request.user, entry_id=entry.pk)
    context = {
        **views.entry_context(request, entry),
        "evidence": criteria_evidenced(entry),
        "entry_comments": comment_thread(entry_id=entry.pk, user=request.user),
    }
    return render(request, "reflect/entry_detail.html", context)


def entry_new(request: HttpRequest) -> HttpResponse:
    return editor.entry_new(request, EDITOR)


def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return editor.entry_edit(request, pk, EDITOR)


@require_POST
def entry_autosave(request: HttpRequest) -> JsonResponse:
    return editor.entry_autosave(request, EDITOR)
