"""Building each email from its ledger row: content, headers, and when there is nothing to send."""

import datetime
from urllib.parse import quote_plus

import pytest
from django.utils import timezone

from accounts.models import EmailCategory, NotificationPreferences
from accounts.unsubscribe import unsubscribe_read
from reflect.assessment.models import Submission, SubmissionStatus
from reflect.feedback import services as feedback
from reflect.feedback.models import Notification, NotificationKind
from reflect.journal.models import AccessEvent, JournalEntry
from reflect.outbox.models import Delivery
from reflect.prompts.models import Prompt, Theme
from reflect.reminders.emails import build_message, notifications_mark_emailed, subject_line
from tests.reflect.assessment_factories import make_checkpoint, make_submission

pytestmark = pytest.mark.django_db

SITE = "https://reflect.example"
LONG_PROMPT = (
    "Think of a moment this week when you felt out of step with a client. What did your body notice first, "
    "and what helped you find your way back?"
)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "Reflect <noreply@reflect.example>"


@pytest.fixture
def prompt(db):
    return Prompt.objects.create(theme=Theme.ATTUNEMENT, text=LONG_PROMPT)


def delivery(user, category, payload, period="p1") -> Delivery:
    row = Delivery.objects.create(user=user, kind=category, period=period, payload=payload)
    return fresh(row)


def fresh(row) -> Delivery:
    """The row as a send batch loads it when it claims it."""
    return Delivery.objects.select_related("user", "user__preferences").get(pk=row.pk)


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def this_monday(cohort) -> datetime.date:
    today = timezone.localdate(timezone=cohort.tz)
    return today - datetime.timedelta(days=today.weekday())


def weekly(trainee, cohort, prompt):
    payload = {"prompt_id": prompt.pk, "cohort_id": cohort.pk, "week_start": this_monday(cohort).isoformat()}
    return delivery(trainee, EmailCategory.WEEKLY_PROMPT, payload)


# Weekly prompt --------------------------------------------------------------------------------------------------


def test_weekly_prompt_has_the_prompt_in_subject_and_both_parts(trainee, cohort, prompt):
    message = build_message(weekly(trainee, cohort, prompt))
    assert message.to == ["alice@example.test"]
    assert message.from_email == "Reflect <noreply@reflect.example>"
    assert message.subject == "This week's prompt: Think of a moment this week when you felt out of step with a client."
    start = f"{SITE}/journal/new/?prompt={quote_plus(LONG_PROMPT)}"
    assert LONG_PROMPT in message.body and start in message.body
    html = html_of(message)
    assert "out of step with a client" in html and start.replace("&", "&amp;") in html
    assert "already written this week" not in message.body
    assert "<html" in html and "http" not in html.split("<body")[0]  # no external assets


def test_every_email_carries_one_click_unsubscribe_headers_and_links(trainee, cohort, prompt):
    message = build_message(weekly(trainee, cohort, prompt))
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/accounts/unsubscribe/") and header.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header[1:-1]
    token = url.removeprefix(f"{SITE}/accounts/unsubscribe/").rstrip("/")
    assert unsubscribe_read(token=token) == (trainee, EmailCategory.WEEKLY_PROMPT)
    preferences = f"{SITE}/accounts/preferences/"
    assert url in message.body and preferences in message.body
    assert url in html_of(message) and preferences in html_of(message)
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_weekly_prompt_says_kindly_when_already_written_this_week(trainee, cohort, prompt, make_entry):
    make_entry(trainee, cohort, body="Private words that never go in an email.")
    message = build_message(weekly(trainee, cohort, prompt))
    assert "already written this week" in message.body
    assert "optional" in message.body and "optional" in html_of(message)
    assert "Private words" not in message.body + html_of(message)


