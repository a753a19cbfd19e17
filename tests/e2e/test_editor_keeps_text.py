"""The editor never loses or duplicates what a trainee typed: switching template,
the browser's own copy, and limits explained where they bite."""

import json
import re

import pytest
from playwright.sync_api import expect

from reflect.journal.models import JournalEntry

pytestmark = pytest.mark.e2e

SAVED_AT = re.compile(r"Saved at \d\d:\d\d")


def save_draft(page):
    with page.expect_navigation():
        page.locator("button[name=action][value=draft]").click()


def test_free_writing_carries_into_driscoll_and_back(page_for, trainee, cohort):
    page = page_for(trainee)
    page.goto("/journal/new/")
    page.locator("input[name=title]").fill("Switching template")
    page.locator("textarea[name=body]").fill("The client went quiet after I named the break.")
    page.locator("select[name=template]").select_option("driscoll")
    expect(page.locator("textarea[name=driscoll_what]")).to_have_value("The client went quiet after I named the break.")
    page.locator("textarea[name=driscoll_so_what]").fill("Breaks stir my own fear of leaving.")
    save_draft(page)

    entry = JournalEntry.objects.get(author=trainee)
    assert entry.template == "driscoll"
    assert entry.sections["what"] == "The client went quiet after I named the break."
    assert "Breaks stir my own fear" in entry.body

    page.locator("select[name=template]").select_option("free")
    body = page.locator("textarea[name=body]")
    expect(body).to_have_value(re.compile(r"### What\?\s+The client went quiet"))
    expect(body).to_have_value(re.compile(r"### So what\?\s+Breaks stir my own fear"))


def test_the_prompt_survives_choosing_a_template(page_for, trainee, cohort):
    page = page_for(trainee)
    page.goto("/journal/new/?prompt=What+did+you+notice+in+your+body")
    page.locator("select[name=template]").select_option("gibbs")
    expect(page.locator("textarea[name=gibbs_description]")).to_have_value(re.compile("What did you notice"))

    page.goto("/journal/new/?template=driscoll&prompt=What+did+you+notice+in+your+body")
    expect(page.locator("textarea[name=driscoll_what]")).to_have_value(re.compile("What did you notice"))


def test_no_restore_offer_for_text_the_server_has_and_no_second_entry(page_for, trainee, cohort):
    page = page_for(trainee)
    page.goto("/journal/new/")
    page.locator("input[name=title]").fill("Saved straight away")
    page.locator("textarea[name=body]").fill("Typed and saved before any autosave.")
    save_draft(page)
    expect(page.locator("#restore-banner")).to_be_hidden()

    page.goto("/journal/new/")
    page.wait_for_timeout(500)
    expect(page.locator("#restore-banner")).to_be_hidden()
    page.wait_for_timeout(4000)
    assert JournalEntry.objects.filter(author=trainee).count() == 1


def test_restoring_fills_the_same_entry(page_for, trainee, cohort):
    page = page_for(trainee)
    page.goto("/journal/new/")
    page.locator("input[name=title]").fill("Restore me")
    page.locator("textarea[name=body]").fill("First version.")
    save_draft(page)
    entry = JournalEntry.objects.get(author=trainee)
    # What a lost save leaves behind: this browser's copy holds newer text.
    saved_at = page.locator("#entry-form").get_attribute("data-saved-at")
    values = {"title": "Restore me", "body": "Newer text the server never got.", "template": "free"}
    copy = {"at": "2100-01-01T00:00:00Z", "entry": str(entry.pk), "serverSavedAt": saved_at, "values": values}
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [f"reflect-draft-{entry.pk}", json.dumps(copy)])
    page.reload()
    expect(page.locator("#restore-banner")).to_be_visible()
    page.locator("[data-restore-apply]").click()
    expect(page.locator("textarea[name=body]")).to_have_value("Newer text the server never got.")
    save_draft(page)

    assert JournalEntry.objects.filter(author=trainee).count() == 1
    entry.refresh_from_db()
    assert entry.body == "Newer text the server never got."


def test_over_long_paste_explains_the_limit_not_signed_out(page_for, trainee, cohort, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    page = page_for(trainee)
    page.goto("/journal/new/")
    expect(page.locator("#entry-form")).to_contain_text("up to 100,000 characters")
    page.locator("input[name=title]").fill("Long paste")
    page.locator("textarea[name=body]").fill("a" * 60_000)
    status = page.locator("[data-save-status]")
    expect(status).to_have_text(re.compile("This entry is too long to save"), timeout=15_000)
    expect(status).not_to_contain_text("signed out")
    assert not JournalEntry.objects.filter(author=trainee).exists()

    page.locator("textarea[name=body]").fill("a" * 95_000)
    expect(page.locator("[data-length-counter]")).to_contain_text("95,000 of 100,000 characters: nearing the limit")


def test_the_editor_says_when_the_browser_cannot_keep_a_copy(new_context, trainee, cohort):
    from tests.e2e.conftest import sign_in

    context = new_context()
    context.add_init_script(
        "Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };"
    )
    page = context.new_page()
    sign_in(page, trainee.email)
    page.goto("/journal/new/")
    page.locator("textarea[name=body]").fill("Something worth keeping.")
    expect(page.locator("[data-backup-status]")).to_be_visible()
    expect(page.locator("[data-backup-status]")).to_contain_text("could not keep a copy")
    expect(page.locator("[data-save-status]")).to_have_text(SAVED_AT, timeout=15_000)


def test_two_tabs_on_one_entry_show_both_texts_and_let_the_writer_choose(new_context, trainee, cohort):
    from tests.e2e.conftest import sign_in

    entry = JournalEntry.objects.create(author=trainee, cohort=cohort, title="Two tabs", body="First words.")
    context = new_context()
    first, second = context.new_page(), context.new_page()
    sign_in(first, trainee.email)
    for page in (first, second):
        page.goto(f"/journal/{entry.pk}/edit/")

    # The second tab's saves never conflict with each other (its version moves on).
    for text in ("Written in the second tab.", "Written in the second tab, then more."):
        with second.expect_response(lambda r: "autosave" in r.url) as saved:
            second.locator("textarea[name=body]").fill(text)
        assert saved.value.status == 200
    expect(second.locator("#conflict-panel")).to_be_hidden()

    first.locator("textarea[name=body]").fill("Written in the first tab.")
    panel = first.locator("#conflict-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Written in the second tab, then more.")
    expect(first.locator("textarea[name=body]")).to_have_value("Written in the first tab.")
    entry.refresh_from_db()
    assert "first tab" not in (entry.pending or {}).get("data", {}).get("body", entry.body)

    panel.get_by_role("button", name="Keep my text").click()
    expect(first.locator("[data-save-status]")).to_have_text(SAVED_AT)
    expect(panel).to_be_hidden()
    entry.refresh_from_db()
    assert (entry.pending or {}).get("data", {}).get("body", entry.body) == "Written in the first tab."
