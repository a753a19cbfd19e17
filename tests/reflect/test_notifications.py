"""In-app notifications: who is told about comments and replies, the unread count, the notifications page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reflect.assessment import services as assessment_services
from reflect.cohorts.models import Membership, Role
from reflect.feedback import services
from reflect.feedback.models import Notification, NotificationKind
from reflect.feedback.notify import notify
from reflect.journal.models import Visibility
from tests.reflect.assessment_factories import make_checkpoint, make_submission, mark

pytestmark = pytest.mark.django_db

LOGIN_PREFIX = "/accounts/login/"
# Session, user, unread count (context processor), page count, page rows.
LIST_QUERIES = 5


@pytest.fixture
def shared(trainee, cohort, make_entry):
    return make_entry(trainee, cohort, title="Holding the silence", visibility=Visibility.SHARED)


@pytest.fixture
def tutor2(user_factory, cohort):
    user = user_factory("frank@example.test", "Frank Tutor")
    Membership.objects.create(user=user, cohort=cohort, role=Role.TUTOR)
    return user


def recipients(kind: str | None = None) -> list[str]:
    notes = Notification.objects.order_by("user__email")
    if kind:
        notes = notes.filter(kind=kind)
    return list(notes.values_list("user__email", flat=True))


def nav_unread(client) -> int:
    html = client.get("/journal/").content.decode()
    match = re.search(r'aria-label="(\d+) unread"', html)
    return int(match.group(1)) if match else 0


# Who is told --------------------------------------------------------------------------------------------------


def test_new_comment_notifies_only_the_entrys_author(shared, trainee, tutor, tutor2, client_for):
    client_for(tutor).post(f"/journal/{shared.pk}/comments/", {"body": "Private thoughts qzTEXT"})

    note = Notification.objects.get()
    comment = shared.comments.get()
    assert recipients() == [trainee.email]
    assert (note.kind, note.actor) == (NotificationKind.COMMENT, tutor)
    assert note.url == f"/journal/{shared.pk}/#comment-{comment.pk}"
    assert note.summary == "Charlie Tutor commented on one of your entries."
    assert note.entry == shared


def test_trainee_reply_notifies_the_tutor_but_not_the_trainee(shared, trainee, tutor):
    top = services.comment_create(entry=shared, author=tutor, body="Hello")
    Notification.objects.all().delete()

    services.comment_reply(parent=top, author=trainee, body="Thanks qzTEXT")

    assert recipients(NotificationKind.REPLY) == [tutor.email]


def test_reply_by_another_tutor_notifies_the_comment_author_and_the_trainee(shared, trainee, tutor, tutor2):
    top = services.comment_create(entry=shared, author=tutor, body="Hello")
    Notification.objects.all().delete()

    services.comment_reply(parent=top, author=tutor2, body="Adding to this")

    assert recipients(NotificationKind.REPLY) == [trainee.email, tutor.email]


def test_tutor_replying_to_own_comment_notifies_the_trainee_once(shared, trainee, tutor):
    top = services.comment_create(entry=shared, author=tutor, body="Hello")
    Notification.objects.all().delete()

    services.comment_reply(parent=top, author=tutor, body="One more thing")

    assert recipients() == [trainee.email]


def test_trainee_replying_to_own_reply_tells_the_thread_starter(shared, trainee, tutor):
    top = services.comment_create(entry=shared, author=tutor, body="Hello")
    reply = services.comment_reply(parent=top, author=trainee, body="First")
    Notification.objects.all().delete()

    services.comment_reply(parent=reply, author=trainee, body="And also")

    assert recipients() == [tutor.email]


def test_when_parent_author_is_the_entry_author_they_are_told_once(shared, trainee, tutor, tutor2):
    top = services.comment_create(entry=shared, author=tutor, body="Hello")
    reply = services.comment_reply(parent=top, author=trainee, body="First")
    Notification.objects.all().delete()

    # A reply to the trainee's reply belongs to the tutor's thread: the thread starter and the trainee hear once each.
    services.comment_reply(parent=reply, author=tutor2, body="Joining in")

    assert recipients() == [trainee.email, tutor.email]


def test_drafts_notify_nobody_until_posted(shared, trainee, tutor):
    draft = services.comment_create(entry=shared, author=tutor, body="Not yet", draft=True)
    assert not Notification.objects.exists()

    services.comment_post_draft(comment=draft, by=tutor)

    note = Notification.objects.get()
    assert (note.user, note.kind, note.url) == (
        trainee,
        NotificationKind.COMMENT,
        f"/journal/{shared.pk}/#comment-{draft.pk}",
    )


def test_posting_a_draft_twice_notifies_once(shared, trainee, tutor):
    draft = services.comment_create(entry=shared, author=tutor, body="Not yet", draft=True)
    stale = type(draft).objects.get(pk=draft.pk)
    services.comment_post_draft(comment=draft, by=tutor)

    with pytest.raises(services.CommentError):
        services.comment_post_draft(comment=stale, by=tutor)

    assert Notification.objects.count() == 1


def test_summaries_never_contain_the_comment_text(shared, trainee, tutor, tutor2):
    top = services.comment_create(entry=shared, author=tutor, body="qzTEXT1 about the client")
    services.comment_reply(parent=top, author=trainee, body="qzTEXT2 about my own therapy")
    services.comment_reply(parent=top, author=tutor2, body="qzTEXT3")

    assert Notification.objects.count() == 4
    assert not [n for n in Notification.objects.all() if "qzTEXT" in n.summary]
    assert not Notification.objects.filter(url__contains="qzTEXT").exists()


def test_notify_skips_the_actor(trainee):
    assert notify(user=trainee, kind=NotificationKind.COMMENT, summary="x", url="/", actor=trainee) is None
    assert not Notification.objects.exists()


# Reading notifications -------------------------------------------------------------------------------------------


def test_unread_count_in_the_nav_drops_after_opening(shared, trainee, tutor, client_for):
    services.comment_create(entry=shared, author=tutor, body="One")
    services.comment_create(entry=shared, author=tutor, body="Two")
    client = client_for(trainee)
    assert nav_unread(client) == 2
    first = Notification.objects.filter(user=trainee).last()

    response = client.get(f"/notifications/{first.pk}/open/")

    first.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == first.url
    assert first.read_at is not None
    assert nav_unread(client) == 1
    assert client.get(response["Location"]).status_code == 200


def test_opening_twice_keeps_the_first_read_time(trainee, client_for):
    note = notify(user=trainee, kind=NotificationKind.COMMENT, summary="x", url="/journal/")
    client = client_for(trainee)
    client.get(f"/notifications/{note.pk}/open/")
    note.refresh_from_db()
    first_read = note.read_at

    client.get(f"/notifications/{note.pk}/open/")

    note.refresh_from_db()
    assert note.read_at == first_read


def test_someone_elses_notification_is_404_and_stays_unread(trainee, trainee2, client_for):
    note = notify(user=trainee, kind=NotificationKind.COMMENT, summary="For Alice qzMINE", url="/journal/")

    assert client_for(trainee2).get(f"/notifications/{note.pk}/open/").status_code == 404
    assert "qzMINE" not in client_for(trainee2).get("/notifications/").content.decode()
    note.refresh_from_db()
    assert note.read_at is None


def test_anonymous_is_sent_to_sign_in(trainee, client_for):
    note = notify(user=trainee, kind=NotificationKind.COMMENT, summary="x", url="/journal/")
    client = client_for(None)

    for method, url in [
        ("get", "/notifications/"),
        ("get", f"/notifications/{note.pk}/open/"),
        ("post", "/notifications/read-all/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_PREFIX), url
    note.refresh_from_db()
    assert note.read_at is None


def test_a_url_to_another_site_is_not_followed(trainee, client_for):
    note = notify(user=trainee, kind=NotificationKind.COMMENT, summary="x", url="https://elsewhere.example/")

    response = client_for(trainee).get(f"/notifications/{note.pk}/open/")

    assert response["Location"] == "/notifications/"


def test_mark_all_as_read(trainee, trainee2, client_for):
    for n in range(3):
        notify(user=trainee, kind=NotificationKind.COMMENT, summary=f"n{n}", url="/journal/")
    other = notify(user=trainee2, kind=NotificationKind.COMMENT, summary="bob's", url="/journal/")
    client = client_for(trainee)

    assert client.get("/notifications/read-all/").status_code == 405
    response = client.post("/notifications/read-all/", follow=True)

    assert response.status_code == 200
    assert not Notification.objects.filter(user=trainee, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert nav_unread(client) == 0
    assert "Mark all as read" not in client.get("/notifications/").content.decode()


def test_feedback_released_notifications_are_listed_and_open(trainee, client_for):
    note = notify(
        user=trainee, kind=NotificationKind.FEEDBACK_RELEASED, summary="Feedback on “Checkpoint 1”", url="/journal/"
    )
    client = client_for(trainee)

    assert "Feedback on “Checkpoint 1”" in client.get("/notifications/").content.decode()
    assert client.get(f"/notifications/{note.pk}/open/")["Location"] == "/journal/"


# The notifications page ------------------------------------------------------------------------------------------


def test_empty_state(trainee, client_for):
    html = client_for(trainee).get("/notifications/").content.decode()

    assert "You have no notifications yet" in html
    assert "Mark all as read" not in html


def test_unread_are_highlighted_and_link_through_open(trainee, client_for):
    read = notify(user=trainee, kind=NotificationKind.COMMENT, summary="Old news qzOLD", url="/journal/")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    unread = notify(user=trainee, kind=NotificationKind.REPLY, summary="Fresh qzNEW", url="/journal/")

    html = client_for(trainee).get("/notifications/").content.decode()

    items = re.findall(r'<li class="list-group-item([^"]*)" data-testid="notification">(.*?)</li>', html, re.S)
    assert len(items) == 2
    (new_class, new_html), (old_class, old_html) = items
    assert "list-group-item-primary" in new_class and "qzNEW" in new_html and "New</span>" in new_html
    assert "list-group-item-primary" not in old_class and "qzOLD" in old_html and "New</span>" not in old_html
    assert f'href="/notifications/{unread.pk}/open/"' in new_html
    assert "Mark all as read" in html


def test_list_is_paginated_by_20_newest_first(trainee, client_for):
    Notification.objects.bulk_create(
        Notification(user=trainee, kind=NotificationKind.COMMENT, summary=f"Note {n:02d}.", url="/journal/")
        for n in range(25)
    )
    client = client_for(trainee)

    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()

    assert first.count('data-testid="notification"') == 20
    assert second.count('data-testid="notification"') == 5
    assert "Page 1 of 2" in first
    assert "Note 24." in first and "Note 00." in second


@pytest.mark.parametrize("size", [3, 60])
def test_list_queries_do_not_grow(trainee, client_for, django_assert_num_queries, size):
    Notification.objects.bulk_create(
        Notification(user=trainee, kind=NotificationKind.COMMENT, summary=f"Note {n}", url="/journal/")
        for n in range(size)
    )
    client = client_for(trainee)

    with django_assert_num_queries(LIST_QUERIES):
        assert client.get("/notifications/").status_code == 200


# Opening the page a notification points to, another way ----------------------------------------------------------


def test_opening_the_entry_from_the_journal_reads_its_notifications_only(
    shared, trainee, tutor, cohort, make_entry, client_for
):
    services.comment_create(entry=shared, author=tutor, body="One")
    services.comment_create(entry=shared, author=tutor, body="Two")
    other_entry = make_entry(trainee, cohort, title="Another", visibility=Visibility.SHARED)
    services.comment_create(entry=other_entry, author=tutor, body="Elsewhere")
    tutors_own = notify(
        user=tutor, kind=NotificationKind.REPLY, summary="x", url=f"/journal/{shared.pk}/", entry=shared
    )
    client = client_for(trainee)
    assert nav_unread(client) == 3

    assert client.get(f"/journal/{shared.pk}/").status_code == 200

    assert nav_unread(client) == 1
    assert not Notification.objects.filter(user=trainee, entry=shared, read_at__isnull=True).exists()
    assert Notification.objects.get(user=trainee, entry=other_entry).read_at is None
    tutors_own.refresh_from_db()
    assert tutors_own.read_at is None  # someone else's notice about the same entry stays theirs


def test_marking_them_read_is_one_update(shared, trainee, tutor):
    for body in ("One", "Two", "Three"):
        services.comment_create(entry=shared, author=tutor, body=body)
    with CaptureQueriesContext(connection) as queries:
        assert services.notifications_read_on_open(user=trainee, entry_id=shared.pk) == 3
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")
    assert services.notifications_read_on_open(user=trainee, entry_id=shared.pk) == 0


def test_opening_released_feedback_directly_reads_its_notification(trainee, tutor, cohort, client_for):
    submission = make_submission(make_checkpoint(cohort), trainee)
    assessment_services.assessment_release(assessment=mark(submission, tutor), by=tutor)
    elsewhere = notify(user=trainee, kind=NotificationKind.COMMENT, summary="x", url="/journal/")
    client = client_for(trainee)
    assert nav_unread(client) == 2

    assert client.get(f"/submissions/{submission.pk}/feedback/").status_code == 200

    assert nav_unread(client) == 1
    assert Notification.objects.get(kind=NotificationKind.FEEDBACK_RELEASED).read_at is not None
    elsewhere.refresh_from_db()
    assert elsewhere.read_at is None