def test_an_entry_from_last_week_does_not_count_as_this_week(trainee, cohort, prompt, make_entry):
    entry = make_entry(trainee, cohort)
    last_week = datetime.datetime.combine(this_monday(cohort), datetime.time(12), tzinfo=cohort.tz)
    JournalEntry.objects.filter(pk=entry.pk).update(published_at=last_week - datetime.timedelta(days=3))
    assert "already written this week" not in build_message(weekly(trainee, cohort, prompt)).body


def test_weekly_prompt_is_not_built_when_the_prompt_is_gone_or_turned_off(trainee, cohort, prompt):
    row = weekly(trainee, cohort, prompt)
    NotificationPreferences.objects.create(user=trainee, weekly_prompt=False)
    assert build_message(fresh(row)) is None
    NotificationPreferences.objects.filter(user=trainee).update(weekly_prompt=True)
    assert build_message(fresh(row)) is not None
    prompt.delete()
    assert build_message(fresh(row)) is None


def test_nothing_is_built_for_a_refused_address(trainee, cohort, prompt):
    row = weekly(trainee, cohort, prompt)
    row.user.email_failed_at = timezone.now()
    assert build_message(row) is None


# Deadlines ------------------------------------------------------------------------------------------------------


def test_deadline_reminder_gives_title_due_time_days_and_link(trainee, cohort):
    checkpoint = make_checkpoint(cohort, due_in_days=7, title="First portfolio")
    message = build_message(delivery(trainee, EmailCategory.DEADLINES, {"checkpoint_id": checkpoint.pk}))
    assert "First portfolio" in message.subject
    local = checkpoint.due_at.astimezone(cohort.tz)
    assert f"{local:%H:%M} (Europe/London)" in message.body and local.strftime("%A") in message.body
    assert "in 7 days" in message.body or "in 6 days" in message.body
    assert f"{SITE}/checkpoints/{checkpoint.pk}/" in message.body
    assert f"{SITE}/checkpoints/{checkpoint.pk}/" in html_of(message)


def test_deadline_reminder_is_not_built_after_submitting(trainee, cohort):
    checkpoint = make_checkpoint(cohort, due_in_days=1)
    row = delivery(trainee, EmailCategory.DEADLINES, {"checkpoint_id": checkpoint.pk, "days_before": 1})
    make_submission(checkpoint, trainee, submit=False)
    assert build_message(row) is not None  # a draft is not a submission
    Submission.objects.filter(trainee=trainee).update(status=SubmissionStatus.SUBMITTED)
    assert build_message(row) is None


def test_overdue_list_names_trainees_who_have_not_submitted(trainee, trainee2, tutor, cohort):
    checkpoint = make_checkpoint(cohort, due_in_days=3, title="Case study")
    make_submission(checkpoint, trainee)
    row = delivery(tutor, EmailCategory.DEADLINES, {"checkpoint_id": checkpoint.pk, "overdue": True})
    message = build_message(row)
    assert "Bob Trainee" in message.body and "Bob Trainee" in html_of(message)
    assert "Alice Trainee" not in message.body
    assert "1 trainee still to submit" in message.subject
    assert f"{SITE}/checkpoints/{checkpoint.pk}/" in message.body
    make_submission(checkpoint, trainee2)
    assert build_message(row) is None


# Digest ---------------------------------------------------------------------------------------------------------


def digest_row(tutor, cohort, since=None):
    since = since or timezone.now() - datetime.timedelta(days=7)
    return delivery(tutor, EmailCategory.DIGEST, {"cohort_id": cohort.pk, "since": since.isoformat()})


def test_digest_is_not_built_when_nothing_is_waiting(tutor, trainee, cohort, make_entry):
    make_entry(trainee, cohort, title="Private entry")  # private: not the tutor's to read
    assert build_message(digest_row(tutor, cohort)) is None


