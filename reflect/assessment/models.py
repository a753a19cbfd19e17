import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.journal.models import JournalEntry

SUMMARY_MAX = 20_000
FEEDBACK_MAX = 20_000
CRITERION_COMMENT_MAX = 5_000


# --- Rubrics -------------------------------------------------------------


class RubricQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RubricQuerySet":
        """Rubrics of programmes this person belongs to in any role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(programme__cohorts__memberships__user=user).distinct()

    def editable_by(self, user) -> "RubricQuerySet":
        """Course admins of any cohort of the programme build its rubrics."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            programme__cohorts__memberships__user=user, programme__cohorts__memberships__role=Role.COURSE_ADMIN
        ).distinct()

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
        if not user.is_authenticated:
            return self.none()
        return self.filter(cohort__memberships__user=user).distinct()


class Checkpoint(models.Model):
    """A cohort's portfolio deadline, assessed with one exact rubric version."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="checkpoints")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="checkpoints")
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    due_at = models.DateTimeField()
    reminder_days = models.JSONField(default=list, blank=True, help_text="Days before the deadline to remind.")

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past_due(self) -> bool:
        return timezone.now() > self.due_at


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Being prepared"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


def _tutors_of(cohort_ref) -> models.QuerySet:
    return Membership.objects.filter(role=Role.TUTOR, cohort=cohort_ref)


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubmissionQuerySet":
        """A trainee's own submissions; submitted (or withdrawn) ones to tutors of the cohort.
        Course admins use `overview_for`, which carries statuses and outcomes only."""
        if not user.is_authenticated:
            return self.none()
        tutor = _tutors_of(OuterRef("checkpoint__cohort")).filter(user=user)
        return self.filter(Q(trainee=user) | (Exists(tutor) & ~Q(status=SubmissionStatus.DRAFT)))

    def overview_for(self, user) -> "SubmissionQuerySet":
        """Submissions in cohorts this person runs or tutors, for status tables only."""
        if not user.is_authenticated:
            return self.none()
        staff = Membership.objects.filter(
            user=user, cohort=OuterRef("checkpoint__cohort"), role__in=[Role.TUTOR, Role.COURSE_ADMIN]
        )
        return self.filter(Exists(staff))

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
    summary = models.TextField(blank=True, max_length=SUMMARY_MAX)
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
    title = models.CharField(max_length=200)
    body = models.TextField()
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
        """A tutor sees their own markings; another tutor's only once their own
        marking of that submission is complete, or, for a tutor who isn't marking it,
        once it is complete (so second marking stays blind). A trainee sees only what
        has been released to them."""
        if not user.is_authenticated:
            return self.none()
        tutor = _tutors_of(OuterRef("submission__checkpoint__cohort")).filter(user=user)
        # Only a first or second marker is kept blind; a moderator's own agreed
        # marking must not hide the markings they are moderating.
        mine = Assessment.objects.filter(submission=OuterRef("submission"), assessor=user).exclude(
            role=MarkingRole.AGREED
        )
        mine_complete = mine.filter(completed_at__isnull=False)
        others_readable = Q(completed_at__isnull=False) & (Exists(mine_complete) | ~Exists(mine))
        return self.filter(
            Q(assessor=user)
            | (Exists(tutor) & others_readable)
            | Q(submission__trainee=user, released_at__isnull=False)
        )

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
    overall_feedback = models.TextField(blank=True, max_length=FEEDBACK_MAX)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    trainee_reply = models.TextField(blank=True, max_length=FEEDBACK_MAX)

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
    comment = models.TextField(blank=True, max_length=CRITERION_COMMENT_MAX)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="unique_score")]

    def __str__(self) -> str:
        return f"Score #{self.pk}"
