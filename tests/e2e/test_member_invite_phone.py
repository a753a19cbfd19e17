"""On a phone (390 px wide), a course admin opens the collapsed menu, goes to Manage and a
cohort's Members page, invites one person there and sees them listed as invited."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from config.celery import app
from reflect.manage.models import CohortInvitation
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _emails_sent_at_once():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_a_course_admin_invites_one_person_from_members_on_a_phone(new_context, course_admin, cohort, tutor):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, course_admin.email)

    # The bar is collapsed: its items appear once the menu button is pressed.
    manage = page.get_by_role("navigation", name="Main").get_by_role("link", name="Manage")
    expect(manage).to_be_hidden()
    page.get_by_role("button", name="Show menu").click()
    expect(manage).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="New entry")).to_have_count(0)
    # The account menu opens from the keyboard, and Escape closes it.
    page.get_by_test_id("account-menu").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    with page.expect_navigation():
        manage.click()

    page.get_by_role("link", name="Members").first.click()
    expect(page).to_have_url(re.compile(rf"/manage/cohorts/{cohort.pk}/members/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone

    # The list starts on the first screen; the forms are folded above it.
    heading = page.get_by_role("heading", name=re.compile(r"^Members \(\d+\)"))
    assert heading.bounding_box()["y"] < PHONE["height"]
    form = page.get_by_test_id("invite-form")
    expect(form).to_be_hidden()
    page.locator("summary", has_text="Invite someone").click()
    form.get_by_label("First name").fill("Priya")
    form.get_by_label("Last name").fill("Patel")
    form.get_by_label("Email address").fill("priya.patel@example.org")
    form.get_by_label("Role").select_option("trainee")
    form.get_by_label("Tutor").select_option(label=str(tutor))
    with page.expect_navigation():
        form.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status").first).to_contain_text("Invitation to join as a trainee emailed to Priya Patel.")
    waiting = page.get_by_test_id("waiting-list")
    expect(waiting).to_contain_text("Priya Patel")
    expect(waiting).to_contain_text("priya.patel@example.org")
    invitation = CohortInvitation.objects.get(cohort=cohort)
    assert invitation.tutor_email == tutor.email
    assert [m.to for m in mail.outbox] == [["priya.patel@example.org"]]
    assert page.request.get("/favicon.ico").status == 200
