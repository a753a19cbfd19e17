"""The engagement report of a cohort, as a page and as CSV, for the course admins who run it."""

import csv
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.manage import chart, reports
from reflect.manage.access import get_cohort_for_admin

DEFAULT_SORT = "name"
PER_PAGE = 100  # trainees per page of the table; the CSV always has them all


def _sorting(request: HttpRequest, report: reports.Report) -> tuple[str, bool]:
    keys = {column.key for column in report.columns}
    key = request.GET.get("sort", DEFAULT_SORT)
    return (key if key in keys else DEFAULT_SORT), request.GET.get("dir") == "desc"


def _headers(report: reports.Report, key: str, descending: bool) -> list[dict]:
    """Each column's label, the link that sorts by it, and its aria-sort when sorted."""
    headers = []
    for column in report.columns:
        current = column.key == key
        next_dir = "asc" if current and descending else "desc" if current else "asc"
        headers.append(
            {
                "label": column.label,
                "query": urlencode({"sort": column.key, "dir": next_dir}),
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return headers


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is journaling and who is falling behind: counts, dates, statuses, outcomes.

    The rows are sorted in memory and then paged, so every page costs the same queries."""
    cohort = get_cohort_for_admin(request, pk)
    data = reports.engagement(cohort)
    key, descending = _sorting(request, data)
    page = Paginator(reports.sort_rows(data.rows, key, descending=descending), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "cohort": cohort,
        "report": data,
        "page": page,
        "rows": page.object_list,
        "headers": _headers(data, key, descending),
        "sort_label": next(column.label for column in data.columns if column.key == key),
        "descending": descending,
        "sort_query": urlencode({"sort": key, "dir": "desc" if descending else "asc"}),
        "chart": chart.weekly_chart(data.weeks, chart_id="weekly-chart", title=f"Weekly journaling in {cohort.name}")
        if data.weeks and data.rows
        else "",
        "chart_description": chart.describe(data.weeks),
    }
    return render(request, "reflect/manage/report.html", context)


@require_GET
def report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The same table as CSV, for a spreadsheet: UTF-8 with a BOM so Excel reads it right.
    An export of people's figures, so it goes in the audit log."""
    cohort = get_cohort_for_admin(request, pk)
    data = reports.engagement(cohort)
    key, descending = _sorting(request, data)
    rows = reports.sort_rows(data.rows, key, descending=descending)
    detail = f"engagement report CSV, {len(rows)} trainee{'' if len(rows) == 1 else 's'}"
    audit_record(actor=request.user, action=Action.EXPORTED, cohort=cohort, detail=detail)
    filename = f"{slugify(cohort.name) or f'cohort-{cohort.pk}'}-engagement.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    csv.writer(response).writerows(reports.csv_table(data, rows))
    return response
