"""A course admin sets up a cohort in a real browser: creates it, imports a roster
from a CSV, checks the preview, applies it; an invited trainee then accepts the
emailed link, sets a password and lands on their dashboard."""

import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from config.celery import app
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.manage.models import CohortInvitation

pytestmark = pytest.mark.e2e

ROSTER = (
    "Email,First name,Last name,Role,Tutor email\r\n"
    "priya.patel@example.org,Priya,Patel,trainee,sam.tutor@example.org\r\n"
    "owen.hughes@example.org,Owen,Hughes,trainee,sam.tutor@example.org\r\n"
    '"li.wei@example.org","Wei","Li, Jr",Trainee,\r\n'
    "sam.tutor@example.org,Sam,Okafor,Tutor,\r\n"
)


@pytest.fixture(autouse=True)
def _emails_sent_at_once():
    """The invitation emails' Celery task runs when the import commits, in the live
    server's thread, so the test reads them from the outbox straight away."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


LINK = re.compile(r"https?://\S+/invite/[^/\s]+/")
NEW_PASSWORD = "quiet-harbour-lantern-93"


def test_admin_imports_a_roster_and_an_invited_trainee_joins(page_for, new_context, user_factory, programme, tmp_path):
    admin = user_factory("ada.admin@example.test", "Ada Admin")
    programme.admins.add(admin)
    page = page_for(admin)

    # --- create the cohort ----------------------------------------------------------------------------------
    page.goto("/manage/")
    page.get_by_role("link", name="Add a cohort").first.click()
    expect(page).to_have_url(re.compile(rf"/manage/programmes/{programme.pk}/cohorts/new/$"))
    page.locator("input[name=name]").fill("Winter 2027")
    page.locator("input[name=start_date]").fill("2027-01-10")
    page.locator("input[name=end_date]").fill("2027-12-10")
    with page.expect_navigation():
        page.get_by_role("button", name="Create cohort").click()
    cohort = Cohort.objects.get(programme=programme, name="Winter 2027")

    # --- import the roster -----------------------------------------------------------------------------------
    page.get_by_role("link", name="Import and invitations").click()
    expect(page).to_have_url(re.compile(rf"/manage/cohorts/{cohort.pk}/import/$"))
    expect(page.get_by_role("link", name="Download the template (CSV)")).to_be_visible()
    roster_file = tmp_path / "winter-roster.csv"
    roster_file.write_bytes(b"\xef\xbb\xbf" + ROSTER.encode())  # as Excel's "CSV UTF-8" saves it
    page.locator("input[name=file]").set_input_files(str(roster_file))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()

    # --- the preview: four new people, nothing written yet ---------------------------------------------------
    preview = page.get_by_test_id("roster-preview")
    expect(preview.locator("tbody tr")).to_have_count(4)
    expect(preview.locator("tbody tr[data-status=new]")).to_have_count(4)
    expect(preview).to_contain_text("Li, Jr")
    expect(page.get_by_test_id("roster-summary")).to_contain_text("4 new")
    assert not CohortInvitation.objects.filter(cohort=cohort).exists()
    assert mail.outbox == []

    # Applying a big file takes a while: the button says so and can't be pressed twice. (The
    # submit is held back in the page here, so the busy button can be looked at.)
    apply_button = page.get_by_role("button", name=re.compile(r"^Apply 4 changes"))
    page.evaluate("document.querySelector('form[data-busy-label]').addEventListener('submit', e => e.preventDefault())")
    apply_button.click()
    busy = page.locator("form[data-busy-label] button[type=submit]")
    expect(busy).to_be_disabled()
    expect(busy).to_have_text("Applying…")
    expect(busy.locator(".spinner-border")).to_be_visible()
    assert not CohortInvitation.objects.filter(cohort=cohort).exists()
    page.reload()

    with page.expect_navigation():
        apply_button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import applied to Winter 2027")
    expect(page.get_by_test_id("roster-result")).to_contain_text("4 people invited by email")
    page.reload()  # the result is a page of its own: reloading shows it again and applies nothing twice
    expect(page.get_by_role("heading", level=1)).to_have_text("Import applied to Winter 2027")
    expect(page.get_by_test_id("roster-result")).to_contain_text("4 people invited by email")
    assert CohortInvitation.objects.filter(cohort=cohort).open().count() == 4
    assert sorted(message.to[0] for message in mail.outbox) == [
        "li.wei@example.org",
        "owen.hughes@example.org",
        "priya.patel@example.org",
        "sam.tutor@example.org",
    ]

    page.get_by_role("link", name="See open invitations").click()
    expect(page.get_by_test_id("invitation-list").locator("tbody tr")).to_have_count(4)

    # --- Priya accepts from her email, in a browser of her own -------------------------
    email = next(message for message in mail.outbox if message.to == ["priya.patel@example.org"])
    link = LINK.search(email.body).group(0)
    assert link.startswith(settings.SITE_URL)
    trainee_page = new_context().new_page()
    trainee_page.goto(link.removeprefix(settings.SITE_URL))
    expect(trainee_page.get_by_role("heading", level=1)).to_have_text("Join Winter 2027")
    expect(trainee_page.locator("input[name=display_name]")).to_have_value("Priya Patel")
    trainee_page.locator("input[name=password1]").fill(NEW_PASSWORD)
    trainee_page.locator("input[name=password2]").fill(NEW_PASSWORD)
    with trainee_page.expect_navigation():
        trainee_page.get_by_role("button", name="Create my account and join").click()

    expect(trainee_page).to_have_url(re.compile(r"/$"))
    expect(trainee_page.get_by_role("heading", level=1)).to_have_text("Hello, Priya Patel")
    expect(trainee_page.locator("main")).to_contain_text("Welcome to Winter 2027")
    expect(trainee_page.get_by_role("heading", name=re.compile("This week's prompt"))).to_be_visible()
    membership = Membership.objects.get(user__email="priya.patel@example.org", cohort=cohort)
    assert membership.role == Role.TRAINEE
    assert CohortInvitation.objects.filter(cohort=cohort).open().count() == 3

    # The link is spent: opening it again says so in plain words.
    response = new_context().new_page().goto(link.removeprefix(settings.SITE_URL))
    assert response.status == 410
