import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import INVITATION_VALID_FOR
from reflect.access import cohorts_administered_by
from reflect.cohorts.models import Cohort, Role

EMAIL_WAITING = "The mail server could not take it yet"


class InvitationQuerySet(models.QuerySet):
    def open(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def administered_by(self, user) -> "InvitationQuerySet":
        return self.filter(cohort__in=cohorts_administered_by(user))


class CohortInvitation(models.Model):
    """An invitation to join a cohort in a role. The emailed link is signed and
    valid for INVITATION_VALID_FOR from when it was last sent."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.TRAINEE)
    tutor_email = models.EmailField(blank=True, help_text="For a trainee: the tutor to assign on joining.")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)  # why the last email did not go, in plain words
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cohort_invitations"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_cohort_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation #{self.pk} to cohort #{self.cohort_id}"

    @property
    def email_waiting(self) -> bool:
        """Its email could not be taken yet and is being tried again (mailing.NOT_YET)."""
        return self.send_error.startswith(EMAIL_WAITING)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def expires_at(self) -> datetime.datetime | None:
        return self.sent_at + INVITATION_VALID_FOR if self.sent_at else None

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class MembershipMove(models.Model):
    """A trainee moved from one cohort to another; their entries moved with them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_moves")
    from_cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    to_cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)
    entries_moved = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-moved_at"]

    def __str__(self) -> str:
        return f"Move of user #{self.user_id}"
