"""Roster import pages: upload a CSV, preview what it would change, apply it.

Between the preview and the apply step the parsed rows are kept in the
server-side session (database-backed), under a random key that only this
person's session knows. The client only ever sends that key back, never the
rows, so nothing it sends can change what gets written; and apply compares the
rows with the cohort again, so a preview that has gone stale does no harm.

Apply takes the key out of the session before writing anything (so a double
click applies once), keeps a summary of what it did under the same key, and
redirects to a result page that survives a reload.
"""

import secrets
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.access import programmes_administered_by
from reflect.cohorts.models import Cohort
from reflect.manage import roster
from reflect.manage.access import get_cohort_for_admin

SESSION_KEY = "roster_imports"
RESULTS_KEY = "roster_results"
KEPT_IMPORTS = 3  # pending previews (and results) kept per session; older ones are dropped
PAGE_SIZE = 100
SKIPPED_SHOWN = 100  # skipped rows listed on the result page; the rest are counted
CLAIM_PREFIX = "roster-apply:"
CLAIM_SECONDS = 60 * 60
ALREADY_IMPORTED = (
    "Another import into this cohort was applied a moment ago, and everyone in this file "
    "is already in the cohort or invited: nothing more to do."
)


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


def _archived(request: HttpRequest, cohort: Cohort) -> HttpResponse | None:
    """An archived cohort takes no imports: send the course admin to its invitations instead."""
    if not cohort.is_read_only:
        return None
    messages.info(request, f"{cohort.name} is archived, so nobody can be imported into it. Its invitations are below.")
    return redirect("reflect:manage-invitations", pk=cohort.pk)


def _keep_newest(entries: dict, stamp: str) -> dict:
    """The newest KEPT_IMPORTS entries only, so the session stays small."""
    return dict(sorted(entries.items(), key=lambda item: item[1][stamp])[-KEPT_IMPORTS:])


def _store(request: HttpRequest, cohort: Cohort, filename: str, rows: list[roster.Row]) -> str:
    key = secrets.token_urlsafe(12)
    pending = request.session.get(SESSION_KEY, {})
    pending[key] = {
        "cohort": cohort.pk,
        "filename": filename[:200],
        "uploaded": timezone.now().isoformat(),
        "rows": [row.to_list() for row in rows],
    }
    request.session[SESSION_KEY] = _keep_newest(pending, "uploaded")
    return key


def _load(request: HttpRequest, cohort: Cohort, key: str) -> dict | None:
    stored = request.session.get(SESSION_KEY, {}).get(key)
    if stored is None or stored["cohort"] != cohort.pk:
        return None
    return {**stored, "rows": [roster.Row.from_list(values) for values in stored["rows"]]}


def _claim(request: HttpRequest, cohort: Cohort, key: str) -> tuple[dict | None, bool]:
    """The pending import, taken out of the session (and the session saved) before
    anything is written, so a second submit of the same key finds it gone. The cache
    claim covers a second request that read the session before this one saved it.
    Returns (the import or None, whether another request is applying it right now)."""
    stored = _load(request, cohort, key)
    if stored is None:
        return None, False
    if not cache.add(f"{CLAIM_PREFIX}{key}", True, CLAIM_SECONDS):
        return None, True
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(key, None)
    request.session[SESSION_KEY] = pending
    request.session.save()
    return stored, False


def _store_result(request: HttpRequest, cohort: Cohort, key: str, filename: str, result: roster.Applied) -> None:
    results = request.session.get(RESULTS_KEY, {})
    results[key] = {
        "cohort": cohort.pk,
        "filename": filename,
        "applied": timezone.now().isoformat(),
        "invited": result.invited,
        "added": result.added,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "skipped": len(result.errors),
        "errors": [
            {"line": row.line, "email": row.email, "name": row.name, "detail": row.detail}
            for row in result.errors[:SKIPPED_SHOWN]
        ],
    }
    request.session[RESULTS_KEY] = _keep_newest(results, "applied")


def _result(request: HttpRequest, cohort: Cohort, key: str) -> dict | None:
    result = request.session.get(RESULTS_KEY, {}).get(key)
    return result if result is not None and result["cohort"] == cohort.pk else None


def _gone(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    messages.info(request, "That import has already been applied or has expired. Upload the file again to check it.")
    return redirect("reflect:manage-roster-import", pk=cohort.pk)


@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    if archived := _archived(request, cohort):
        return archived
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
    cohort = get_cohort_for_admin(request, pk)
    if archived := _archived(request, cohort):
        return archived
    stored = _load(request, cohort, key)
    if stored is None:
        if _result(request, cohort, key) is not None:
            return redirect("reflect:manage-roster-result", pk=cohort.pk, key=key)
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
        "total": sum(counts.values()),
        "filters": [(status, label, counts[status]) for status, label in roster.STATUS_LABELS.items()],
        "shown": shown,
        "to_apply": counts[roster.NEW] + counts[roster.UPDATED],
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": urlencode({"status": shown}) if shown else "",
    }
    return render(request, "reflect/manage/roster_preview.html", context)


@require_POST
def roster_apply(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Apply, then send the browser to the result page (so a reload shows the result
    again instead of submitting twice)."""
    cohort = get_cohort_for_admin(request, pk)
    if archived := _archived(request, cohort):
        return archived
    stored, busy = _claim(request, cohort, key)
    if busy:
        messages.info(
            request,
            "This import is already being applied, so it was not applied a second time. "
            "The people it invites appear here once it is done.",
        )
        return redirect("reflect:manage-invitations", pk=cohort.pk)
    if stored is None:
        if _result(request, cohort, key) is not None:
            messages.info(request, "This import had already been applied, so nothing was done twice.")
            return redirect("reflect:manage-roster-result", pk=cohort.pk, key=key)
        return _gone(request, cohort)
    result = roster.roster_apply(cohort=cohort, rows=stored["rows"], by=request.user)
    if result.after_another_import:
        messages.info(request, ALREADY_IMPORTED)
    _store_result(request, cohort, key, stored["filename"], result)
    return redirect("reflect:manage-roster-result", pk=cohort.pk, key=key)


@require_GET
def roster_result(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """What an applied import did; it stays readable (reloads included) for as long as the session keeps it."""
    cohort = get_cohort_for_admin(request, pk)
    result = _result(request, cohort, key)
    if result is None:
        return _archived(request, cohort) or _gone(request, cohort)
    context = {
        "cohort": cohort,
        "result": result,
        "filename": result["filename"],
        "more": result["skipped"] - len(result["errors"]),
    }
    return render(request, "reflect/manage/roster_result.html", context)


@require_GET
def roster_template(request: HttpRequest) -> HttpResponse:
    """The example CSV, for anyone who runs a programme."""
    if not programmes_administered_by(request.user).exists():
        raise Http404
    response = HttpResponse(roster.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reflect-roster-template.csv"'
    return response