def test_digest_lists_entries_replies_and_submissions_without_any_text(tutor, trainee, trainee2, cohort, make_entry):
    secret = "The client's words about her father stayed with me"
    entry = make_entry(trainee, cohort, title="Rupture in week six", body=secret, visibility="shared")
    read = make_entry(trainee2, cohort, title="Already opened", body="x", visibility="shared")
    AccessEvent.objects.create(entry=read, user=tutor)
    comment = feedback.comment_create(entry=read, author=tutor, body="What did you notice in your body?")
    feedback.comment_reply(parent=comment, author=trainee2, body="My jaw tightened before I spoke.")
    checkpoint = make_checkpoint(cohort, title="Term one portfolio")
    make_submission(checkpoint, trainee, summary="Summary text that must not appear.")

    message = build_message(digest_row(tutor, cohort))
    text, html = message.body, html_of(message)
    assert "Rupture in week six" in text and f"{SITE}/journal/{entry.pk}/" in text
    assert "Already opened" in text  # only as the entry of a waiting reply
    assert text.count("Already opened") == 1
    assert "Bob Trainee replied" in text
    assert "Term one portfolio" in text and "/submissions/" in text
    # Submitting shares the submitted entry, so it is new to read too.
    assert "2 new entries, 1 reply, 1 submission to assess" in message.subject
    for words in (secret, "jaw tightened", "notice in your body", "Summary text"):
        assert words not in text and words not in html


def test_digest_leaves_out_replies_the_tutor_has_answered(tutor, trainee, cohort, make_entry):
    entry = make_entry(trainee, cohort, title="Shared", visibility="shared")
    AccessEvent.objects.create(entry=entry, user=tutor)
    comment = feedback.comment_create(entry=entry, author=tutor, body="A question.")
    reply = feedback.comment_reply(parent=comment, author=trainee, body="An answer.")
    answer = feedback.comment_reply(parent=reply, author=tutor, body="Thank you.")
    answer.posted_at = reply.posted_at + datetime.timedelta(seconds=1)
    answer.save()
    assert build_message(digest_row(tutor, cohort)) is None


def test_digest_respects_since(tutor, trainee, cohort, make_entry):
    make_entry(trainee, cohort, title="Shared", visibility="shared")
    assert build_message(digest_row(tutor, cohort, since=timezone.now() + datetime.timedelta(minutes=1))) is None


# Notifications --------------------------------------------------------------------------------------------------


def notify_many(user, count):
    return [
        Notification.objects.create(
            user=user,
            kind=NotificationKind.COMMENT,
            summary=f"Charlie Tutor commented on “Entry {n}”.",
            url=f"/journal/{n}/#comment-{n}",
        )
        for n in range(count)
    ]


def test_notifications_are_grouped_in_one_email_and_marked_emailed(trainee):
    notes = notify_many(trainee, 5)
    later = notify_many(trainee, 1)[0]  # arrived after the batch was planned
    row = delivery(trainee, EmailCategory.NOTIFICATIONS, {"up_to": notes[-1].pk})
    message = build_message(row)
    assert "5 new updates" in message.subject
    for n, note in enumerate(notes):
        assert f"“Entry {n}”" in message.body
        assert f"{SITE}/notifications/{note.pk}/open/" in message.body
        assert f"{SITE}/notifications/{note.pk}/open/" in html_of(message)
    assert f"/notifications/{later.pk}/open/" not in message.body
    assert notifications_mark_emailed(row) == 5
    assert set(Notification.objects.filter(emailed_at__isnull=False).values_list("pk", flat=True)) == {
        n.pk for n in notes
    }
    assert build_message(row) is None


def test_a_single_notification_is_the_subject(trainee):
    [note] = notify_many(trainee, 1)
    message = build_message(delivery(trainee, EmailCategory.NOTIFICATIONS, {"up_to": note.pk}))
    assert message.subject == "Charlie Tutor commented on “Entry 0”."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What helped you find your way back? Notice your body too.", "What helped you find your way back?"),
        ("Short.\nSecond line.", "Short."),
        ("word " * 30, ("word " * 16)[:79] + "…"),
    ],
)
def test_the_subject_holds_the_first_sentence_or_the_prompt_cut_short(text, expected):
    assert subject_line(text) == expected
