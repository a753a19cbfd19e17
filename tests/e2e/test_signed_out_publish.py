"""Publishing after the session expired loses nothing: the sign-in page says nothing
was published, and once signed in again the editor offers the text back; publishing
it then makes exactly one entry with it."""

import re

import pytest
from playwright.sync_api import expect

from reflect.journal.models import JournalEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

NOTICE = "You were signed out, so nothing was published or saved just now."
TEXT = "Typed after my session ran out: the client's silence felt like my mother's."


def _expire_session(page) -> None:
    """What a real expiry leaves: no session cookie, the CSRF cookie still there."""
    page.context.clear_cookies(name="sessionid")
    assert [c["name"] for c in page.context.cookies() if c["name"] == "csrftoken"] == ["csrftoken"]


def _publish_signed_out_then_sign_in_again(page, email: str, editor_path: str) -> None:
    with page.expect_navigation(url=re.compile(r"/accounts/login/")):
        page.get_by_role("button", name=re.compile(r"^Publish")).click()
    expect(page.locator("#signed-out-while-writing")).to_contain_text(NOTICE)
    expect(page.locator("#signed-out-while-writing")).to_contain_text("Restore it")

    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    # Straight back in the editor the text was typed in.
    expect(page).to_have_url(re.compile(re.escape(editor_path) + "$"))


def _restore_and_publish(page) -> None:
    banner = page.locator("#restore-banner")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Restore it").click()
    expect(banner).to_be_hidden()
    expect(page.locator("textarea[name=body]")).to_have_value(TEXT)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^Publish")).click()
    expect(page.locator("main")).to_contain_text(TEXT)


def test_a_new_entry_published_after_the_session_expired_is_offered_again(page_for, trainee, cohort):
    page = page_for(trainee)
    page.goto("/journal/new/")
    _expire_session(page)
    page.locator("input[name=title]").fill("After the break")
    page.locator("textarea[name=body]").fill(TEXT)

    _publish_signed_out_then_sign_in_again(page, trainee.email, "/journal/new/")
    assert not JournalEntry.objects.filter(author=trainee).exists()  # nothing was saved

    _restore_and_publish(page)
    entries = JournalEntry.objects.filter(author=trainee)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.body == TEXT and entry.title == "After the break" and entry.is_published


def test_changes_to_an_entry_published_after_the_session_expired_are_offered_again(
    page_for, trainee, cohort, make_entry
):
    entry = make_entry(trainee, cohort, title="Supervision notes")
    original = entry.body
    page = page_for(trainee)
    page.goto(f"/journal/{entry.pk}/edit/")
    _expire_session(page)
    page.locator("textarea[name=body]").fill(TEXT)

    _publish_signed_out_then_sign_in_again(page, trainee.email, f"/journal/{entry.pk}/edit/")
    entry.refresh_from_db()
    assert entry.body == original  # nothing was saved
    expect(page.locator("textarea[name=body]")).to_have_value(original)

    _restore_and_publish(page)
    assert JournalEntry.objects.filter(author=trainee).count() == 1
    assert [e.body for e in JournalEntry.objects.all()].count(TEXT) == 1
    entry.refresh_from_db()
    assert entry.body == TEXT and entry.is_published
