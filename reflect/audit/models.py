"""The append-only log of staff actions. It names people and cohorts, never any
journal text, so it can be shown to programme admins and site operators."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from reflect.cohorts.models import Cohort


class Action(models.TextChoices):
    MEMBER_ADDED = "member_added", "Member added"
    MEMBER_REMOVED = "member_removed", "Member removed"
    ROLE_CHANGED = "role_changed", "Role changed"
    ASSIGNMENT_CHANGED = "assignment_changed", "Tutor assignment changed"
    ALLOCATION_CHANGED = "allocation_changed", "Marker allocated"
    TRAINEE_MOVED = "trainee_moved", "Trainee moved"
    ROSTER_IMPORTED = "roster_imported", "Roster imported"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_WITHDRAWN = "invitation_withdrawn", "Invitation withdrawn"
    FEEDBACK_RELEASED = "feedback_released", "Feedback released"
    COHORT_ARCHIVED = "cohort_archived", "Cohort archived"
    COHORT_UNARCHIVED = "cohort_unarchived", "Cohort unarchived"
    CHECKPOINT_CHANGED = "checkpoint_changed", "Checkpoint created or changed"
    EXPORTED = "exported", "Data exported"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D102 — the log is append-only
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what, to whom, where and when. `detail` is a short plain phrase
    written by the code (never user-entered journal text)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)
    self_appointed = models.BooleanField(default=False, help_text="A staff member gave themselves this role.")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cohort", "-at"])]

    def __str__(self) -> str:
        return f"Audit event #{self.pk} ({self.action})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")
