"""The reminder emails' kinds of outbox row, and the email for each, built just
before sending.

`build_message` looks at the world as it is now, not as it was at dispatch: if
the person turned that email off, already submitted, or there is nothing left to
tell them, it returns None and the row is marked skipped. Every email is plain
text plus HTML from `templates/emails/<name>_{subject,message}.{txt,html}`, with
an unsubscribe link (accounts.unsubscribe) and the RFC 8058 one-click headers. Emails carry
titles, names and links only, never the text of an entry or a comment; no subject
carries an entry's title."""

import datetime
import re
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import Truncator

from accounts.mail import render_mail
from accounts.models import EmailCategory, NotificationPreferences, User
from accounts.unsubscribe import CATEGORY_PHRASES, unsubscribe_url
from reflect.access import roles_in, trainee_ids_read_by
from reflect.assessment.models import Checkpoint, Submission, SubmissionStatus
from reflect.assessment.selectors import awaiting_assessment
from reflect.cohorts.models import Cohort, Role
from reflect.cohorts.weeks import local_week_start
from reflect.feedback.models import Comment, CommentStatus, Notification
from reflect.feedback.services import comment_url
from reflect.journal.models import JournalEntry
from reflect.journal.selectors import unread_shared
from reflect.outbox.kinds import Kind, register
from reflect.outbox.models import DeliveryKind, DeliveryStatus
from reflect.reminders.lookups import Lookups
from reflect.reminders.prompt_time import tz_or_utc

SUBJECT_PROMPT_CHARS = 80
DIGEST_SHOWN = 20  # items per digest section; the rest are counted, with a link to the cohort page

Built = tuple[str, dict] | None  # (template name, context), or None: nothing to send


def build_message(delivery, lookups: Lookups | None = None) -> EmailMultiAlternatives | None:
    """The email for a ReminderDelivery (with its user loaded), or None if there is
    nothing to send any more. `lookups` holds what a send batch shares; without it
    the row's own are fetched."""
    user = delivery.user
    if not _can_email(user) or not _wants(user, delivery.kind):
        return None
    lookups = lookups or Lookups([delivery])
    built = _BUILDERS[delivery.kind](delivery, user, lookups)
    if built is None:
        return None
    name, context = built
    return _render(name, user, delivery.kind, context, lookups)


def notifications_mark_emailed(delivery, status: str = DeliveryStatus.SENT, error: str = "") -> int:
    """After a notifications row is done (sent, or nothing left to send): mark the
    notifications it was planned for, including any left out because their entry is
    no longer readable. Left unmarked, they would hold every later batch back.
    A row refused for now (pending again) leaves them for its next attempt."""
    if status not in (DeliveryStatus.SENT, DeliveryStatus.SKIPPED):
        return 0
    return _notifications(delivery.user_id, delivery.payload).update(emailed_at=timezone.now())


# Common ---------------------------------------------------------------------------------------------------------


def _can_email(user: User) -> bool:
    return bool(user.is_active and user.email and user.email_failed_at is None)


def _wants(user: User, category: str) -> bool:
    try:
        preferences = user.preferences  # loaded with the user when a batch claims its rows
    except NotificationPreferences.DoesNotExist:
        return True
    return preferences.wants(category)


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


def _when(moment: datetime.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """ "Friday 4 December 2026, 17:00 (Europe/London)"."""
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({tz.key})"


def _render(name: str, user: User, category: str, context: dict, lookups: Lookups) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(user, category)
    context = {
        **context,
        "user": user,
        "unsubscribe_url": unsubscribe,
        "preferences_url": lookups.url("accounts:preferences"),
        "category_phrase": CATEGORY_PHRASES[category],
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return render_mail(name, user.email, context, headers=headers)


# Weekly prompt -------------------------------------------------------------------------------------------------


def weekly_prompt(delivery, user: User, lookups: Lookups) -> Built:
    payload = delivery.payload
    prompt = lookups.prompt(payload.get("prompt_id"))
    if prompt is None:
        return None
    cohort = lookups.cohort(payload.get("cohort_id"))
    tz = tz_or_utc(cohort.time_zone if cohort else user.time_zone)
    week_start = parse_date(payload.get("week_start") or "") or local_week_start(timezone.now(), tz)
    since = datetime.datetime.combine(week_start, datetime.time.min, tzinfo=tz)
    written = lookups.has_written(user.pk, since)
    start_url = lookups.url("reflect:entry-new") + "?" + urlencode({"prompt": prompt.text})
    return "weekly_prompt", {
        "prompt": prompt,
        "prompt_short": subject_line(prompt.text),
        "cohort": cohort,
        "already_written": written,
        "start_url": start_url,
    }


def subject_line(text: str) -> str:
    """The prompt's first sentence if it fits a subject line, else the prompt cut
    short: a whole question reads better in an inbox than half of two."""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.?!])\s", text, maxsplit=1)[0]
    return first if len(first) <= SUBJECT_PROMPT_CHARS else Truncator(text).chars(SUBJECT_PROMPT_CHARS)


# Deadlines -------------------------------------------------------------------------------------------------------


def deadlines(delivery, user: User, lookups: Lookups) -> Built:
    checkpoint = Checkpoint.objects.filter(pk=delivery.payload.get("checkpoint_id")).select_related("cohort").first()
    if checkpoint is None or checkpoint.closed_at is not None:  # closed after the reminder was planned
        return None
    if delivery.payload.get("overdue"):
        return _deadline_overdue(checkpoint, user)
    return _deadline_reminder(checkpoint, user)


def _submitted(checkpoint: Checkpoint):
    return Submission.objects.filter(checkpoint=checkpoint, status=SubmissionStatus.SUBMITTED)


