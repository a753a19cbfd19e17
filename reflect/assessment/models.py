import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from config.encrypted_fields import EncryptedCharField, EncryptedTextField
from reflect.access import cohorts_administered_by, cohorts_as, programmes_administered_by
from reflect.cohorts.models import Cohort, Programme, Role
from reflect.journal.models import JournalEntry

SUMMARY_MAX = 20_000
FEEDBACK_MAX = 20_000
CRITERION_COMMENT_MAX = 5_000


# --- Rubrics -------------------------------------------------------------


class RubricQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RubricQuerySet":
        """Rubrics of programmes this person belongs to in any role, or runs."""
        member_of = cohorts_as(user, *Role.values).values("programme_id")
        return self.filter(Q(programme__in=member_of) | Q(programme__in=programmes_administered_by(user)))

    def editable_by(self, user) -> "RubricQuerySet":
        """The people who run a programme (course or programme admins) build its rubrics."""
        return self.filter(programme__in=programmes_administered_by(user))

    def latest_versions(self) -> "RubricQuerySet":
        newer = Rubric.objects.filter(lineage=OuterRef("lineage"), version__gt=OuterRef("version"))
        return self.filter(~Exists(newer))


class Rubric(models.Model):
    """A competency rubric. Versions of one rubric share a lineage; a version is
    locked once any assessment uses it, and editing it then makes a new version."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rubrics")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    locked_at = models.DateTimeField(null=True, blank=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["title", "-version"]
        constraints = [models.UniqueConstraint(fields=["lineage", "version"], name="unique_rubric_version")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def max_points(self) -> int:
        return sum(max((lv.points for lv in c.levels.all()), default=0) for c in self.criteria.all())


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Level(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=100)
    points = models.IntegerField(default=0)
    descriptor = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"


# --- Checkpoints and submissions ------------------------------------------


class CheckpointQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CheckpointQuerySet":
        """Checkpoints of the cohorts this person belongs to or runs."""
        return self.filter(Q(cohort__in=cohorts_as(user, *Role.values)) | Q(cohort__in=cohorts_administered_by(user)))


class Checkpoint(models.Model):
    """A cohort's portfolio deadline, assessed with one exact rubric version."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="checkpoints")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="checkpoints")
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    due_at = models.DateTimeField()
    reminder_days = models.JSONField(default=list, blank=True, help_text="Days before the deadline to remind.")
    # Closing is separate from the deadline: late submissions are accepted until
    # the people who run the programme close the checkpoint (and may reopen it).
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past_due(self) -> bool:
        return timezone.now() > self.due_at

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Being prepared"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubmissionQuerySet":
        """Submissions this person may open; the rule is in reflect.assessment.policy."""
        from reflect.assessment import policy

        return policy.submissions_visible_to(self, user)

    def overview_for(self, user) -> "SubmissionQuerySet":
        """Submissions in cohorts this person tutors or runs, for status tables only."""
        from reflect.assessment import policy

        return policy.submissions_overview_for(self, user)

    def latest_attempts(self) -> "SubmissionQuerySet":
        """Only each trainee's latest attempt at each checkpoint: the one that counts."""
        later = Submission.objects.filter(
            checkpoint=OuterRef("checkpoint"), trainee=OuterRef("trainee"), attempt__gt=OuterRef("attempt")
        )
        return self.filter(~Exists(later))

    def without_release(self) -> "SubmissionQuerySet":
        """Submissions whose feedback has not been released yet."""
        return self.exclude(Exists(Assessment.objects.released().filter(submission=OuterRef("pk"))))


class Submission(models.Model):
    """A trainee's portfolio for a checkpoint. Submitting snapshots the chosen
    entries so later edits never change what was assessed."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="submissions")
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    attempt = models.PositiveIntegerField(default=1)
    summary = EncryptedTextField(blank=True, max_length=SUMMARY_MAX)
    entries = models.ManyToManyField(JournalEntry, blank=True, related_name="submissions")
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(default=False)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["checkpoint", "trainee", "-attempt"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "trainee", "attempt"], name="unique_submission_attempt")
        ]

    def __str__(self) -> str:
        return f"Submission #{self.pk} (attempt {self.attempt})"


class SubmittedEntry(models.Model):
    """The text of one entry as it was when the submission was made."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="snapshots")
    entry = models.ForeignKey(JournalEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveIntegerField(default=0)
    title = EncryptedCharField(max_length=200)
    body = EncryptedTextField()
    kind = models.CharField(max_length=20)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Snapshot #{self.pk} of submission #{self.submission_id}"


# --- Allocation of second markers and moderators ----------------------------


class AllocationRole(models.TextChoices):
    SECOND_MARKER = "second", "Second marker"
    MODERATOR = "moderator", "Moderator"


class Allocation(models.Model):
    """A tutor chosen as second marker or moderator, for one submission or for
    every submission of a checkpoint. A submission's own allocation overrides
    its checkpoint's. Second marking and moderation are open only to the
    allocated tutor."""

    checkpoint = models.ForeignKey(
        Checkpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    submission = models.ForeignKey(
        "Submission", null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    role = models.CharField(max_length=10, choices=AllocationRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="allocations")
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(checkpoint__isnull=True, submission__isnull=False)
                | Q(checkpoint__isnull=False, submission__isnull=True),
                name="allocation_for_checkpoint_or_submission",
            ),
            models.UniqueConstraint(
                fields=["checkpoint", "role"],
                condition=Q(checkpoint__isnull=False),
                name="one_allocation_per_checkpoint_role",
            ),
            models.UniqueConstraint(
                fields=["submission", "role"],
                condition=Q(submission__isnull=False),
                name="one_allocation_per_submission_role",
            ),
        ]

    def __str__(self) -> str:
        return f"Allocation #{self.pk} ({self.role})"


# --- Assessment -------------------------------------------------------------


class Outcome(models.TextChoices):
    PASS = "pass", "Pass"
    REFER = "refer", "Refer"
    FAIL = "fail", "Fail"


class MarkingRole(models.TextChoices):
    FIRST = "first", "First marking"
    SECOND = "second", "Second marking"
    AGREED = "agreed", "Agreed (moderated)"


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssessmentQuerySet":
        """Markings this person may read, blind where it must be (reflect.assessment.policy)."""
        from reflect.assessment import policy

        return policy.assessments_visible_to(self, user)

    def released(self) -> "AssessmentQuerySet":
        """Markings released to the trainee: the only ones whose outcome counts."""
        return self.filter(released_at__isnull=False)

    def released_outcomes(self) -> dict[int, str]:
        """Submission id → the outcome released for it. Should a submission have more
        than one release, the latest wins."""
        return dict(self.released().order_by("released_at", "id").values_list("submission_id", "outcome"))


class Assessment(models.Model):
    """One tutor's marking of a submission against the checkpoint's rubric version."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="assessments")
    role = models.CharField(max_length=10, choices=MarkingRole.choices, default=MarkingRole.FIRST)
    overall_feedback = EncryptedTextField(blank=True, max_length=FEEDBACK_MAX)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    trainee_reply = EncryptedTextField(blank=True, max_length=FEEDBACK_MAX)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "role"], name="unique_marking_role"),
        ]

    def __str__(self) -> str:
        return f"Assessment #{self.pk} ({self.get_role_display()})"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class Score(models.Model):
    """The level chosen for one criterion, with an optional comment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    comment = EncryptedTextField(blank=True, max_length=CRITERION_COMMENT_MAX)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="unique_score")]

    def __str__(self) -> str:
        return f"Score #{self.pk}"
