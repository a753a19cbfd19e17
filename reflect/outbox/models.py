import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reflect.cohorts.models import Cohort


class DeliveryKind(models.TextChoices):
    # The first four are also the email preferences (accounts.EmailCategory).
    WEEKLY_PROMPT = "weekly_prompt", "Weekly reflective prompt"
    DEADLINES = "deadlines", "Portfolio deadline reminder"
    DIGEST = "digest", "Weekly tutor digest"
    NOTIFICATIONS = "notifications", "Comments and released feedback"
    INVITATION = "invitation", "Cohort invitation"
    COHORT_ADDED = "cohort_added", "Added to a cohort"
    ACCOUNT = "account", "Account email (address, password, sign-in)"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not needed"
    FAILED = "failed", "Refused by the mail server"
    EXPIRED = "expired", "Too late to send"


class Delivery(models.Model):
    """The ledger: one row per recipient and message, claimed before the email is
    sent and marked after. However often a task or the dispatcher runs, and
    whatever fails, each row is sent at most once, except when a worker dies in
    the instant between the mail server's accept and the mark (README,
    "Reliability"). A row the server could not take for now stays pending with
    `next_attempt_at` until it is sent or `expires_at` passes."""

    kind = models.CharField(max_length=20, choices=DeliveryKind.choices)
    # Which message this is for its recipient: a week, a checkpoint, an invitation sending.
    period = models.CharField(max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    to = models.EmailField(blank=True)  # for people without an account (invitations); else the user's address
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)  # which send task holds the claim
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # after a refusal for now
    expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)  # the mail server's last answer, with its code

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "period"], name="one_delivery_per_period"),
            models.UniqueConstraint(
                fields=["to", "kind", "period"], condition=Q(user__isnull=True), name="one_delivery_per_address"
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(to=""), name="delivery_has_recipient"),
        ]
        indexes = [
            models.Index(fields=["status", "enqueued_at"]),
            models.Index(fields=["cohort", "status"]),
        ]

    def __str__(self) -> str:
        recipient = f"user #{self.user_id}" if self.user_id else "an address"
        return f"{self.kind} {self.period} for {recipient}"

    @property
    def address(self) -> str:
        return self.to or (self.user.email if self.user else "")


class Lease(models.Model):
    """A named lock that frees itself: held until `until`, so a holder that dies
    releases it by time. The dispatcher takes one so that two runs never overlap."""

    name = models.CharField(max_length=60, unique=True)
    holder = models.CharField(max_length=32, blank=True)
    until = models.DateTimeField(default=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))

    def __str__(self) -> str:
        return self.name
