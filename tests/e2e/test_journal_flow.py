"""The journal as people use it, in a real browser: writing with autosave,
sharing with a tutor, and who can read what."""

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from reflect.journal.models import JournalEntry, Status, Visibility

pytestmark = pytest.mark.e2e

SAVED_AT = re.compile(r"Saved at \d\d:\d\d")
ENTRY_URL = re.compile(r"/journal/(\d+)/$")


def marker(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def entry_id_from(url: str) -> int:
    match = ENTRY_URL.search(url)
    assert match, f"expected to be on an entry page, but the browser is at {url}"
    return int(match.group(1))


def publish(page):
    """Click Publish and return the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.locator("button[name=action][value=publish]").click()
    return navigation.value


def wait_for(query, timeout: float = 5.0, interval: float = 0.1):
    """Poll an ORM queryset until it has rows; return the first row or None."""
    deadline = time.monotonic() + timeout
    while True:
        row = query.first()
        if row is not None or time.monotonic() > deadline:
            return row
        time.sleep(interval)


def test_trainee_shares_a_gibbs_entry_and_only_the_tutor_reads_it(page_for, trainee, trainee2, tutor, cohort):
    shared_title = marker("Shared Gibbs title")
    description = marker("Client A arrived late and sat by the door")
    feelings = marker("My jaw tightened when the silence went on")
    action_plan = marker("Name the lateness gently next session")
    private_title = marker("Private free title")
    private_body = marker("Something I am not ready to share")

    # --- the trainee writes a Gibbs entry; autosave keeps it as a draft -------
    page = page_for(trainee)
    page.goto("/journal/new/")
    page.locator("select[name=template]").select_option("gibbs")
    expect(page.locator("textarea[name=gibbs_description]")).to_be_visible()
    expect(page.locator("textarea[name=body]")).to_be_hidden()

    page.locator("input[name=title]").fill(shared_title)
    page.locator("textarea[name=gibbs_description]").fill(description)
    page.locator("textarea[name=gibbs_feelings]").fill(feelings)
    page.locator("textarea[name=gibbs_action_plan]").fill(action_plan)
    expect(page.locator("[data-save-status]")).to_have_text(SAVED_AT, timeout=15_000)

    (draft,) = [e for e in JournalEntry.objects.filter(author=trainee) if e.title == shared_title]
    assert draft.status == Status.DRAFT
    assert draft.template == "gibbs"
    assert draft.sections["description"] == description
    assert draft.sections["action_plan"] == action_plan
    assert feelings in draft.body
    assert draft.visibility == Visibility.PRIVATE

    # --- shares and publishes it: the same entry, not a second one -------------
    page.locator("input[name=visibility][value=shared]").check()
    response = publish(page)
    assert response.status == 200
    shared_id = entry_id_from(page.url)
    assert shared_id == draft.pk, "publishing after an autosave must update the autosaved draft"

    entry_body = page.locator(".entry-body")
    for heading in ("Description", "Feelings", "Action plan"):
        expect(entry_body.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(entry_body.get_by_role("heading", name="Analysis", exact=True)).to_have_count(0)
    for text in (description, feelings, action_plan):
        expect(entry_body).to_contain_text(text)
    expect(page.get_by_role("heading", level=1)).to_have_text(shared_title)

    published = JournalEntry.objects.get(pk=shared_id)
    assert (published.status, published.visibility) == (Status.PUBLISHED, Visibility.SHARED)
    assert JournalEntry.objects.filter(author=trainee).count() == 1

    # --- then a private free-writing entry -----------------------------------
    page.goto("/journal/new/")
    expect(page.locator("select[name=template]")).to_have_value("free")
    page.locator("input[name=title]").fill(private_title)
    page.locator("textarea[name=body]").fill(private_body)
    page.locator("input[name=visibility][value=private]").check()
    response = publish(page)
    assert response.status == 200
    private_id = entry_id_from(page.url)
    expect(page.locator(".entry-body")).to_contain_text(private_body)
    private = JournalEntry.objects.get(pk=private_id)
    assert (private.status, private.visibility) == (Status.PUBLISHED, Visibility.PRIVATE)

    # --- the tutor sees the shared entry only -------------------------------
    tutor_page = page_for(tutor)
    tutor_page.goto("/")
    tutor_page.get_by_role("link", name=cohort.name, exact=True).click()
    expect(tutor_page).to_have_url(re.compile(rf"/cohorts/{cohort.pk}/$"))
    shared_list = tutor_page.locator("section[aria-labelledby=shared-heading]")
    expect(shared_list.get_by_role("link", name=shared_title)).to_be_visible()
    expect(tutor_page.locator("main")).not_to_contain_text(private_title)

    shared_list.get_by_role("link", name=shared_title).click()
    expect(tutor_page).to_have_url(re.compile(rf"/journal/{shared_id}/$"))
    for text in (description, feelings, action_plan):
        expect(tutor_page.locator(".entry-body")).to_contain_text(text)

    response = tutor_page.goto(f"/journal/{private_id}/")
    assert response.status == 404
    expect(tutor_page.locator("body")).to_contain_text("isn't shared with you")
    expect(tutor_page.locator("body")).not_to_contain_text(private_body)

    # --- another trainee sees neither ----------------------------------------
    other_page = page_for(trainee2)
    response = other_page.goto("/journal/")
    assert response.status == 200
    main = other_page.locator("main")
    expect(main).to_contain_text("Your journal")
    expect(main).not_to_contain_text(shared_title)
    expect(main).not_to_contain_text(private_title)
    for entry_id, secret in ((shared_id, description), (private_id, private_body)):
        response = other_page.goto(f"/journal/{entry_id}/")
        assert response.status == 404, f"trainee2 got {response.status} for entry {entry_id}"
        expect(other_page.locator("body")).not_to_contain_text(secret)


def test_autosave_keeps_a_draft_when_the_tab_is_closed(page_for, trainee):
    title = marker("Closed tab title")
    body = marker("Typed just before closing the tab")

    page = page_for(trainee)
    context = page.context
    page.goto("/journal/new/")
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=body]").fill(body)
    # Well before the 3-second idle timer: only the beacon sent on leaving can save this.
    page.close(run_before_unload=True)

    draft = wait_for(JournalEntry.objects.filter(author=trainee), timeout=5)
    assert draft is not None, "closing the tab lost the text: no draft was saved by the beacon"
    assert (draft.title, draft.body, draft.status) == (title, body, Status.DRAFT)

    page = context.new_page()
    page.goto("/journal/")
    link = page.locator("main").get_by_role("link", name=title)
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"/journal/{draft.pk}/edit/")


def test_an_over_long_title_is_refused_without_losing_the_text(page_for, trainee):
    title = "T" * 201
    body = marker("A reflection that must survive the error")

    page = page_for(trainee)
    page.goto("/journal/new/")
    page.evaluate("document.querySelector('input[name=title]').removeAttribute('maxlength')")
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=body]").fill(body)
    response = publish(page)

    assert response.status == 400
    errors = page.locator("#form-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("Please keep the title to 200 characters or fewer (it has 201).")
    expect(page.locator("textarea[name=body]")).to_have_value(body)
    expect(page.locator("input[name=title]")).to_have_value(title)
    assert not JournalEntry.objects.filter(author=trainee, status=Status.PUBLISHED).exists()
