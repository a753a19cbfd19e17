"""Deadlines where a trainee looks (the home page and their own calendar, through a
private link they can reset), a top bar of only what each role uses, and
notifications that know when their item was opened another way; no page asks for a
file that isn't there (a missing /favicon.ico)."""

import re

import pytest
from playwright.sync_api import expect

from reflect.feedback import services as feedback_services
from tests.e2e.conftest import sign_in
from tests.reflect.assessment_factories import make_checkpoint

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 800}
CHECKPOINT = "Winter portfolio"


def _desktop_page(new_context, user):
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, user.email)
    return page


def test_the_next_deadline_is_on_the_home_page_and_in_a_private_calendar_link_that_can_be_reset(
    new_context, trainee, cohort
):
    make_checkpoint(cohort, title=CHECKPOINT, due_in_days=5)
    page = _desktop_page(new_context, trainee)
    page.goto("/")
    deadlines = page.get_by_test_id("deadlines")
    expect(deadlines).to_contain_text(CHECKPOINT)
    expect(deadlines).to_contain_text("due")

    page.get_by_role("link", name="Add your deadlines to your calendar").click()
    expect(page).to_have_url(re.compile(r"/accounts/preferences/#calendar$"))
    link = page.get_by_label("Your private calendar link")
    old_url = link.input_value()
    assert re.search(r"/calendar/[^/]+\.ics$", old_url), old_url

    feed = page.request.get(old_url)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text() and CHECKPOINT in feed.text()

    # Resetting asks first; keeping the link changes nothing.
    page.get_by_role("link", name="Reset my calendar link…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your calendar link?")
    page.get_by_role("link", name="Keep my current link").click()
    expect(page.get_by_label("Your private calendar link")).to_have_value(old_url)
    assert page.request.get(old_url).status == 200

    page.get_by_role("link", name="Reset my calendar link…").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Reset my calendar link").click()
    expect(page.locator("main")).to_contain_text("the old one no longer works")
    new_url = page.get_by_label("Your private calendar link").input_value()
    assert new_url != old_url and re.search(r"/calendar/[^/]+\.ics$", new_url)

    assert page.request.get(old_url).status == 404
    fresh = page.request.get(new_url)
    assert fresh.status == 200 and fresh.headers["content-type"].startswith("text/calendar")
    assert CHECKPOINT in fresh.text()


def _top_bar(page) -> list[str]:
    """The labels of the visible top-level items of the main navigation (links and the
    account menu's toggle)."""
    items = page.get_by_role("navigation", name="Main").locator(".navbar-nav > .nav-item > .nav-link")
    expect(items.first).to_be_visible()
    return [items.nth(i).inner_text().strip() for i in range(items.count()) if items.nth(i).is_visible()]


def _account_menu(page) -> list[str]:
    page.get_by_test_id("account-menu").click()
    menu = page.locator("#nav .dropdown-menu")
    expect(menu).to_be_visible()
    return [text.strip() for text in menu.locator(".dropdown-item").all_inner_texts()]


@pytest.mark.parametrize(
    "role, present, absent",
    [
        ("trainee", ["Home", "Journal", "New entry", "Notifications"], ["Rubrics", "Manage", "Trash"]),
        ("tutor", ["Home", "Rubrics", "Notifications"], ["Journal", "New entry", "Trash", "Manage"]),
        ("course_admin", ["Home", "Manage", "Notifications"], ["Journal", "New entry", "Trash"]),
    ],
)
def test_each_role_sees_only_what_it_uses_in_at_most_seven_items(new_context, request, role, present, absent):
    user = request.getfixturevalue(role)
    page = _desktop_page(new_context, user)
    page.goto("/")
    labels = _top_bar(page)
    assert len(labels) <= 7, labels
    for label in present:
        assert label in labels, f"{role}: {label!r} missing from {labels}"
    for label in absent:
        assert label not in labels, f"{role}: {label!r} in the top bar {labels}"
    assert any(label.endswith(str(user)) for label in labels)  # the account menu
    # Trash is the trainee's own, under the account menu; nobody else is offered one.
    assert ("Trash" in _account_menu(page)) == (role == "trainee")


def test_opening_the_entry_directly_reads_its_notification_and_nothing_is_missing(
    new_context, make_entry, trainee, tutor, cohort
):
    entry = make_entry(trainee, cohort, title="The long silence", visibility="shared")
    feedback_services.comment_create(entry=entry, author=tutor, body="What did you notice in your body?")

    page = new_context(viewport=DESKTOP).new_page()
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    sign_in(page, trainee.email)
    page.goto("/")
    badge = page.get_by_test_id("notifications-link").locator(".badge")
    expect(badge).to_have_text("1")

    # Not through the notification: the journal list, then the entry itself.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Journal").click()
    page.locator("main").get_by_role("link", name="The long silence").first.click()
    expect(page).to_have_url(re.compile(rf"/journal/{entry.pk}/$"))
    expect(page.locator("#comment-thread")).to_contain_text("What did you notice in your body?")

    page.get_by_test_id("notifications-link").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    item = page.get_by_test_id("notification").filter(has_text=f"{tutor} commented")
    expect(item).to_have_count(1)
    expect(item.locator(".badge", has_text="New")).to_have_count(0)  # read
    expect(item).not_to_have_class(re.compile("list-group-item-primary"))
    expect(badge).to_have_count(0)
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)

    # Browsers ask for /favicon.ico whatever the page links; it is there.
    favicon = page.request.get("/favicon.ico")
    assert favicon.status == 200 and favicon.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    page.wait_for_load_state("networkidle")
    assert missing == [], f"not found: {missing}"
