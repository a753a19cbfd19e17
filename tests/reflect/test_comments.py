"""Comments on shared entries: tutors start threads, the trainee and tutors reply, one level deep."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from reflect.cohorts.models import Membership, Role
from reflect.feedback import services
from reflect.feedback.models import COMMENT_MAX, Comment, CommentStatus, Notification
from reflect.journal import services as journal_services
from reflect.journal.models import Visibility

pytestmark = pytest.mark.django_db

LOGIN_PREFIX = "/accounts/login/"
HTMX = {"HTTP_HX_REQUEST": "true"}
# The entry page's counts in tests/reflect/test_query_counts.py plus one query for the whole comment thread,
# whatever its size (and the one UPDATE that marks the reader's notifications about the entry read).
ENTRY_PAGE_AUTHOR = 10
ENTRY_PAGE_TUTOR = 9


@pytest.fixture
def shared(trainee, cohort, make_entry):
    return make_entry(trainee, cohort, title="Holding the silence", visibility=Visibility.SHARED)


@pytest.fixture
def tutor2(user_factory, cohort):
    user = user_factory("frank@example.test", "Frank Tutor")
    Membership.objects.create(user=user, cohort=cohort, role=Role.TUTOR)
    return user


def post_comment(client, entry, body, **extra):
    return client.post(f"/journal/{entry.pk}/comments/", {"body": body, **extra})


def tutor_comment(entry, tutor, body="A first thought from your tutor.", **kwargs) -> Comment:
    return services.comment_create(entry=entry, author=tutor, body=body, **kwargs)


def page(client, entry) -> str:
    response = client.get(f"/journal/{entry.pk}/")
    assert response.status_code == 200
    return response.content.decode()


# Writing and reading ---------------------------------------------------------------------------------------------


def test_tutor_comments_on_shared_entry_and_trainee_reads_it(shared, trainee, tutor, client_for):
    response = post_comment(client_for(tutor), shared, "You stayed with the **silence**. What did your body do?")

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/journal/{shared.pk}/#comment-{comment.pk}"
    assert (comment.author, comment.entry, comment.status) == (tutor, shared, CommentStatus.POSTED)
    assert comment.posted_at is not None
    html = page(client_for(trainee), shared)
    assert "<strong>silence</strong>" in html
    assert f'id="comment-{comment.pk}"' in html


def test_trainee_cannot_start_a_thread_and_is_told_so(shared, trainee, client_for):
    client = client_for(trainee)
    assert "Only your tutors can start a comment thread" in page(client, shared)
    assert f'action="/journal/{shared.pk}/comments/"' not in page(client, shared)

    response = post_comment(client, shared, "Can I start one?")

    assert response.status_code == 400
    assert "Only your tutors can start a comment thread" in response.content.decode()
    assert "Can I start one?" in response.content.decode()
    assert not Comment.objects.exists()


def test_trainee_replies_and_tutors_reply_too(shared, trainee, tutor, tutor2, client_for):
    top = tutor_comment(shared, tutor)

    response = client_for(trainee).post(f"/comments/{top.pk}/reply/", {"body": "It went very still."})
    client_for(tutor2).post(f"/comments/{top.pk}/reply/", {"body": "Still how?"})

    reply = Comment.objects.get(author=trainee)
    assert response.status_code == 302
    assert response["Location"] == f"/journal/{shared.pk}/#comment-{reply.pk}"
    assert list(top.replies.values_list("author__email", flat=True)) == [trainee.email, tutor2.email]
    html = page(client_for(tutor), shared)
    assert "It went very still." in html and "Still how?" in html


def test_reply_to_a_reply_joins_the_top_level_comment(shared, trainee, tutor):
    top = tutor_comment(shared, tutor)
    reply = services.comment_reply(parent=top, author=trainee, body="First reply")

    second = services.comment_reply(parent=reply, author=tutor, body="Reply to the reply")

    assert second.parent == top
    assert Comment.objects.filter(parent__parent__isnull=False).count() == 0


def test_thread_is_one_level_deep_on_the_page(shared, trainee, tutor, client_for):
    top = tutor_comment(shared, tutor)
    reply = services.comment_reply(parent=top, author=trainee, body="First reply")

    client_for(tutor).post(f"/comments/{reply.pk}/reply/", {"body": "Deeper"})

    thread = services.comment_thread(entry_id=shared.pk, user=trainee)
    assert [c.pk for c in thread] == [top.pk]
    assert [r.body for r in thread[0].thread_replies] == ["First reply", "Deeper"]


@pytest.mark.parametrize(
    "body, forbidden",
    [
        ("<script>alert('x')</script>Hello", "<script"),
        ("[click me](javascript:alert(1))", "javascript:"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<a href="#" onclick="alert(1)">hi</a>', "onclick"),
    ],
)
def test_comment_markdown_is_sanitised(shared, trainee, tutor, client_for, body, forbidden):
    tutor_comment(shared, tutor, body=body)

    html = page(client_for(trainee), shared)
    start = html.index('id="comment-thread"')
    thread = html[start : html.index("</section>", start)]

    assert 'class="comment-text"' in thread
    assert forbidden not in thread


# Editing ---------------------------------------------------------------------------------------------------------


def test_author_can_edit_within_15_minutes_and_edited_is_shown(shared, trainee, tutor, client_for):
    comment = tutor_comment(shared, tutor, body="Frist thought")
    Comment.objects.filter(pk=comment.pk).update(posted_at=timezone.now() - timedelta(minutes=14))
    client = client_for(tutor)

    assert "Frist thought" in client.get(f"/comments/{comment.pk}/edit/").content.decode()
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "First thought"})

    comment.refresh_from_db()
    assert response.status_code == 302
    assert comment.body == "First thought"
    assert comment.edited_at is not None
    assert ">edited</span>" in page(client_for(trainee), shared)


def test_unedited_comment_is_not_marked_edited(shared, trainee, tutor, client_for):
    tutor_comment(shared, tutor)

    assert ">edited</span>" not in page(client_for(trainee), shared)


def test_edit_after_15_minutes_is_refused_and_changes_nothing(shared, tutor, client_for):
    comment = tutor_comment(shared, tutor, body="Fixed words")
    Comment.objects.filter(pk=comment.pk).update(posted_at=timezone.now() - timedelta(minutes=16))
    client = client_for(tutor)

    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "New words"})
    follow = client.get(f"/comments/{comment.pk}/edit/", follow=True)

    comment.refresh_from_db()
    assert response.status_code == 400
    assert "This one is now fixed" in response.content.decode()
    assert "New words" in response.content.decode()  # what they typed is not lost
    assert (comment.body, comment.edited_at) == ("Fixed words", None)
    assert "This one is now fixed" in follow.content.decode()
    assert f"/comments/{comment.pk}/edit/" not in page(client, comment.entry)


def test_edit_service_refuses_after_the_window(shared, tutor):
    comment = tutor_comment(shared, tutor)
    Comment.objects.filter(pk=comment.pk).update(posted_at=timezone.now() - timedelta(minutes=15, seconds=1))
    comment.refresh_from_db()

    with pytest.raises(services.CommentError):
        services.comment_edit(comment=comment, by=tutor, body="Changed")


@pytest.mark.parametrize("who", ["trainee", "tutor2"])
def test_editing_someone_elses_comment_is_404(shared, trainee, tutor, tutor2, client_for, who):
    comment = tutor_comment(shared, tutor, body="Mine")
    client = client_for({"trainee": trainee, "tutor2": tutor2}[who])

    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 404
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "Theirs"}).status_code == 404
    comment.refresh_from_db()
    assert comment.body == "Mine"


# Drafts ----------------------------------------------------------------------------------------------------------


def test_draft_is_visible_only_to_its_writer(shared, trainee, tutor, tutor2, client_for):
    response = post_comment(client_for(tutor), shared, "Draft idea qzDRAFT", action="draft")

    draft = Comment.objects.get()
    assert response.status_code == 302
    assert draft.status == CommentStatus.DRAFT and draft.posted_at is None
    assert "qzDRAFT" in page(client_for(tutor), shared)
    assert "qzDRAFT" not in page(client_for(trainee), shared)
    assert "qzDRAFT" not in page(client_for(tutor2), shared)
    assert not Notification.objects.exists()
    for user in (trainee, tutor2):
        assert client_for(user).post(f"/comments/{draft.pk}/reply/", {"body": "x"}).status_code == 404
        assert client_for(user).post(f"/comments/{draft.pk}/post/").status_code == 404


def test_posting_a_draft_shows_it_and_notifies_the_trainee(shared, trainee, tutor, client_for):
    draft = tutor_comment(shared, tutor, body="Ready now qzPOSTED", draft=True)
    client = client_for(tutor)

    response = client.post(f"/comments/{draft.pk}/post/")
    again = client.post(f"/comments/{draft.pk}/post/", follow=True)

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == CommentStatus.POSTED and draft.posted_at is not None
    assert "qzPOSTED" in page(client_for(trainee), shared)
    assert "already been posted" in again.content.decode()
    assert list(Notification.objects.values_list("user", flat=True)) == [trainee.pk]


def test_draft_can_be_edited_before_posting_without_edited_mark(shared, tutor):
    draft = tutor_comment(shared, tutor, body="Draft", draft=True)
    Comment.objects.filter(pk=draft.pk).update(created_at=timezone.now() - timedelta(days=2))
    draft.refresh_from_db()

    services.comment_edit(comment=draft, by=tutor, body="Better draft")

    draft.refresh_from_db()
    assert (draft.body, draft.edited_at) == ("Better draft", None)


def test_a_draft_cannot_be_replied_to(shared, tutor):
    draft = tutor_comment(shared, tutor, draft=True)

    with pytest.raises(services.CommentError):
        services.comment_reply(parent=draft, author=tutor, body="Hmm")


# Bad input -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_empty_comment_is_refused_with_a_clear_error(shared, tutor, client_for, body):
    response = post_comment(client_for(tutor), shared, body)

    assert response.status_code == 400
    assert "an empty comment can&#x27;t be saved" in response.content.decode()
    assert not Comment.objects.exists()


def test_over_long_comment_is_refused_and_the_text_is_kept(shared, tutor, client_for):
    body = "x" * (COMMENT_MAX - 5) + "qzEND!"

    response = post_comment(client_for(tutor), shared, body)

    html = response.content.decode()
    assert response.status_code == 400
    assert "A comment can be at most 10,000 characters; this one has 10001" in html
    assert body in html
    assert not Comment.objects.exists()


def test_comment_of_exactly_the_limit_with_windows_line_breaks_is_accepted(shared, tutor, client_for):
    body = "line\r\n" * 1000 + "y" * (COMMENT_MAX - 5000)

    response = post_comment(client_for(tutor), shared, body)

    assert response.status_code == 302
    assert len(Comment.objects.get().body) == COMMENT_MAX


def test_over_long_reply_is_refused(shared, trainee, tutor, client_for):
    top = tutor_comment(shared, tutor)

    response = client_for(trainee).post(f"/comments/{top.pk}/reply/", {"body": "z" * (COMMENT_MAX + 1)})

    assert response.status_code == 400
    assert "at most 10,000 characters" in response.content.decode()
    assert top.replies.count() == 0


def test_missing_csrf_token_is_refused(shared, tutor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tutor)

    response = client.post(f"/journal/{shared.pk}/comments/", {"body": "No token"})

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_comment_urls_refuse_the_wrong_method(shared, tutor, client_for):
    comment = tutor_comment(shared, tutor)
    client = client_for(tutor)

    assert client.get(f"/journal/{shared.pk}/comments/").status_code == 405
    assert client.get(f"/comments/{comment.pk}/reply/").status_code == 405
    assert client.get(f"/comments/{comment.pk}/post/").status_code == 405


# Who may see what ------------------------------------------------------------------------------------------------


@pytest.fixture
def conversation(shared, trainee, tutor):
    top = tutor_comment(shared, tutor, body="Tutor words qzSECRET1")
    reply = services.comment_reply(parent=top, author=trainee, body="Trainee words qzSECRET2")
    draft = tutor_comment(shared, tutor, body="Draft words qzSECRET3", draft=True)
    return {"top": top, "reply": reply, "draft": draft}


def comment_requests(entry, conversation):
    top, reply, draft = conversation["top"], conversation["reply"], conversation["draft"]
    return [
        ("get", f"/journal/{entry.pk}/", {}),
        ("post", f"/journal/{entry.pk}/comments/", {"body": "intruder"}),
        ("post", f"/comments/{top.pk}/reply/", {"body": "intruder"}),
        ("post", f"/comments/{reply.pk}/reply/", {"body": "intruder"}),
        ("get", f"/comments/{top.pk}/edit/", {}),
        ("post", f"/comments/{top.pk}/edit/", {"body": "intruder"}),
        ("get", f"/comments/{reply.pk}/edit/", {}),
        ("post", f"/comments/{draft.pk}/post/", {}),
        ("post", f"/comments/{draft.pk}/edit/", {"body": "intruder"}),
    ]


@pytest.mark.parametrize("who", ["other_tutor", "course_admin", "trainee2", "anonymous"])
def test_strangers_get_404_on_every_comment_url_and_see_no_text(request, shared, conversation, client_for, who, tutor):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = client_for(user)
    before = list(Comment.objects.order_by("pk").values_list("pk", "body", "status"))

    for method, url, data in comment_requests(shared, conversation):
        response = getattr(client, method)(url, data)
        if user is None:
            assert response.status_code == 302 and response["Location"].startswith(LOGIN_PREFIX), url
        else:
            assert response.status_code == 404, url
        assert "qzSECRET" not in response.content.decode()

    assert list(Comment.objects.order_by("pk").values_list("pk", "body", "status")) == before
    assert not Notification.objects.exclude(user__in=[conversation["top"].author, shared.author]).exists()


def test_strangers_see_no_comment_text_on_their_own_pages(
    shared, conversation, trainee2, cohort, make_entry, client_for
):
    own = make_entry(trainee2, cohort, title="Bob's own", visibility=Visibility.SHARED)
    client = client_for(trainee2)

    for url in (f"/journal/{own.pk}/", "/journal/", "/", "/notifications/"):
        assert "qzSECRET" not in client.get(url).content.decode(), url


def test_tutor_loses_access_when_the_entry_is_made_private(shared, conversation, trainee, tutor, client_for):
    journal_services.entry_set_visibility(entry=shared, visibility=Visibility.PRIVATE)
    client = client_for(tutor)

    for method, url, data in comment_requests(shared, conversation):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
        assert "qzSECRET" not in response.content.decode()
    html = page(client_for(trainee), shared)
    assert "qzSECRET1" in html and "qzSECRET2" in html
    assert "qzSECRET3" not in html
    assert "not shared with your tutors now" in html


def test_trainee_cannot_reply_once_the_entry_is_private(shared, conversation, trainee, client_for):
    journal_services.entry_set_visibility(entry=shared, visibility=Visibility.PRIVATE)

    response = client_for(trainee).post(f"/comments/{conversation['top'].pk}/reply/", {"body": "Hello?"})

    assert response.status_code == 400
    assert "Share it again" in response.content.decode()
    assert conversation["top"].replies.count() == 1


def test_tutor_cannot_comment_on_private_or_draft_entries(trainee, tutor, cohort, make_entry, client_for):
    private = make_entry(trainee, cohort, visibility=Visibility.PRIVATE)
    draft = make_entry(trainee, cohort, draft=True, visibility=Visibility.SHARED)

    for entry in (private, draft):
        assert post_comment(client_for(tutor), entry, "Hello").status_code == 404
    assert not Comment.objects.exists()


def test_comment_on_a_missing_entry_is_404(tutor, client_for):
    assert client_for(tutor).post("/journal/999999/comments/", {"body": "x"}).status_code == 404


# htmx ------------------------------------------------------------------------------------------------------------


def test_htmx_comment_returns_the_thread_and_a_status_line(shared, tutor, client_for):
    response = client_for(tutor).post(f"/journal/{shared.pk}/comments/", {"body": "Via htmx qzHX"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="comment-thread"' in html and "qzHX" in html
    assert 'id="comments-status" hx-swap-oob="innerHTML">Comment posted.' in html


def test_htmx_error_keeps_the_text_inside_the_thread(shared, trainee, tutor, client_for):
    top = tutor_comment(shared, tutor)

    response = client_for(trainee).post(f"/comments/{top.pk}/reply/", {"body": "y" * (COMMENT_MAX + 1)}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx only
    assert "at most 10,000 characters" in html
    assert "y" * (COMMENT_MAX + 1) in html
    assert '<details class="mt-2" open>' in html
    assert top.replies.count() == 0


def test_htmx_edit_form_is_a_fragment(shared, tutor, client_for):
    comment = tutor_comment(shared, tutor, body="Editable text")

    response = client_for(tutor).get(f"/comments/{comment.pk}/edit/", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Editable text" in html
    assert f'hx-post="/comments/{comment.pk}/edit/"' in html


def test_entry_page_has_a_live_region_for_comment_updates(shared, tutor, client_for):
    html = page(client_for(tutor), shared)

    assert 'id="comments-status"' in html and 'aria-live="polite"' in html
    assert f'hx-post="/journal/{shared.pk}/comments/"' in html


# Query counts ----------------------------------------------------------------------------------------------------


def fill_conversation(entry, trainee, tutor, threads: int) -> None:
    """`threads` top-level comments by the tutor, each with a reply by the trainee: 2 × threads comments."""
    now = timezone.now()
    tops = Comment.objects.bulk_create(
        Comment(entry=entry, author=tutor, body=f"**Thought** {n}", posted_at=now) for n in range(threads)
    )
    Comment.objects.bulk_create(
        Comment(entry=entry, author=trainee, parent=top, body=f"Reply {n}", posted_at=now) for n, top in enumerate(tops)
    )
    tutor_comment(entry, tutor, body="A draft", draft=True)


@pytest.mark.parametrize("comments", [2, 40])
def test_entry_page_queries_do_not_grow_with_comments(
    shared, trainee, tutor, client_for, django_assert_num_queries, comments
):
    fill_conversation(shared, trainee, tutor, comments // 2)
    author, reader = client_for(trainee), client_for(tutor)

    with django_assert_num_queries(ENTRY_PAGE_AUTHOR):
        author_html = page(author, shared)
    with django_assert_num_queries(ENTRY_PAGE_TUTOR):
        tutor_html = page(reader, shared)

    assert author_html.count("Reply ") >= comments // 2
    assert tutor_html.count("<strong>Thought</strong>") == comments // 2


# A POST sent twice -------------------------------------------------------------------------------------------------


def test_a_comment_posted_twice_at_once_is_kept_and_announced_once(shared, trainee, tutor, client_for):
    client = client_for(tutor)
    first = post_comment(client, shared, "The same words, sent twice.")
    second = post_comment(client, shared, "The same words, sent twice.")
    comment = Comment.objects.get()
    assert first["Location"] == second["Location"] == f"/journal/{shared.pk}/#comment-{comment.pk}"
    assert Notification.objects.filter(user=trainee).count() == 1


def test_a_reply_posted_twice_is_kept_once(shared, trainee, tutor, client_for):
    parent = tutor_comment(shared, tutor)
    client = client_for(trainee)
    for _ in range(2):
        client.post(f"/comments/{parent.pk}/reply/", {"body": "Thank you."})
    assert Comment.objects.filter(parent=parent).count() == 1


def test_the_same_words_later_or_elsewhere_are_a_new_comment(shared, tutor):
    first = tutor_comment(shared, tutor, body="Say more?")
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - services.TWIN_WINDOW - timedelta(seconds=1))
    tutor_comment(shared, tutor, body="Say more?")
    tutor_comment(shared, tutor, body="Something else.")
    assert Comment.objects.count() == 3
