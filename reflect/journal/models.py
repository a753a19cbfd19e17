from django.conf import settings
from django.db import models
from django.utils import timezone

from config.encrypted_fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from reflect.cohorts.models import Cohort
from reflect.journal.reflective import FREE, TEMPLATE_CHOICES

TITLE_MAX = 200
BODY_MAX = 100_000


class Kind(models.TextChoices):
    PERSONAL_THERAPY = "personal_therapy", "Personal therapy"
    CLIENT_WORK = "client_work", "Client work"
    SUPERVISION = "supervision", "Supervision"
    SKILLS_PRACTICE = "skills_practice", "Skills practice"
    GENERAL = "general", "General"


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private — only you"
    SHARED = "shared", "Shared with your tutors"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ArousalState(models.TextChoices):
    HYPO = "hypo", "Hypo-aroused (flat, shut down, far away)"
    WITHIN = "within", "Within my window (present, able to think and feel)"
    HYPER = "hyper", "Hyper-aroused (racing, tense, flooded)"


class Tag(models.Model):
    """A trainee's own label for entries; each trainee has their own set."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_tag_per_owner")]

    def __str__(self) -> str:
        # Never the name: a trainee's own labels say what they write about, and
        # this string appears in the Django admin (a user's delete page lists them).
        return f"Tag #{self.pk}"


class EntryQuerySet(models.QuerySet):
    def alive(self) -> "EntryQuerySet":
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user) -> "EntryQuerySet":
        """Entries this person may read; the rule is in reflect.journal.policy."""
        from reflect.journal import policy

        return policy.entries_visible_to(self, user)

    def editable_by(self, user) -> "EntryQuerySet":
        """Entries this person may edit, share, unshare or delete (reflect.journal.policy)."""
        from reflect.journal import policy

        return policy.entries_editable_by(self, user)

    def in_trash_of(self, user) -> "EntryQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(author=user, deleted_at__isnull=False)

    def search(self, text: str) -> "EntryQuerySet":
        """Entries whose title or text contains `text`, ignoring case. Both are encrypted
        at rest, so the program decrypts and compares (README, "Encryption at rest":
        bench/search_bench.py measures it)."""
        needle = text.strip().casefold()
        if not needle:
            return self
        rows = self.order_by().values_list("pk", "title", "body").iterator(chunk_size=1000)
        return self.filter(
            pk__in=[pk for pk, title, body in rows if needle in title.casefold() or needle in body.casefold()]
        )


class JournalEntry(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entries")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    title = EncryptedCharField(max_length=TITLE_MAX, blank=True)
    body = EncryptedTextField(blank=True)
    template = models.CharField(max_length=20, choices=TEMPLATE_CHOICES, default=FREE)
    sections = EncryptedJSONField(default=dict, blank=True)
    session_date = models.DateField(null=True, blank=True)
    client_code = EncryptedCharField(max_length=20, blank=True)
    session_number = models.PositiveSmallIntegerField(null=True, blank=True)
    state_before = models.CharField(max_length=10, choices=ArousalState.choices, blank=True)
    state_after = models.CharField(max_length=10, choices=ArousalState.choices, blank=True)
    intensity_before = models.PositiveSmallIntegerField(null=True, blank=True)
    intensity_after = models.PositiveSmallIntegerField(null=True, blank=True)
    body_note = EncryptedCharField(max_length=500, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Unpublished edits of a published entry, kept apart so tutors never see
    # half-written changes: {"data": the editor's validated fields, "saved_at"}.
    pending = EncryptedJSONField(default=dict, blank=True)
    # Goes up with every save of the text (draft, held-aside changes, publish, restore),
    # so that an editor page opened earlier can tell its save would overwrite another's
    # (reflect/journal/versions.py). `saved_by_page` is the editor page that saved last.
    version = models.PositiveIntegerField(default=1)
    saved_by_page = models.CharField(max_length=32, blank=True)
    # The digest of the text the author last confirmed sharing after the check for
    # identifiers (reflect/journal/checks.py), so unchanged text is not asked about again.
    identifiers_checked = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    autosaved_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [
            models.Index(fields=["author", "deleted_at", "-created_at"]),
            models.Index(fields=["cohort", "visibility", "status"]),
        ]

    def __str__(self) -> str:
        # Never the title: this string appears in the Django admin and logs.
        return f"Entry #{self.pk}"

    @property
    def display_title(self) -> str:
        return self.title or "Untitled draft"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_shared(self) -> bool:
        return self.visibility == Visibility.SHARED

    @property
    def has_checkin(self) -> bool:
        return bool(self.state_before or self.state_after or self.body_note)


class EntryRevision(models.Model):
    """A previous published text of an entry, kept whenever it is republished."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="revisions")
    title = EncryptedCharField(max_length=TITLE_MAX, blank=True)
    body = EncryptedTextField(blank=True)
    template = models.CharField(max_length=20, choices=TEMPLATE_CHOICES, default=FREE)
    sections = EncryptedJSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Revision #{self.pk} of entry #{self.entry_id}"


class AccessEvent(models.Model):
    """Someone other than the author opened a shared entry."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="access_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["entry", "-at"])]

    def __str__(self) -> str:
        return f"Read of entry #{self.entry_id}"
