"""Notifications never carry an entry's title, and a list only shows notices about
what its reader may still read: an entry made private, or moved to Trash, takes
its notices out of every list, count and email."""

import datetime
import importlib
import re

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import EmailCategory
from reflect.cohorts.models import Membership, Role
from reflect.feedback import services
from reflect.feedback.models import Notification, NotificationKind
from reflect.journal import services as journal
from reflect.journal.models import Visibility
from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.outbox.sending import delivery_send
from reflect.reminders.dispatch import reminders_dispatch
from reflect.reminders.emails import build_message

pytestmark = pytest.mark.django_db

TITLE = "qzSecretTitle about my own therapy"


@pytest.fixture
def shared(trainee, cohort, make_entry):
    return make_entry(trainee, cohort, title=TITLE, visibility=Visibility.SHARED)


@pytest.fixture
def tutor2(user_factory, cohort):
    user = user_factory("frank@example.test", "Frank Tutor")
    Membership.objects.create(user=user, cohort=cohort, role=Role.TUTOR)
    return user


@pytest.fixture
def reply_to_tutor(shared, trainee, tutor):
    """Alice replies to Charlie's comment: Charlie is told."""
    top = services.comment_create(entry=shared, author=tutor, body="How did that land?")
    services.comment_reply(parent=top, author=trainee, body="It stayed with me.")
    return Notification.objects.get(user=tutor)


def nav_unread(client) -> int:
    match = re.search(r'aria-label="(\d+) unread"', client.get("/journal/").content.decode())
    return int(match.group(1)) if match else 0


def notices_email(user) -> Delivery:
    up_to = Notification.objects.filter(user=user).latest("id").pk
    row = Delivery.objects.create(
        user=user, kind=EmailCategory.NOTIFICATIONS, period=f"from-{up_to}", payload={"up_to": up_to}
    )
    return Delivery.objects.select_related("user", "user__preferences").get(pk=row.pk)


# Summaries and subjects -------------------------------------------------------------------------------------------


def test_it_writes_summaries_that_name_the_writer_but_never_the_entry(shared, trainee, tutor, tutor2):
    top = services.comment_create(entry=shared, author=tutor, body="Hello")
    services.comment_reply(parent=top, author=trainee, body="Thanks")
    services.comment_reply(parent=top, author=tutor2, body="Adding to this")

    summaries = {(n.user.email, n.summary) for n in Notification.objects.select_related("user")}
    assert summaries == {
        (trainee.email, "Charlie Tutor commented on one of your entries."),
        (tutor.email, "Alice Trainee replied to your comment."),
        (tutor.email, "Frank Tutor replied to your comment."),
        (trainee.email, "Frank Tutor replied in a conversation on one of your entries."),
    }
    assert set(Notification.objects.values_list("entry", flat=True)) == {shared.pk}


def test_it_keeps_the_title_out_of_a_single_notification_emails_subject_and_text(reply_to_tutor, tutor):
    message = build_message(notices_email(tutor))

    assert message.subject == "Alice Trainee replied to your comment."
    assert "qzSecretTitle" not in message.subject + message.body + message.alternatives[0][0]


# Lists, counts and links --------------------------------------------------------------------------------------------


def test_it_hides_a_tutors_notification_once_the_trainee_makes_the_entry_private(
    reply_to_tutor, shared, tutor, client_for
):
    client = client_for(tutor)
    assert "Alice Trainee replied to your comment." in client.get("/notifications/").content.decode()
    assert nav_unread(client) == 1

    journal.entry_set_visibility(entry=shared, visibility=Visibility.PRIVATE)

    page = client.get("/notifications/").content.decode()
    assert "Alice Trainee replied" not in page and "You have no notifications yet" in page
    assert nav_unread(client) == 0
    assert client.get(f"/notifications/{reply_to_tutor.pk}/open/").status_code == 404


def test_it_shows_the_notification_again_when_the_entry_is_shared_again(reply_to_tutor, shared, tutor, client_for):
    journal.entry_set_visibility(entry=shared, visibility=Visibility.PRIVATE)
    journal.entry_set_visibility(entry=shared, visibility=Visibility.SHARED)

    client = client_for(tutor)
    assert "Alice Trainee replied to your comment." in client.get("/notifications/").content.decode()
    assert client.get(f"/notifications/{reply_to_tutor.pk}/open/").status_code == 302


def test_it_hides_notifications_about_an_entry_in_trash_from_everyone(shared, trainee, tutor, client_for):
    services.comment_create(entry=shared, author=tutor, body="Hello")

    journal.entry_delete(entry=shared)

    assert nav_unread(client_for(trainee)) == 0
    assert "commented" not in client_for(trainee).get("/notifications/").content.decode()


