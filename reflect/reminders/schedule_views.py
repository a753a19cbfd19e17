"""The course admin's page for a cohort's reminder schedule.

The dispatcher reads the schedule at every run, so a change here applies from its
next run with no restart. The page also shows how the cohort's emails fared
lately (reflect.outbox.reports), and lists members whose address the mail server
refuses for good, so admins can chase a corrected address or clear the mark."""

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.email_status import email_mark_clear
from accounts.models import User
from reflect.access import cohorts_administered_by
from reflect.cohorts.models import Cohort, Membership
from reflect.cohorts.weeks import local_week_start
from reflect.outbox.reports import cohort_delivery_counts
from reflect.reminders.models import ReminderSchedule
from reflect.reminders.schedule import local_occurrence


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ReminderSchedule
        fields = ["enabled", "weekday", "local_time", "digest_weekday", "digest_time"]
        labels = {
            "enabled": "Send trainees a weekly reflective prompt",
            "weekday": "Prompt day",
            "local_time": "Prompt time",
            "digest_weekday": "Tutor digest day",
            "digest_time": "Tutor digest time",
        }
        help_texts = {
            "enabled": "Trainees can still turn the prompt off for themselves, or choose their own day and time.",
            "local_time": "In the cohort's time zone.",
            "digest_weekday": "Tutors get a digest of what is waiting for them; it is not sent when nothing is.",
            "digest_time": "In the cohort's time zone.",
        }
        widgets = {
            "local_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "digest_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


def _get_cohort_for_admin(request: HttpRequest, pk: int) -> Cohort:
    """The cohort, if this person runs its programme; 404 for everyone else."""
    return get_object_or_404(cohorts_administered_by(request.user).select_related("programme"), pk=pk)


def next_occurrence(
    weekday: int, at: datetime.time, cohort: Cohort, now: datetime.datetime | None = None
) -> datetime.datetime:
    """The next moment (aware, in the cohort's time zone) of a weekly weekday and local time."""
    now = now or timezone.now()
    tz = cohort.tz
    monday = local_week_start(now, tz)
    moment = local_occurrence(monday, weekday, at, tz)
    if moment <= now:
        moment = local_occurrence(monday + datetime.timedelta(weeks=1), weekday, at, tz)
    return moment.astimezone(tz)


def describe(moment: datetime.datetime) -> str:
    """ "Sunday 23 November, 18:00 Europe/London"."""
    return f"{moment:%A} {moment.day} {moment:%B}, {moment:%H:%M} {moment.tzinfo.key}"


def _people_of(cohort: Cohort):
    """Everyone with a membership in the cohort, whatever their role."""
    return User.objects.filter(memberships__cohort=cohort).distinct()


def failing_members(cohort: Cohort) -> list[User]:
    """Members whose address the mail server refuses for good, with their roles."""
    users = list(_people_of(cohort).filter(email_failed_at__isnull=False).order_by("display_name", "email"))
    roles: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(cohort=cohort, user__in=users).order_by("role"):
        roles.setdefault(membership.user_id, []).append(membership.get_role_display())
    for user in users:
        user.cohort_roles = ", ".join(roles.get(user.pk, []))
    return users


@require_http_methods(["GET", "POST"])
def cohort_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _get_cohort_for_admin(request, pk)
    schedule, _ = ReminderSchedule.objects.get_or_create(cohort=cohort)
    form = ScheduleForm(request.POST if request.method == "POST" else None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, "Schedule saved. It applies from the reminder sender's next run, within a few minutes."
        )
        return redirect("reflect:cohort-schedule", pk=cohort.pk)
    schedule.refresh_from_db()  # show the saved schedule's times, not a rejected form's
    today = timezone.localdate(timezone=cohort.tz)
    context = {
        "cohort": cohort,
        "form": form,
        "schedule": schedule,
        "next_prompt": describe(next_occurrence(schedule.weekday, schedule.local_time, cohort)),
        "next_digest": describe(next_occurrence(schedule.digest_weekday, schedule.digest_time, cohort)),
        "cohort_running": cohort.start_date <= today <= cohort.end_date,
        "failing": failing_members(cohort),
        "delivery": cohort_delivery_counts(cohort.pk),
    }
    return render(request, "reflect/reminders/cohort_schedule.html", context, status=400 if form.errors else 200)


@require_POST
def cohort_email_try_again(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """Clear a member's refused-address mark, once they say the address works."""
    cohort = _get_cohort_for_admin(request, pk)
    person = get_object_or_404(_people_of(cohort), pk=user_pk)
    if email_mark_clear(person):
        messages.success(request, f"Reflect will email {person.email} again from its next run.")
    return redirect("reflect:cohort-schedule", pk=cohort.pk)
