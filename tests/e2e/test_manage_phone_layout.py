"""At 390 px, a course admin's Members, Invitations and Checkpoints pages fit the phone:
each table row stacks into a labelled card (nothing scrolls out of sight), the role
select is full width, and every cohort tab, the active one included, is in view. A
trainee's portfolio tick boxes sit on the line of their labels."""

import pytest
from django.utils import timezone

from reflect.manage.models import CohortInvitation
from tests.e2e.conftest import sign_in
from tests.reflect.assessment_factories import make_checkpoint

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # No table scrolls sideways inside its box either: its cards fit.
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.table-responsive')].filter(e => e.scrollWidth > e.clientWidth + 1).length"
    )
    assert overflowing == 0


def _box(locator) -> dict:
    return locator.bounding_box()


def test_a_course_admins_manage_pages_stack_on_a_phone(new_context, course_admin, cohort, tutor, trainee):
    CohortInvitation.objects.create(
        cohort=cohort,
        email="a.really.long.address.for.a.phone@example.org",
        first_name="Priya",
        last_name="Patel",
        sent_at=timezone.now(),
    )
    checkpoint = make_checkpoint(cohort, title="A portfolio checkpoint with quite a long title")

    page = new_context(viewport=PHONE).new_page()
    sign_in(page, course_admin.email)

    page.goto(f"/manage/cohorts/{cohort.pk}/members/")
    _fits_the_phone(page)
    select = page.get_by_label(f"Role of {trainee}")
    assert _box(select)["width"] >= 250  # not a bare chevron
    row = page.get_by_test_id("member-table").locator("tbody tr").filter(has=select)
    # The column's name is shown on the card, above the select.
    assert row.locator("td[data-label=Role]").evaluate("e => getComputedStyle(e, '::before').content") == '"Role"'
    tick, name = (
        page.locator(f"input[aria-label='Choose {trainee}']"),
        page.locator("label[for^=pick-]", has_text=str(trainee)),
    )
    assert abs(_box(tick)["y"] - _box(name)["y"]) < 12  # the tick box sits on the name's line

    # Every tab is in view, the current one included: none hides off the right edge.
    tabs = page.get_by_role("navigation", name="Cohort administration").get_by_role("link")
    for i in range(tabs.count()):
        box = _box(tabs.nth(i))
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], tabs.nth(i).inner_text()
    assert page.get_by_role("link", name="Members", exact=True).get_attribute("aria-current") == "page"

    page.goto(f"/manage/cohorts/{cohort.pk}/invitations/")
    _fits_the_phone(page)
    assert page.get_by_role("button", name="Send again").is_visible()

    page.goto(f"/manage/cohorts/{cohort.pk}/checkpoints/")
    _fits_the_phone(page)
    assert page.get_by_role("link", name="Close").first.is_visible()

    page.goto(f"/manage/cohorts/{cohort.pk}/checkpoints/{checkpoint.pk}/")
    _fits_the_phone(page)


def test_a_wide_screen_keeps_the_tables_and_their_regions_are_keyboard_reachable(new_context, course_admin, cohort):

    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, course_admin.email)
    page.goto(f"/manage/cohorts/{cohort.pk}/members/")
    assert page.get_by_role("columnheader", name="Role").is_visible()
    region = page.get_by_role("region", name="Members (scrolls sideways)")
    assert region.get_attribute("tabindex") == "0"
    tabs = page.get_by_role("navigation", name="Cohort administration").get_by_role("link")
    tops = {round(_box(tabs.nth(i))["y"]) for i in range(tabs.count())}
    assert len(tops) == 1  # one row of tabs


def test_a_trainees_portfolio_tick_boxes_sit_beside_their_labels_on_a_phone(new_context, trainee, cohort, make_entry):

    make_entry(trainee, cohort, title="Repair with a client after I cancelled a session at short notice")
    checkpoint = make_checkpoint(cohort)
    page = new_context(viewport=PHONE).new_page()
    sign_in(page, trainee.email)
    page.goto(f"/checkpoints/{checkpoint.pk}/")
    _fits_the_phone(page)

    tick = page.get_by_role("checkbox", name="Repair with a client")
    label = page.locator(f"label[for='{tick.get_attribute('id')}']")
    t, lb = _box(tick), _box(label)
    assert t["x"] + t["width"] <= lb["x"]  # beside the label, not above it
    assert t["y"] < lb["y"] + 24  # on its first line
    assert t["width"] >= 18  # bigger than the browser's default box
    label.click(position={"x": lb["width"] - 5, "y": 5})  # the whole label ticks it
    assert tick.is_checked()
