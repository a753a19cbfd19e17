"""Before a client-work entry is shared, the trainee sees likely identifiers marked
with plain guidance, changes the text, and then shares it without being asked again."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reflect.journal.models import JournalEntry, Status, Visibility
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import run_axe

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "/tmp/anon_shots"))


def publish(page):
    with page.expect_navigation():
        page.locator("button[name=action][value=publish]").click()


def test_trainee_changes_a_name_and_a_postcode_after_the_review(new_context, trainee, cohort):
    # bypass_csp: axe goes in as an inline script, which the site's policy refuses
    # (tests/e2e/test_content_security_policy.py checks the policy itself).
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, trainee.email)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/journal/new/")
    page.fill("input[name=title]", "An ending that moved me")
    page.locator("select[name=kind]").select_option("client_work")
    page.fill("input[name=client_code]", "Client H")
    page.fill("textarea[name=body]", "My client Harriet spoke about the flat at SW9 8QT she is leaving.")
    page.locator("input[name=visibility][value=shared]").check()
    publish(page)

    # The review: both marked, with what to do instead; nothing shared yet.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Before you share")
    marks = page.locator(".identifier-findings mark")
    expect(marks).to_have_text(["Harriet", "SW9 8QT"])
    expect(page.locator(".identifier-findings")).to_contain_text("Use a code such as “Client A”")
    expect(page.locator(".identifier-findings")).to_contain_text("Leave out postcodes")
    entry = JournalEntry.objects.get(author=trainee)
    assert entry.status == Status.DRAFT
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-1280.png"), full_page=True)
    assert run_axe(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "review-390.png"), full_page=True)
    assert run_axe(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})

    # Back to the editor with the text kept; change it and publish: shared, no question.
    with page.expect_navigation():
        page.get_by_role("link", name="Go back and change the text").click()
    body = page.locator("textarea[name=body]")
    expect(body).to_have_value("My client Harriet spoke about the flat at SW9 8QT she is leaving.")
    body.fill("Client H spoke about the flat she is leaving.")
    publish(page)
    expect(page).to_have_url(f"{page.url.split('/journal/')[0]}/journal/{entry.pk}/")
    entry.refresh_from_db()
    assert (entry.status, entry.visibility) == (Status.PUBLISHED, Visibility.SHARED)
    assert entry.body == "Client H spoke about the flat she is leaving."
