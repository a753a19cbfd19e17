"""Comments on shared entries and in-app notifications. Views, tests and the demo all come through here.

Refused actions raise CommentError with a message written for the person who tried them; views show it.
Who may reach an object at all is decided before: views fetch through `visible_to` querysets (404 otherwise).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reflect.cohorts.guards import refuse_if_read_only
from reflect.feedback.models import COMMENT_MAX, EDIT_WINDOW, Comment, CommentStatus, Notification, NotificationKind
from reflect.feedback.notify import notify
from reflect.journal.models import JournalEntry

EDIT_CLOSED = (
    f"Comments can be edited for {int(EDIT_WINDOW.total_seconds() // 60)} minutes after posting. "
    "This one is now fixed, and nothing was changed."
)


class CommentError(Exception):
    """A refused action, with a message for the person who tried it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Reading ---------------------------------------------------------------------------------------------------------


def comment_thread(*, entry_id: int, user: User) -> list[Comment]:
    """The comments on an entry that `user` may read, as top-level comments each carrying
    `thread_replies` (oldest first) and `user_can_edit`. One query, whatever the number of comments."""
    now = timezone.now()
    comments = list(
        Comment.objects.visible_to(user)
        .filter(entry_id=entry_id)
        .select_related("author")
        .order_by(F("posted_at").asc(nulls_last=True), "created_at", "id")  # drafts last, on every database
    )
    by_id = {c.pk: c for c in comments}
    top = []
    for c in comments:
        c.user_can_edit = c.can_edit(user, now=now)
        c.thread_replies = []
    for c in comments:
        if c.parent_id is None:
            top.append(c)
        elif c.parent_id in by_id:
            by_id[c.parent_id].thread_replies.append(c)
    return top


def comment_url(comment: Comment) -> str:
    return reverse("reflect:entry-detail", kwargs={"pk": comment.entry_id}) + f"#comment-{comment.pk}"


# Comments --------------------------------------------------------------------------------------------------------


def _check_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise CommentError("Write something before posting: an empty comment can't be saved.")
    if len(body) > COMMENT_MAX:
        raise CommentError(f"A comment can be at most {COMMENT_MAX:,} characters; this one has {len(body):,}.")
    return body


def _check_open(entry: JournalEntry, user: User) -> None:
    """The conversation happens only while the entry is shared, published and readable by the writer."""
    if not (entry.is_shared and entry.is_published and entry.deleted_at is None):
        raise CommentError(
            "This entry isn't shared with tutors at the moment, so nobody else could read a comment on it. "
            "Share it again to continue the conversation."
        )
    if not JournalEntry.objects.visible_to(user).filter(pk=entry.pk).exists():
        raise CommentError("You can't comment on this entry.")
    refuse_if_read_only(entry.cohort, error=CommentError)


def _announce(comment: Comment) -> None:
    """Tell the people a newly posted comment concerns: the entry's author for a new comment; the parent
    comment's author and the entry's author for a reply. Never the writer, never twice.
    The summary names the writer only: never the entry's title (it goes into email subjects, and the entry
    may be made private later) and never the comment's text. The notice carries the entry, so that lists
    show it only while its reader may still read the entry."""
    entry, actor = comment.entry, comment.author
    if comment.parent_id is None:
        kind = NotificationKind.COMMENT
        told = [(entry.author, f"{actor} commented on one of your entries.")]
    else:
        kind = NotificationKind.REPLY
        told = [
            (comment.parent.author, f"{actor} replied to your comment."),
            (entry.author, f"{actor} replied in a conversation on one of your entries."),
        ]
    seen = set()
    for person, summary in told:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        notify(user=person, kind=kind, summary=summary, url=comment_url(comment), actor=actor, entry=entry)


# A second identical comment this soon is the same form sent twice (a double click, a
# resent POST), not something said again.
TWIN_WINDOW = timedelta(seconds=10)


def _recent_twin(*, entry: JournalEntry, author: User, body: str, draft: bool, parent: Comment | None, now):
    # Lock the entry first: two copies of one POST arriving together would both find no twin.
    JournalEntry.objects.select_for_update().filter(pk=entry.pk).first()
    status = CommentStatus.DRAFT if draft else CommentStatus.POSTED
    recent = Comment.objects.filter(entry=entry, author=author, parent=parent, status=status)
    recent = recent.filter(created_at__gte=now - TWIN_WINDOW).order_by("-created_at")
    # Bodies are encrypted, so the database can't compare them: a few seconds hold few comments.
    return next((c for c in recent if c.body == body), None)


