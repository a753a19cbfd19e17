import datetime
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

# Offered in forms; not model choices, so a tzdata update needs no migration.
TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"“{value}” is not a time zone we recognise (try Europe/London).") from None


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


def new_unsubscribe_key() -> str:
    return secrets.token_urlsafe(18)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; roles live in cohort memberships."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the mail server refuses this address for good; reminders stop
    # and course admins see it, so one bad address never blocks anyone else.
    email_failed_at = models.DateTimeField(null=True, blank=True)
    email_failure = models.CharField(max_length=300, blank=True)
    # Names this person in unsubscribe links instead of their id, so that a link
    # says nothing readable about whose it is; a new key voids every old link.
    unsubscribe_key = models.CharField(max_length=32, unique=True, default=new_unsubscribe_key, editable=False)
    # The secret in this person's calendar feed address: calendar apps can't sign
    # in, so whoever holds the address reads the feed. Its own value (not the
    # unsubscribe key), so that resetting it voids the feed and nothing else.
    calendar_token = models.CharField(max_length=40, unique=True, default=new_calendar_token, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)


# How long an invitation link works: site invitations from when they are made,
# cohort invitations (reflect.manage) from when they were last sent.
INVITATION_VALID_FOR = datetime.timedelta(days=14)


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """Sign-up is by invitation: a link with a token that opens sign-up for one email."""

    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + INVITATION_VALID_FOR

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class EmailCategory(models.TextChoices):
    WEEKLY_PROMPT = "weekly_prompt", "Weekly reflective prompt"
    DEADLINES = "deadlines", "Portfolio deadline reminders"
    DIGEST = "digest", "Weekly tutor digest"
    NOTIFICATIONS = "notifications", "Comments and released feedback"


class NotificationPreferences(models.Model):
    """Which emails a person wants, and when their weekly prompt should arrive."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="preferences")
    weekly_prompt = models.BooleanField("Weekly reflective prompt", default=True)
    deadlines = models.BooleanField("Portfolio deadline reminders", default=True)
    digest = models.BooleanField("Weekly tutor digest", default=True)
    notifications = models.BooleanField("Comments and released feedback", default=True)
    prompt_weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    prompt_time = models.TimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Preferences of user #{self.user_id}"

    def wants(self, category: str) -> bool:
        return bool(getattr(self, category, False))
