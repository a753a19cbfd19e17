from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.encrypted_fields import EncryptedCharField, EncryptedTextField
from reflect.journal.models import JournalEntry

COMMENT_MAX = 10_000
EDIT_WINDOW = timedelta(minutes=15)


class CommentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    POSTED = "posted", "Posted"


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommentQuerySet":
        """Posted comments on entries this person may read, plus their own drafts.
        Course admins and other trainees read no entry, so no comment either."""
        if not user.is_authenticated:
            return self.none()
        entries = JournalEntry.objects.visible_to(user)
        return self.filter(entry__in=entries).filter(Q(status=CommentStatus.POSTED) | Q(author=user))

    def posted(self) -> "CommentQuerySet":
        return self.filter(status=CommentStatus.POSTED)


class Comment(models.Model):
    """Dialogue on a shared entry: tutors comment, the trainee and tutors reply, one level deep."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = EncryptedTextField(max_length=COMMENT_MAX)
    status = models.CharField(max_length=10, choices=CommentStatus.choices, default=CommentStatus.POSTED)
    created_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["posted_at", "created_at", "id"]
        indexes = [models.Index(fields=["entry", "status"])]

    def __str__(self) -> str:
        # Never the text: this string can appear in the Django admin and logs.
        return f"Comment #{self.pk} on entry #{self.entry_id}"

    @property
    def is_draft(self) -> bool:
        return self.status == CommentStatus.DRAFT

    def can_edit(self, user, now=None) -> bool:
        """Drafts stay editable; a posted comment for EDIT_WINDOW, then it is fixed."""
        if user.pk != self.author_id:
            return False
        if self.is_draft:
            return True
        return (now or timezone.now()) - self.posted_at <= EDIT_WINDOW


class NotificationKind(models.TextChoices):
    COMMENT = "comment", "New comment"
    REPLY = "reply", "New reply"
    FEEDBACK_RELEASED = "feedback_released", "Feedback released"
    COHORT_ADDED = "cohort_added", "Added to a cohort"
    READER_ADDED = "reader_added", "Someone new can read your shared writing"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> "NotificationQuerySet":
        """This person's notifications about things they may still read: one about an
        entry disappears while the entry is private, in Trash or no longer theirs to
        read (and comes back if it is shared with them again)."""
        if not user.is_authenticated:
            return self.none()
        readable = Q(entry__isnull=True) | Q(entry__in=JournalEntry.objects.visible_to(user))
        return self.filter(user=user).filter(readable)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notice with a link to the place it is about."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the notice is about, when that is an entry: the list shows the notice only
    # while its reader may read the entry. Deleting the entry for good deletes it.
    entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    summary = EncryptedCharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for user #{self.user_id}"