def test_it_keeps_notifications_that_are_about_no_entry(trainee, client_for):
    Notification.objects.create(
        user=trainee, kind=NotificationKind.FEEDBACK_RELEASED, summary="Feedback released qzFB", url="/checkpoints/"
    )

    assert "qzFB" in client_for(trainee).get("/notifications/").content.decode()


def test_it_deletes_notifications_with_their_entry(reply_to_tutor, shared):
    shared.delete()

    assert not Notification.objects.exists()


# Emails --------------------------------------------------------------------------------------------------------------


def test_it_leaves_out_of_the_email_what_the_reader_may_no_longer_read(reply_to_tutor, shared, tutor, trainee, cohort):
    other = journal.entry_publish(
        author=trainee,
        cohort=cohort,
        data={"title": "Another", "body": "b", "template": "free", "visibility": Visibility.SHARED},
    )
    top = services.comment_create(entry=other, author=tutor, body="Hi")
    services.comment_reply(parent=top, author=trainee, body="Hello back")
    journal.entry_set_visibility(entry=shared, visibility=Visibility.PRIVATE)

    message = build_message(notices_email(tutor))

    assert "new things" not in message.body and "There is something new" in message.body
    assert f"/notifications/{reply_to_tutor.pk}/open/" not in message.body


def test_it_sends_no_email_for_unreadable_notices_and_does_not_hold_later_ones_back(
    reply_to_tutor, shared, tutor, trainee, cohort
):
    journal.entry_set_visibility(entry=shared, visibility=Visibility.PRIVATE)
    now = timezone.now()
    Notification.objects.update(created_at=now - datetime.timedelta(minutes=11))
    reminders_dispatch(now=now)
    hidden_row = Delivery.objects.get(user=tutor, kind=EmailCategory.NOTIFICATIONS)

    assert delivery_send(delivery_id=hidden_row.pk) == DeliveryStatus.SKIPPED
    assert not mail.outbox

    journal.entry_set_visibility(entry=shared, visibility=Visibility.SHARED)
    services.comment_reply(parent=shared.comments.get(parent=None), author=trainee, body="One more thought")
    Notification.objects.filter(emailed_at__isnull=True).update(created_at=now - datetime.timedelta(minutes=11))
    reminders_dispatch(now=now)
    next_row = Delivery.objects.filter(user=tutor, kind=EmailCategory.NOTIFICATIONS).latest("id")

    assert next_row.pk != hidden_row.pk
    assert delivery_send(delivery_id=next_row.pk) == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [[tutor.email]]


# Notices written before this change ---------------------------------------------------------------------------------


def test_it_links_old_notices_to_their_entry_and_rewrites_their_summaries(shared, trainee, tutor):
    from django.apps import apps

    migration = importlib.import_module("reflect.migrations.0009_notification_entry")
    url = f"/journal/{shared.pk}/#comment-1"
    old = [
        Notification.objects.create(user=trainee, kind="comment", actor=tutor, summary=f"On “{TITLE}”.", url=url),
        Notification.objects.create(user=tutor, kind="reply", actor=trainee, summary=f"On “{TITLE}”.", url=url),
        Notification.objects.create(user=trainee, kind="reply", actor=None, summary=f"On “{TITLE}”.", url=url),
        Notification.objects.create(user=trainee, kind="comment", summary=f"On “{TITLE}”.", url="/journal/999999/"),
        Notification.objects.create(user=trainee, kind="feedback_released", summary="Feedback", url="/checkpoints/"),
    ]

    migration.link_and_neutralise(apps, None)

    rows = {n.pk: (n.entry_id, n.summary) for n in Notification.objects.all()}
    assert rows == {
        old[0].pk: (shared.pk, "Charlie Tutor commented on one of your entries."),
        old[1].pk: (shared.pk, "Alice Trainee replied to your comment."),
        old[2].pk: (shared.pk, "Someone replied in a conversation on one of your entries."),
        old[4].pk: (None, "Feedback"),
    }


def test_a_notifications_email_refused_for_now_keeps_its_notices_for_the_retry(reply_to_tutor, tutor, monkeypatch):
    import smtplib

    row = notices_email(tutor)

    def greylist(self, messages):
        raise smtplib.SMTPRecipientsRefused({tutor.email: (451, b"4.7.1 Try again later")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", greylist)
    assert delivery_send(delivery_id=row.pk) == DeliveryStatus.PENDING
    reply_to_tutor.refresh_from_db()
    assert reply_to_tutor.emailed_at is None  # still to be told
    monkeypatch.undo()
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert delivery_send(delivery_id=row.pk) == DeliveryStatus.SENT
    reply_to_tutor.refresh_from_db()
    assert reply_to_tutor.emailed_at is not None and len(mail.outbox) == 1
