"""A cohort's audit log under /manage/cohorts/<id>/audit/: who did what to whom,
newest first, filtered by action and by person, as a page and as CSV.

Only the people who run the cohort's programme get here (`get_cohort_for_admin`);
everyone else gets a 404. The log holds no journal text, so neither does any of this."""

import csv
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from reflect.audit.models import Action, AuditEvent
from reflect.audit.services import audit_record
from reflect.cohorts.models import Cohort
from reflect.manage.access import get_cohort_for_admin
from reflect.manage.reports import spreadsheet_safe

PAGE_SIZE = 50
SELF_APPOINTED = "gave themselves this role"


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "All actions"), *Action.choices])
    person = forms.CharField(
        label="Person",
        required=False,
        max_length=100,
        help_text="Part of a name or email address: who acted, or who it was done to.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def filters(self) -> dict[str, str]:
        """The valid filters; a made-up action or an over-long search is ignored rather than refused."""
        self.is_valid()
        return {"action": self.cleaned_data.get("action", ""), "person": self.cleaned_data.get("person", "").strip()}


def audit_events(cohort: Cohort, *, action: str = "", person: str = "") -> QuerySet[AuditEvent]:
    """The cohort's events, newest first, with the people they name. `person` matches
    every word against the actor's and the subject's name and email, and the detail
    (where an invitation's address is, for someone with no account yet)."""
    events = AuditEvent.objects.filter(cohort=cohort)
    if action:
        events = events.filter(action=action)
    for word in person.split():
        events = events.filter(
            Q(actor__display_name__icontains=word)
            | Q(actor__email__icontains=word)
            | Q(subject__display_name__icontains=word)
            | Q(subject__email__icontains=word)
            | Q(detail__icontains=word)
        )
    return events.select_related("actor", "subject").order_by("-at", "-id")


@require_GET
def audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    form = AuditFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(audit_events(cohort, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in filters.items() if value})
    context = {
        "cohort": cohort,
        "form": form,
        "page": page,
        "filtered": bool(query),
        "query": query,  # kept by the pagination links and the CSV link
        "self_appointed": SELF_APPOINTED,
    }
    return render(request, "reflect/manage/audit_log.html", context)


CSV_HEADER = ["When (UTC)", "Action", "By", "By email", "Person", "Person email", "Self-appointed", "Detail"]


def csv_rows(events) -> list[list[str]]:
    """A header and one line per event, every cell safe for spreadsheets (a name
    typed as a formula is shown as text)."""
    lines = [CSV_HEADER]
    for event in events:
        lines.append(
            [
                event.at.isoformat(timespec="seconds"),
                event.get_action_display(),
                str(event.actor) if event.actor else "",
                event.actor.email if event.actor else "",
                str(event.subject) if event.subject else "",
                event.subject.email if event.subject else "",
                f"yes: {SELF_APPOINTED}" if event.self_appointed else "",
                event.detail,
            ]
        )
    return [[spreadsheet_safe(value) for value in line] for line in lines]


@require_GET
def audit_log_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The filtered log as CSV (UTF-8 with a BOM, for Excel). Downloading it is itself
    an export of people's details, so it goes in the log too, after the rows are read."""
    cohort = get_cohort_for_admin(request, pk)
    filters = AuditFilterForm(request.GET).filters()
    lines = csv_rows(audit_events(cohort, **filters))
    described = ", ".join(f"{key} “{value}”" for key, value in filters.items() if value)
    detail = f"audit log CSV, {len(lines) - 1} rows" + (f", filtered by {described}" if described else "")
    audit_record(actor=request.user, action=Action.EXPORTED, cohort=cohort, detail=detail)
    filename = f"{slugify(cohort.name) or f'cohort-{cohort.pk}'}-audit-log.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    csv.writer(response).writerows(lines)
    return response