def _deadline_reminder(checkpoint: Checkpoint, user: User) -> Built:
    now = timezone.now()
    if checkpoint.due_at <= now or _submitted(checkpoint).filter(trainee=user).exists():
        return None
    tz = checkpoint.cohort.tz
    days = (checkpoint.due_at.astimezone(tz).date() - now.astimezone(tz).date()).days
    return "deadline_reminder", {
        "checkpoint": checkpoint,
        "due": _when(checkpoint.due_at, tz),
        "days": days,
        "when": "today" if days <= 0 else "tomorrow" if days == 1 else f"in {days} days",
        "checkpoint_url": absolute(reverse("reflect:checkpoint-detail", kwargs={"pk": checkpoint.pk})),
    }


def _deadline_overdue(checkpoint: Checkpoint, user: User) -> Built:
    cohort = checkpoint.cohort
    if Role.TUTOR not in roles_in(user, cohort.pk):
        return None
    # Only the trainees this tutor reads: an assigned tutor hears about their own trainees.
    missing = list(
        User.objects.filter(pk__in=trainee_ids_read_by(user, cohort), is_active=True)
        .exclude(pk__in=_submitted(checkpoint).values("trainee_id"))
        .order_by("display_name", "email")
    )
    if not missing:
        return None
    return "deadline_overdue", {
        "checkpoint": checkpoint,
        "cohort": cohort,
        "due": _when(checkpoint.due_at, cohort.tz),
        "missing": missing,
        "checkpoint_url": absolute(reverse("reflect:checkpoint-detail", kwargs={"pk": checkpoint.pk})),
    }


# Tutor digest ----------------------------------------------------------------------------------------------------


def digest(delivery, user: User, lookups: Lookups) -> Built:
    cohort = lookups.cohort(delivery.payload.get("cohort_id"))
    since = parse_datetime(delivery.payload.get("since") or "")
    if cohort is None:
        return None
    since = since or timezone.now() - datetime.timedelta(weeks=1)
    if timezone.is_naive(since):
        since = since.replace(tzinfo=datetime.UTC)
    entries = unread_shared(cohort, user).filter(published_at__gte=since)
    replies = _replies_waiting(cohort, user, since)
    submissions = awaiting_assessment(cohort, user)
    sections = {
        "entries": _section(entries, lambda e: reverse("reflect:entry-detail", kwargs={"pk": e.pk})),
        "replies": _section(replies, comment_url),
        "submissions": _section(submissions, lambda s: reverse("reflect:submission-detail", kwargs={"pk": s.pk})),
    }
    if not any(section["count"] for section in sections.values()):
        return None
    return "digest", {
        **sections,
        "cohort": cohort,
        "since": _when(since, cohort.tz),
        "cohort_url": absolute(reverse("reflect:cohort-detail", kwargs={"pk": cohort.pk})),
        "summary": _digest_summary(sections),
    }


def _replies_waiting(cohort: Cohort, tutor: User, since: datetime.datetime):
    """Trainees' replies, since `since`, in threads this tutor started, that the tutor
    has not answered yet (no later comment of theirs in the same thread)."""
    answered = Comment.objects.filter(
        parent=OuterRef("parent"), author=tutor, status=CommentStatus.POSTED, posted_at__gt=OuterRef("posted_at")
    )
    return (
        Comment.objects.posted()
        .filter(entry__in=JournalEntry.objects.visible_to(tutor).filter(cohort=cohort))
        .filter(parent__author=tutor, author=F("entry__author"), posted_at__gte=since)
        .exclude(Exists(answered))
        .select_related("author", "entry")
        .order_by("posted_at", "id")
    )


def _section(queryset, path_of) -> dict:
    count = queryset.count()
    items = [(item, absolute(path_of(item))) for item in queryset[:DIGEST_SHOWN]] if count else []
    return {"count": count, "items": items, "more": count - len(items)}


def _digest_summary(sections: dict) -> str:
    words = {
        "entries": ("new entry", "new entries"),
        "replies": ("reply", "replies"),
        "submissions": ("submission to assess", "submissions to assess"),
    }
    parts = []
    for key, (one, many) in words.items():
        count = sections[key]["count"]
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts)


# Notifications ---------------------------------------------------------------------------------------------------


def _notifications(user_id: int, payload: dict):
    return Notification.objects.filter(user_id=user_id, emailed_at__isnull=True, pk__lte=payload.get("up_to") or 0)


def notifications(delivery, user: User, lookups: Lookups) -> Built:
    """Only notices about things the person may still read: a comment on an entry
    made private since is left out (and, once this row is done, never emailed)."""
    readable = _notifications(user.pk, delivery.payload) & Notification.objects.for_user(user)
    items = list(readable.order_by("created_at", "id"))
    if not items:
        return None
    return "notifications", {
        "notifications": [(n, absolute(reverse("reflect:notification-open", kwargs={"pk": n.pk}))) for n in items],
        "count": len(items),
        "first_summary": Truncator(items[0].summary).chars(SUBJECT_PROMPT_CHARS),
        "list_url": absolute(reverse("reflect:notification-list")),
    }


_BUILDERS = {
    EmailCategory.WEEKLY_PROMPT: weekly_prompt,
    EmailCategory.DEADLINES: deadlines,
    EmailCategory.DIGEST: digest,
    EmailCategory.NOTIFICATIONS: notifications,
}


def register_kinds() -> None:
    """Called when Django starts (reflect.apps)."""
    for name in (DeliveryKind.WEEKLY_PROMPT, DeliveryKind.DEADLINES, DeliveryKind.DIGEST):
        register(name, Kind(build=build_message, context=Lookups))
    register(
        DeliveryKind.NOTIFICATIONS, Kind(build=build_message, context=Lookups, on_outcome=notifications_mark_emailed)
    )
