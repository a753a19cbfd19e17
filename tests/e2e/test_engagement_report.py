"""The engagement report on a 1,366-px laptop screen: the table is not cut off, its
counting rule is stated above it, and a trainee's "N of M" weeks agree with what the
tutor's cohort dashboard shows for the same trainee."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reflect.cohorts.models import Cohort, Membership
from reflect.journal.models import JournalEntry
from tests.e2e.conftest import sign_in
from tests.reflect.assessment_factories import make_checkpoint

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}
WEEKS_SINCE_START = 8  # the cohort began seven weeks before this one
WEEKS_WRITTEN = (0, 2, 3, 5)  # weeks after the start with a published entry


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@pytest.fixture
def started_cohort(cohort, trainee):
    """The cohort began on the Monday seven weeks ago; the trainee joined that day and
    published in four distinct weeks since (twice in one of them)."""
    tz = cohort.tz
    start = _monday(timezone.localtime(timezone=tz).date()) - datetime.timedelta(weeks=WEEKS_SINCE_START - 1)
    Cohort.objects.filter(pk=cohort.pk).update(start_date=start, end_date=start + datetime.timedelta(weeks=40))
    cohort.refresh_from_db()
    joined = datetime.datetime.combine(start, datetime.time(9), tzinfo=tz)
    Membership.objects.filter(user=trainee, cohort=cohort).update(joined_at=joined)
    return cohort


def _write_in_weeks(make_entry, trainee, cohort) -> None:
    start = cohort.start_date
    days = [start + datetime.timedelta(weeks=w, days=2) for w in WEEKS_WRITTEN]
    days.append(days[1] + datetime.timedelta(days=1))  # a second entry in one week counts once
    for n, day in enumerate(days):
        entry = make_entry(trainee, cohort, title=f"Entry {n}")
        when = datetime.datetime.combine(day, datetime.time(12), tzinfo=cohort.tz)
        JournalEntry.objects.filter(pk=entry.pk).update(created_at=when, published_at=when)


def _last_header_reachable(page) -> None:
    header = page.locator("#engagement-table thead th").last
    box = header.bounding_box()
    if box["x"] + box["width"] <= LAPTOP["width"]:
        return
    # Otherwise it must be in a region the keyboard can scroll to it.
    region = page.locator("#engagement-table").locator("xpath=ancestor::div[@role='region']")
    assert region.get_attribute("tabindex") == "0", "the table is cut off and its region can't be scrolled"
    region.focus()
    for _ in range(60):
        page.keyboard.press("ArrowRight")
        box = header.bounding_box()
        if box["x"] + box["width"] <= LAPTOP["width"]:
            return
    raise AssertionError("the last column stays out of reach of the keyboard")


def test_the_report_fits_a_laptop_states_its_rule_and_agrees_with_the_dashboard(
    new_context, started_cohort, course_admin, tutor, trainee, make_entry
):
    cohort = started_cohort
    _write_in_weeks(make_entry, trainee, cohort)
    for n in range(3):  # each checkpoint adds two columns
        make_checkpoint(cohort, title=f"Portfolio checkpoint {n + 1}: reflective practice review", due_in_days=7 * n)
    written = len(WEEKS_WRITTEN)

    # --- the course admin's report -----------------------------------------------------------
    page = new_context(viewport=LAPTOP).new_page()
    sign_in(page, course_admin.email)
    page.goto(f"/manage/cohorts/{cohort.pk}/report/")
    table = page.locator("#engagement-table")
    expect(table).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    _last_header_reachable(page)

    rule = page.locator("#engagement-help")
    expect(rule).to_contain_text("since the cohort started (or since they joined, if later)")
    assert rule.bounding_box()["y"] < table.bounding_box()["y"]  # stated above the table

    row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=str(trainee)))
    expect(row.locator("td").first).to_have_text(re.compile(rf"^{written} of {WEEKS_SINCE_START}\b"))

    # --- the tutor's cohort dashboard shows the same weeks -------------------------------
    tutor_page = new_context(viewport=LAPTOP).new_page()
    sign_in(tutor_page, tutor.email)
    tutor_page.goto(f"/cohorts/{cohort.pk}/")
    dashboard_row = tutor_page.locator("tr").filter(has=tutor_page.get_by_role("rowheader", name=str(trainee)))
    week_cells = dashboard_row.locator("td.text-center")
    expect(week_cells.first).to_be_visible()
    counted = week_cells.filter(has_not_text="not yet in the cohort")
    with_entries = counted.filter(has_not_text=re.compile(r"^0$"))
    assert counted.count() == WEEKS_SINCE_START
    assert with_entries.count() == written
    assert sorted(int(text) for text in with_entries.all_inner_texts()) == [1, 1, 1, 2]