def _comment_save(
    *, entry: JournalEntry, author: User, body: str, draft: bool, parent: Comment | None = None
) -> Comment:
    """Save a comment, or return the one just saved from the same form (the same text by the same
    person in the same place within TWIN_WINDOW), so that a POST sent twice posts and notifies once."""
    body = _check_body(body)
    now = timezone.now()
    twin = _recent_twin(entry=entry, author=author, body=body, draft=draft, parent=parent, now=now)
    if twin is not None:
        return twin
    comment = Comment.objects.create(
        entry=entry,
        author=author,
        parent=parent,
        body=body,
        status=CommentStatus.DRAFT if draft else CommentStatus.POSTED,
        created_at=now,
        posted_at=None if draft else now,
    )
    if not draft:
        _announce(comment)
    return comment


@transaction.atomic
def comment_create(*, entry: JournalEntry, author: User, body: str, draft: bool = False) -> Comment:
    """A tutor starts a thread on an entry they can read. A draft is seen by its writer only and notifies nobody."""
    if author.pk == entry.author_id:
        raise CommentError("Only your tutors can start a comment thread. You can reply to any of their comments.")
    _check_open(entry, author)
    return _comment_save(entry=entry, author=author, body=body, draft=draft)


@transaction.atomic
def comment_reply(*, parent: Comment, author: User, body: str, draft: bool = False) -> Comment:
    """Reply to a posted comment. Threads are one level deep: a reply to a reply joins the top-level comment."""
    top = parent.parent if parent.parent_id else parent
    if top.is_draft or parent.is_draft:
        raise CommentError("A draft can't be replied to. Post it first.")
    _check_open(top.entry, author)
    return _comment_save(entry=top.entry, author=author, body=body, draft=draft, parent=top)


@transaction.atomic
def comment_edit(*, comment: Comment, by: User, body: str) -> Comment:
    """The writer may change a draft at any time, and a posted comment for EDIT_WINDOW after posting."""
    if by.pk != comment.author_id:
        raise CommentError("Only the person who wrote a comment can edit it.")
    refuse_if_read_only(comment.entry.cohort, error=CommentError)
    body = _check_body(body)
    now = timezone.now()
    if not comment.can_edit(by, now=now):
        raise CommentError(EDIT_CLOSED)
    if body == comment.body:
        return comment
    fields = {"body": body}
    if not comment.is_draft:
        fields["edited_at"] = now
    # Conditional, so that a comment posted or fixed in the meantime is not changed by a stale form.
    still_open = Comment.objects.filter(pk=comment.pk, status=comment.status)
    if not comment.is_draft:
        still_open = still_open.filter(posted_at__gte=now - EDIT_WINDOW)
    if not still_open.update(**fields):
        raise CommentError("This comment changed while you were editing it. Nothing was saved; please try again.")
    comment.refresh_from_db()
    return comment


@transaction.atomic
def comment_post_draft(*, comment: Comment, by: User) -> Comment:
    """Post a draft: from now on everyone who can read the entry sees it, and the people it concerns are told."""
    if by.pk != comment.author_id:
        raise CommentError("Only the person who wrote a draft can post it.")
    if not comment.is_draft:
        raise CommentError("This comment has already been posted.")
    _check_open(comment.entry, by)
    now = timezone.now()
    # Conditional update: a double click (or two tabs) posts once and notifies once.
    posted = Comment.objects.filter(pk=comment.pk, status=CommentStatus.DRAFT).update(
        status=CommentStatus.POSTED, posted_at=now
    )
    if not posted:
        raise CommentError("This comment has already been posted.")
    comment.refresh_from_db()
    _announce(comment)
    return comment


# Notifications ---------------------------------------------------------------------------------------------------


def notification_open(*, notification: Notification) -> str:
    """Mark a notification read (once) and return where it points."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return notification.url


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def notifications_read_on_open(*, user: User, entry_id: int | None = None, path: str = "") -> int:
    """The person opened a page one of their notifications points to (from an email, the
    journal, a bookmark: anywhere but the notification itself), so those notifications
    are read now: the ones about `entry_id`, or those whose link is `path` (or a place on
    it, `#…`). One UPDATE, of their own unread notifications only. Returns how many."""
    if entry_id is None and not path:
        return 0
    about = Q(entry_id=entry_id) if entry_id is not None else Q(url=path) | Q(url__startswith=f"{path}#")
    return Notification.objects.filter(about, user=user, read_at__isnull=True).update(read_at=timezone.now())
