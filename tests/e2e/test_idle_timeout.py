"""A session that idles out while a trainee is writing loses nothing: the sign-in page
says why and that the text is safe, and the editor offers it again."""

import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from reflect.access import sessions
from reflect.journal.models import JournalEntry
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def idle_for(context, minutes: int) -> None:
    key = next(c["value"] for c in context.cookies() if c["name"] == "sessionid")
    store = SessionStore(session_key=key)
    store[sessions.SEEN_AT] = int(time.time() - minutes * 60)
    store.save()


def test_writing_across_an_idle_timeout_keeps_the_text(new_context, trainee, cohort):
    context = new_context()
    page = context.new_page()
    sign_in(page, trainee.email)
    page.goto("/journal/new/")
    page.locator("input[name=title]").fill("Before the break")
    idle_for(context, 121)  # away from the desk for two hours
    page.locator("textarea[name=body]").fill("I came back to this after a long pause.")
    expect(page.locator("[data-save-status]")).to_contain_text("signed out")

    page.goto("/journal/new/")  # the next page goes to sign-in, which says why
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#session-ended")).to_contain_text("after 120 minutes without activity")
    expect(page.locator("#session-ended")).to_contain_text("Nothing you typed is lost")

    page.fill("input[name=login]", trainee.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto("/journal/new/")
    page.get_by_role("button", name="Restore it").click()
    expect(page.locator("textarea[name=body]")).to_have_value("I came back to this after a long pause.")
    with page.expect_navigation():
        page.locator("button[name=action][value=draft]").click()
    assert JournalEntry.objects.get(author=trainee).body == "I came back to this after a long pause."
