"""Tutor feedback in a real browser: a comment conversation on a shared entry, and a
portfolio checkpoint from submission through a draft marking to released feedback."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from reflect.assessment.models import Assessment, Outcome, Submission, SubmissionStatus
from reflect.feedback.models import Comment
from tests.reflect.assessment_factories import make_checkpoint, make_rubric

pytestmark = pytest.mark.e2e

ASSESSMENT_URL = re.compile(r"/assessments/(\d+)/$")


def marker(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def id_from(pattern: re.Pattern, url: str) -> int:
    match = pattern.search(url)
    assert match, f"expected a URL like {pattern.pattern}, but the browser is at {url}"
    return int(match.group(1))


def unread_badge(page):
    """The unread count in the navigation bar (absent when there is nothing unread)."""
    return page.get_by_test_id("notifications-link").locator(".badge")


def expect_unread(page, count: int) -> None:
    badge = unread_badge(page)
    if count:
        expect(badge).to_have_text(str(count))
        expect(badge).to_have_attribute("aria-label", f"{count} unread")
    else:
        expect(badge).to_have_count(0)


def open_notification(page, text: str) -> None:
    """Go to the notifications page and follow the (unread) notification containing `text`."""
    page.get_by_test_id("notifications-link").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    item = page.get_by_test_id("notification").filter(has_text=text)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("New")
    with page.expect_navigation():
        item.get_by_role("link").click()


def test_tutor_comments_on_a_shared_entry_and_the_trainee_replies(
    page_for, make_entry, trainee, trainee2, tutor, cohort
):
    title = marker("Client A and the long silence")
    body = marker("I wanted to fill the silence and did not")
    comment_text = marker("What happened in you just before you spoke")
    reply_text = marker("My chest went tight and I looked away")
    entry = make_entry(trainee, cohort, title=title, body=body, visibility="shared")

    # --- the tutor comments; htmx puts it into the thread ---------------------------
    tutor_page = page_for(tutor)
    response = tutor_page.goto(f"/journal/{entry.pk}/")
    assert response.status == 200
    expect(tutor_page.locator(".entry-body")).to_contain_text(body)
    expect_unread(tutor_page, 0)
    thread = tutor_page.locator("#comment-thread")
    expect(thread).to_contain_text("No comments yet.")
    thread.get_by_label("Add a comment").fill(f"{comment_text}\n\nWhat did you **notice** in your body?")
    thread.get_by_role("button", name="Post comment").click()

    thread = tutor_page.locator("#comment-thread")
    expect(thread).to_contain_text(comment_text)
    expect(thread.locator(".comment-text strong")).to_have_text("notice")  # Markdown rendered
    expect(tutor_page.locator("#comments-status")).to_have_text("Comment posted.")
    comment = Comment.objects.get(entry=entry, author=tutor)
    assert comment.parent_id is None and not comment.is_draft

    # --- the trainee is told, follows the notification, reads and replies ------------
    page = page_for(trainee)
    expect_unread(page, 1)
    open_notification(page, f"{tutor} commented on one of your entries.")
    expect(page).to_have_url(re.compile(rf"/journal/{entry.pk}/#comment-{comment.pk}$"))
    expect_unread(page, 0)  # opening it marked it read

    conversation = page.locator("#comment-thread > ol > li").filter(has_text=comment_text)
    expect(conversation).to_have_count(1)
    expect(conversation.locator(f"#comment-{comment.pk}")).to_contain_text(str(tutor))
    conversation.locator("summary", has_text="Reply").click()
    conversation.get_by_label("Your reply").fill(reply_text)
    conversation.get_by_role("button", name="Post reply").click()

    replies = page.get_by_role("list", name=f"Replies to {tutor}")
    expect(replies).to_contain_text(reply_text)
    expect(page.locator("#comments-status")).to_have_text("Reply posted.")
    reply = Comment.objects.get(entry=entry, author=trainee)
    assert reply.parent_id == comment.pk
    page.reload()
    expect(page.get_by_role("list", name=f"Replies to {tutor}")).to_contain_text(reply_text)
    expect_unread(page, 0)  # nobody is told about their own reply

    # --- the tutor, elsewhere in the site, is told of the reply by the count -----------
    # (Reloading the entry page itself would read it: opening what a notification is about reads it.)
    tutor_page.goto("/")
    expect_unread(tutor_page, 1)
    tutor_page.goto("/notifications/")
    expect(tutor_page.locator("main")).not_to_contain_text(title)  # a summary never names the entry
    open_notification(tutor_page, f"{trainee} replied to your comment.")
    expect(tutor_page).to_have_url(re.compile(rf"/journal/{entry.pk}/#comment-{reply.pk}$"))
    expect(tutor_page.locator(f"#comment-{reply.pk}")).to_contain_text(reply_text)

    # --- another trainee can read neither the entry nor the conversation ------------
    other_page = page_for(trainee2)
    expect_unread(other_page, 0)
    response = other_page.goto(f"/journal/{entry.pk}/")
    assert response.status == 404
    for secret in (body, comment_text, reply_text):
        expect(other_page.locator("body")).not_to_contain_text(secret)


def test_trainee_submits_and_tutor_assesses_drafts_then_releases(
    page_for, make_entry, programme, trainee, tutor, cohort
):
    rubric = make_rubric(programme, criteria=3, levels=4)
    checkpoint = make_checkpoint(cohort, rubric, due_in_days=14, title=marker("Spring portfolio"))
    shared = make_entry(trainee, cohort, title=marker("Shared entry"), body=marker("Shared body"), visibility="shared")
    private = make_entry(trainee, cohort, title=marker("Private entry"), body=marker("Private body"))
    summary = marker("Across these sessions I learned to stay with silence")
    feedback = marker("You track your own state with real care")
    ack_reply = marker("Thank you, I will keep working on pacing")
    # Criterion n gets this level (points 3 + 2 + 1 = 6 of 9).
    chosen = {"Criterion 1": "Strong", "Criterion 2": "Competent", "Criterion 3": "Emerging"}

    # --- the trainee prepares, saves and submits ------------------------------------
    page = page_for(trainee)
    page.goto("/checkpoints/")
    page.get_by_role("link", name=checkpoint.title).click()
    expect(page).to_have_url(re.compile(rf"/checkpoints/{checkpoint.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(checkpoint.title)
    page.get_by_label(shared.title).check()
    page.get_by_label(private.title).check()
    page.get_by_label("Summary reflection").fill(summary)
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("main")).to_contain_text("Saved. Nothing is shared with your tutors until you submit.")
    expect(page.get_by_label(shared.title)).to_be_checked()
    expect(page.get_by_label(private.title)).to_be_checked()
    expect(page.get_by_label("Summary reflection")).to_have_value(summary)
    draft = Submission.objects.get(checkpoint=checkpoint, trainee=trainee)
    assert draft.status == SubmissionStatus.DRAFT

    with page.expect_navigation():
        page.get_by_role("button", name="Submit…").click()
    expect(page).to_have_url(re.compile(rf"/checkpoints/{checkpoint.pk}/submit/$"))
    confirm = page.locator("main")
    expect(confirm.get_by_role("heading", name="Submit now?")).to_be_visible()
    expect(confirm).to_contain_text(shared.title)
    expect(confirm).to_contain_text(private.title)
    expect(confirm).to_contain_text(summary)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit now").click()
    expect(page.locator("main")).to_contain_text("Submitted. Your tutors can now read the chosen entries.")
    expect(page.locator("main")).to_contain_text("Feedback not released yet.")
    submission = Submission.objects.get(pk=draft.pk)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert set(submission.snapshots.values_list("entry_id", flat=True)) == {shared.pk, private.pk}

    # --- the tutor finds it on the cohort page, reads it and starts assessing -------
    tutor_page = page_for(tutor)
    tutor_page.goto(f"/cohorts/{cohort.pk}/")
    waiting = tutor_page.locator("section[aria-labelledby=awaiting-heading]")
    expect(waiting.get_by_role("heading", name="Submissions waiting for assessment")).to_be_visible()
    expect(waiting).to_contain_text(str(trainee))
    waiting.get_by_role("link", name=checkpoint.title).click()
    expect(tutor_page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    main = tutor_page.locator("main")
    expect(main).to_contain_text(summary)
    for entry in (shared, private):
        expect(main).to_contain_text(entry.title)
        expect(main).to_contain_text(entry.body)

    with tutor_page.expect_navigation():
        tutor_page.get_by_role("button", name="Assess", exact=True).click()
    assessment_id = id_from(ASSESSMENT_URL, tutor_page.url)
    for number, (criterion, level) in enumerate(chosen.items(), start=1):
        row = tutor_page.get_by_role("group", name=f"{number}. {criterion}")
        row.locator("label").filter(has_text=level).click()
        expect(row.get_by_role("radio", name=re.compile(rf"^{level} "))).to_be_checked()
    expect(tutor_page.locator("[data-total]")).to_have_text("6")
    tutor_page.get_by_label("Overall feedback").fill(feedback)
    tutor_page.get_by_label("Pass", exact=True).check()
    with tutor_page.expect_navigation():
        tutor_page.get_by_role("button", name="Save draft").click()
    expect(tutor_page.locator("main")).to_contain_text("Draft saved. Nobody else can see it.")
    expect(tutor_page.get_by_label("Overall feedback")).to_have_value(feedback)
    expect(tutor_page.get_by_label("Pass", exact=True)).to_be_checked()
    assessment = Assessment.objects.get(pk=assessment_id)
    assert (assessment.outcome, assessment.released_at) == (Outcome.PASS, None)

    # --- the trainee sees nothing of the draft ---------------------------------------
    page.goto(f"/checkpoints/{checkpoint.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("Feedback not released yet.")
    expect(main).not_to_contain_text(feedback)
    expect(main.get_by_role("link", name="Read your feedback")).to_have_count(0)
    expect_unread(page, 0)
    for url in (f"/submissions/{submission.pk}/feedback/", f"/assessments/{assessment_id}/"):
        response = page.goto(url)
        assert response.status == 404, f"before release the trainee got {response.status} for {url}"
        expect(page.locator("body")).not_to_contain_text(feedback)
    page.goto(f"/submissions/{submission.pk}/")
    expect(page.locator("main")).to_contain_text("Feedback not released yet.")
    expect(page.locator("main")).not_to_contain_text(feedback)

    # --- the tutor completes and releases, through the confirmation -------------------
    with tutor_page.expect_navigation():
        tutor_page.get_by_role("button", name="Complete and release…").click()
    expect(tutor_page).to_have_url(re.compile(rf"/assessments/{assessment_id}/release/$"))
    expect(tutor_page.locator("main")).to_contain_text("Pass")
    assert Assessment.objects.get(pk=assessment_id).released_at is None, "released before the confirmation"
    with tutor_page.expect_navigation():
        tutor_page.get_by_role("button", name="Release feedback").click()
    expect(tutor_page).to_have_url(re.compile(rf"/submissions/{submission.pk}/$"))
    expect(tutor_page.locator("main")).to_contain_text("Feedback released to")
    assert Assessment.objects.get(pk=assessment_id).released_at is not None

    # --- the trainee is told and reads the grid, the feedback and the outcome ---------
    page.goto("/")
    expect_unread(page, 1)
    open_notification(page, checkpoint.title)
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/feedback/$"))
    main = page.locator("main")
    for number, (criterion, level) in enumerate(chosen.items(), start=1):
        heading = main.get_by_role("heading", name=re.compile(rf"^{number}\. {criterion}\b"))
        expect(heading).to_contain_text(level)
    expect(main).to_contain_text("Total: 6 of 9 points")
    overall = main.locator("section[aria-labelledby=overall-heading]")
    expect(overall).to_contain_text(feedback)
    expect(main.get_by_text("Outcome:")).to_contain_text("Pass")

    page.get_by_label("Your reply (optional)").fill(ack_reply)
    with page.expect_navigation():
        page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("main")).to_contain_text("Your tutor can see that you have read this feedback.")
    expect(page.locator("section[aria-labelledby=ack-heading]")).to_contain_text("You acknowledged this feedback")

    # --- the tutor sees the acknowledgement and the reply -----------------------------
    tutor_page.goto(f"/submissions/{submission.pk}/")
    markings = tutor_page.locator("section[aria-labelledby=markings-heading]")
    expect(markings).to_contain_text(f"{trainee} acknowledged this feedback")
    expect(markings.get_by_label("Trainee's reply")).to_contain_text(ack_reply)
