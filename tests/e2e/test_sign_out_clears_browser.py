"""Signing out leaves none of Reflect's writing in the browser (issue 12)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def stored_keys(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('reflect-'))")


def test_signing_out_clears_the_editors_copy(page_for, trainee, cohort):
    page = page_for(trainee)
    page.goto("/journal/new/")
    page.locator("input[name=title]").fill("Not to be left behind")
    page.locator("textarea[name=body]").fill("Typed on a shared computer.")
    assert stored_keys(page)  # the editor keeps a copy while typing
    page.get_by_role("button", name=trainee.get_full_name() or str(trainee)).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page.locator("input[name=login]")).to_be_visible()
    assert stored_keys(page) == []
