"""Roster import pages: upload a CSV, preview what it would change, apply it.

Between the preview and the apply step the parsed rows are kept in the
server-side session (database-backed), under a random key that only this
person's session knows. The client only ever sends that key back, never the
rows, so nothing it sends can change what gets written; and apply compares the
rows with the cohort again, so a preview that has gone stale does no harm.
"""

import secrets
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.cohorts.models import Cohort, Programme
from reflect.manage import roster

SESSION_KEY = "roster_imports"
KEPT_IMPORTS = 3  # pending previews kept per session; older ones are dropped
PAGE_SIZE = 100


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Up to 5,000 people and 10 MB. Comma- or semicolon-separated, as Excel saves it.",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty. The first line should name the columns, with one person on each line.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.cleaned_data["rows"] = roster.parse_upload(upload)
        except roster.RosterError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


def _cohort(request: HttpRequest, pk: int) -> Cohort:
    """A cohort this person administers that is still open for changes; anything else is 404."""
    return get_object_or_404(Cohort.objects.administered_by(request.user).active().select_related("programme"), pk=pk)


def _store(request: HttpRequest, cohort: Cohort, filename: str, rows: list[roster.Row]) -> str:
    key = secrets.token_urlsafe(12)
    pending = request.session.get(SESSION_KEY, {})
    pending[key] = {
        "cohort": cohort.pk,
        "filename": filename[:200],
        "uploaded": timezone.now().isoformat(),
        "rows": [row.to_list() for row in rows],
    }
    # Keep the newest few only, so the session stays small.
    request.session[SESSION_KEY] = dict(sorted(pending.items(), key=lambda item: item[1]["uploaded"])[-KEPT_IMPORTS:])
    return key


def _load(request: HttpRequest, cohort: Cohort, key: str) -> dict | None:
    stored = request.session.get(SESSION_KEY, {}).get(key)
    if stored is None or stored["cohort"] != cohort.pk:
        return None
    return {**stored, "rows": [roster.Row.from_list(values) for values in stored["rows"]]}


def _gone(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    messages.info(request, "That import has already been applied or has expired. Upload the file again to check it.")
    return redirect("reflect:manage-roster-import", pk=cohort.pk)


@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            key = _store(request, cohort, form.cleaned_data["file"].name, form.cleaned_data["rows"])
            return redirect("reflect:manage-roster-preview", pk=cohort.pk, key=key)
        status = 400
    else:
        status = 200
    context = {"cohort": cohort, "form": form, "columns": roster.TEMPLATE_ROWS}
    return render(request, "reflect/manage/roster_import.html", context, status=status)


@require_GET
def roster_preview(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    cohort = _cohort(request, pk)
    stored = _load(request, cohort, key)
    if stored is None:
        return _gone(request, cohort)
    rows = roster.classify(cohort, stored["rows"])
    counts = roster.summary(rows)
    shown = request.GET.get("status", "")
    if shown in roster.STATUS_LABELS:
        rows = [row for row in rows if row.status == shown]
    else:
        shown = ""
    context = {
        "cohort": cohort,
        "key": key,
        "filename": stored["filename"],
        "counts": counts,
        "labels": roster.STATUS_LABELS,
        "shown": shown,
        "to_apply": counts[roster.NEW] + counts[roster.UPDATED],
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": urlencode({"status": shown}) if shown else "",
    }
    return render(request, "reflect/manage/roster_preview.html", context)


@require_POST
def roster_apply(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    cohort = _cohort(request, pk)
    stored = _load(request, cohort, key)
    if stored is None:
        return _gone(request, cohort)
    result = roster.roster_apply(cohort=cohort, rows=stored["rows"], by=request.user)
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(key, None)
    request.session[SESSION_KEY] = pending
    context = {"cohort": cohort, "result": result, "filename": stored["filename"]}
    return render(request, "reflect/manage/roster_result.html", context)


@require_GET
def roster_template(request: HttpRequest) -> HttpResponse:
    """The example CSV, for anyone who runs a programme."""
    if not Programme.objects.administered_by(request.user).exists():
        raise Http404
    response = HttpResponse(roster.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reflect-roster-template.csv"'
    return response
