"""Every long text box outside the editor keeps what was typed (static/js/drafts.js):
through leaving the page, closing the tab, a reload and an expired session, and it
asks before a page with unsent text is left. Sent text is never offered again."""

import re

import pytest
from playwright.sync_api import expect

from reflect.assessment import services as assessment_services
from reflect.drafts.models import FormDraft
from reflect.feedback.models import Comment
from tests.e2e.conftest import sign_in
from tests.reflect.assessment_factories import make_checkpoint, make_submission, mark, publish_entry

pytestmark = pytest.mark.e2e

DRAFT_SAVED = re.compile(r"Kept safe at \d\d:\d\d, not sent yet")


def restored(page):
    return page.locator("[data-draft-restored]")


def test_the_portfolio_summary_survives_leaving_for_the_journal(page_for, trainee, cohort):
    checkpoint = make_checkpoint(cohort)
    page = page_for(trainee)
    page.goto(f"/checkpoints/{checkpoint.pk}/")
    summary = page.locator("textarea[name=summary]")
    summary.fill("This term I learnt to stay with silence.")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    with page.expect_navigation():
        page.get_by_role("link", name="Journal", exact=True).first.click()
    assert dialogs == ["beforeunload"]  # asked before leaving with unsent text

    page.goto(f"/checkpoints/{checkpoint.pk}/")
    expect(summary).to_have_value("This term I learnt to stay with silence.")
    expect(restored(page)).to_contain_text("unsent text")

    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    page.goto(f"/checkpoints/{checkpoint.pk}/")
    expect(summary).to_have_value("This term I learnt to stay with silence.")  # saved, as the server has it
    page.wait_for_timeout(500)
    expect(restored(page)).to_have_count(0)  # nothing offered again
    assert not [d for d in FormDraft.objects.all() if d.values]


def test_a_tutors_marking_survives_a_closed_tab(new_context, trainee, tutor, cohort):
    submission = make_submission(make_checkpoint(cohort), trainee)
    assessment = mark(submission, tutor, complete=False, feedback="")
    context = new_context()
    page = context.new_page()
    sign_in(page, tutor.email)
    page.goto(f"/assessments/{assessment.pk}/")
    page.locator("textarea[name=overall_feedback]").fill("You hold the client's pace well.")
    criterion = page.locator("textarea[name^=comment-]").first
    criterion.fill("Clear on contracting.")
    page.close(run_before_unload=False)  # the tab is closed at once, before the idle save

    # On another computer (no copy in this browser): the server kept it as the tab closed.
    page = new_context().new_page()
    sign_in(page, tutor.email)
    page.goto(f"/assessments/{assessment.pk}/")
    expect(page.locator("textarea[name=overall_feedback]")).to_have_value("You hold the client's pace well.")
    expect(page.locator("textarea[name^=comment-]").first).to_have_value("Clear on contracting.")
    expect(restored(page)).to_be_visible()


def test_a_comment_survives_a_reload_and_is_not_offered_again_once_posted(page_for, trainee, tutor, cohort):
    entry = publish_entry(trainee, cohort, visibility="shared")
    page = page_for(tutor)
    page.goto(f"/journal/{entry.pk}/")
    box = page.locator("#new-comment-body")
    box.fill("The pause after the break seemed important.")
    expect(page.locator("#comment-thread [data-draft-status]").last).to_have_text(DRAFT_SAVED)
    page.reload()
    expect(box).to_have_value("The pause after the break seemed important.")

    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-thread")).to_contain_text("The pause after the break seemed important.")
    expect(page.locator("#new-comment-body")).to_have_value("")
    page.reload()
    page.wait_for_timeout(500)
    expect(page.locator("#new-comment-body")).to_have_value("")
    expect(restored(page)).to_have_count(0)
    assert Comment.objects.filter(entry=entry).count() == 1


def test_a_reply_typed_after_the_session_expired_is_back_after_signing_in(new_context, trainee, tutor, cohort):
    entry = publish_entry(trainee, cohort, visibility="shared")
    from reflect.feedback import services as feedback_services

    feedback_services.comment_create(entry=entry, author=tutor, body="What did you feel then?")
    context = new_context()
    page = context.new_page()
    sign_in(page, trainee.email)
    page.goto(f"/journal/{entry.pk}/")
    context.clear_cookies(name="sessionid")  # the session has expired
    page.locator("summary", has_text="Reply").click()
    reply = page.locator("textarea[name=body]").first
    reply.fill("Mostly relief, then guilt.")
    status = page.locator("[data-draft-status]").first
    expect(status).to_contain_text("signed out")
    expect(status).to_contain_text("kept in this browser")

    sign_in(page, trainee.email)
    page.goto(f"/journal/{entry.pk}/")
    expect(page.locator("textarea[name=body]").first).to_have_value("Mostly relief, then guilt.")
    expect(restored(page)).to_be_visible()
    expect(page.locator("[data-draft-status]").first).to_have_text(DRAFT_SAVED)  # and the server has it now


def test_discarding_a_restored_draft_puts_back_what_was_saved(page_for, trainee, tutor, cohort):
    submission = make_submission(make_checkpoint(cohort), trainee)
    assessment_services.assessment_release(assessment=mark(submission, tutor), by=tutor)
    page = page_for(trainee)
    page.goto(f"/submissions/{submission.pk}/feedback/")
    page.locator("textarea[name=reply]").fill("Thank you, this helps.")
    expect(page.locator("[data-draft-status]")).to_have_text(DRAFT_SAVED)
    page.reload()
    expect(page.locator("textarea[name=reply]")).to_have_value("Thank you, this helps.")
    restored(page).get_by_role("button", name="Discard it").click()
    expect(page.locator("textarea[name=reply]")).to_have_value("")
    page.wait_for_timeout(300)
    page.reload()
    page.wait_for_timeout(500)
    expect(restored(page)).to_have_count(0)


def test_a_comment_whose_answer_was_lost_is_not_offered_again(page_for, trainee, tutor, cohort):
    """The server posted the comment but the page never heard back (the connection
    dropped): the browser's copy names that sending, so a reload does not offer the
    text for posting a second time."""
    entry = publish_entry(trainee, cohort, visibility="shared")
    page = page_for(tutor)
    page.goto(f"/journal/{entry.pk}/")

    def deliver_then_drop(route):
        route.fetch()  # the server gets it and posts the comment
        route.abort()  # the answer never reaches the page

    page.route(f"**/journal/{entry.pk}/comments/", deliver_then_drop)
    page.locator("#new-comment-body").fill("Posted while the connection dropped.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_timeout(800)
    page.unroute(f"**/journal/{entry.pk}/comments/")

    page.reload()
    page.wait_for_timeout(500)
    expect(page.locator("#new-comment-body")).to_have_value("")
    expect(restored(page)).to_have_count(0)
    assert Comment.objects.filter(entry=entry).count() == 1
