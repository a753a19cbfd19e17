import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import EmailCategory, Weekday
from reflect.cohorts.models import Cohort


class ReminderSchedule(models.Model):
    """A cohort's default time for the weekly prompt (and the tutors' digest),
    in the cohort's own time zone. Read at every dispatch, so changes need no restart."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="reminder_schedule")
    enabled = models.BooleanField(default=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.SUNDAY)
    local_time = models.TimeField(default=datetime.time(18, 0))
    digest_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    digest_time = models.TimeField(default=datetime.time(8, 0))

    def __str__(self) -> str:
        return f"Reminder schedule of cohort #{self.cohort_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Not needed"
    FAILED = "failed", "Failed"


class ReminderDelivery(models.Model):
    """The ledger: one row per person, category and period, claimed before the
    email is sent and marked after, so however often a task or the dispatcher
    runs, each person gets one email per period."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_deliveries")
    category = models.CharField(max_length=20, choices=EmailCategory.choices)
    period = models.CharField(max_length=60)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)  # which send task holds the claim
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category", "period"], name="one_delivery_per_period"),
        ]
        indexes = [models.Index(fields=["status", "enqueued_at"])]

    def __str__(self) -> str:
        return f"{self.category} {self.period} for user #{self.user_id}"
