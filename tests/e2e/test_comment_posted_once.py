"""A comment sent twice, by a double click or by the same POST arriving again (later, or
at the same moment), is posted (and announced) once."""

import pytest
from playwright.sync_api import expect

from reflect.feedback.models import Comment, Notification

pytestmark = pytest.mark.e2e

TEXT = "What did you notice in your body when the client went quiet?"
SECOND = "And what did you do with it?"


def test_a_double_click_and_a_resent_post_make_one_comment(page_for, make_entry, trainee, tutor, cohort):
    entry = make_entry(trainee, cohort, title="The long silence", visibility="shared")
    page = page_for(tutor)
    page.goto(f"/journal/{entry.pk}/")
    thread = page.locator("#comment-thread")
    expect(thread).to_contain_text("No comments yet.")
    thread.get_by_label("Add a comment").fill(TEXT)

    # The form as it is about to be sent: its CSRF token and its draft token and nonce.
    form = thread.locator("form").filter(has=page.get_by_role("button", name="Post comment"))
    action = form.get_attribute("action")
    fields = form.evaluate("f => Object.fromEntries(new FormData(f))")
    assert fields["body"] == TEXT and fields["csrfmiddlewaretoken"] and fields.get("_draft_nonce")
    fields["action"] = "post"

    sent = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" and r.url.endswith(action) else None)
    page.get_by_role("button", name="Post comment").dblclick()

    expect(page.locator("#comments-status")).to_have_text("Comment posted.")
    expect(thread.get_by_text(TEXT)).to_have_count(1)
    assert sent, "the double click sent nothing"
    page.wait_for_load_state("networkidle")  # the second click's request, if any, has been answered
    assert Comment.objects.filter(entry=entry).count() == 1

    # The very same POST again (a resend after a dropped connection, a browser retry).
    response = page.request.post(action, form=fields)
    assert response.ok, response.status

    page.reload()
    expect(page.locator("#comment-thread").get_by_text(TEXT)).to_have_count(1)
    expect(page.locator("#comment-thread article")).to_have_count(1)
    assert Comment.objects.filter(entry=entry).count() == 1
    assert Notification.objects.filter(user=trainee).count() == 1  # told once

    # Two copies of one sending arriving together (a retry racing the original).
    page.locator("#comment-thread").get_by_label("Add a comment").fill(SECOND)
    form = page.locator("#comment-thread form").filter(has=page.get_by_role("button", name="Post comment"))
    statuses = form.evaluate(
        """f => {
            const data = new FormData(f);
            data.set("action", "post");
            const send = () => fetch(f.getAttribute("action"), {method: "POST", body: data}).then(r => r.status);
            return Promise.all([send(), send()]);
        }"""
    )
    assert statuses == [200, 200]
    page.reload()
    expect(page.locator("#comment-thread").get_by_text(SECOND)).to_have_count(1)
    assert [c.body for c in Comment.objects.filter(entry=entry)].count(SECOND) == 1
    assert Notification.objects.filter(user=trainee).count() == 2
