import zoneinfo

from django.conf import settings
from django.db import models

from accounts.models import validate_time_zone


class Role(models.TextChoices):
    TRAINEE = "trainee", "Trainee"
    TUTOR = "tutor", "Tutor"
    COURSE_ADMIN = "course_admin", "Course admin"


class Programme(models.Model):
    """A course, such as a postgraduate diploma, with its hours requirements."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    required_client_hours = models.PositiveIntegerField(default=100)
    required_personal_therapy_hours = models.PositiveIntegerField(default=40)
    admins = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="administered_programmes")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def read_write_q(path: str = "") -> models.Q:
    """Cohorts that are not read-only (not archived), as a filter. `path` reaches the
    cohort from another model: read_write_q("cohort"), read_write_q("checkpoint__cohort").
    The SQL form of Cohort.is_read_only."""
    field = f"{path}__archived_at" if path else "archived_at"
    return models.Q(**{f"{field}__isnull": True})


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CohortQuerySet":
        """Cohorts this person belongs to in any role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()

    def active(self) -> "CohortQuerySet":
        """Not archived: archived cohorts are read-only and hidden from dashboards."""
        return self.filter(read_write_q())


class Cohort(models.Model):
    """One intake of a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120)
    start_date = models.DateField()
    end_date = models.DateField()
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="unique_cohort_name")]

    def __str__(self) -> str:
        return f"{self.programme} — {self.name}"

    @property
    def is_read_only(self) -> bool:
        """Archived cohorts keep everything, read-only (see reflect.cohorts.guards)."""
        return self.archived_at is not None

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    """A person's role in a cohort. A tutor may be assigned particular trainees."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    assigned_trainees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_tutor_memberships",
        help_text="Only for tutors. Leave empty for a tutor who sees the whole cohort.",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "cohort", "role"], name="unique_membership")]
        indexes = [models.Index(fields=["cohort", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.cohort.name}"
