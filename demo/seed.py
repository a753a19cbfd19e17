"""Demo data: a programme, two cohorts, fictional people and sample journal entries.

`demo_seed()` is idempotent: everything is keyed on a natural key (programme
name, cohort name, email, membership triple, prompt text, entry author + title),
so running it again creates nothing new. The `seed_demo` command calls it.
"""

import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from demo.assessment import demo_assessment_seed
from demo.content import DEMO_ENTRIES, DemoEntry
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.journal.models import JournalEntry
from reflect.journal.reflective import FREE
from reflect.journal.services import entry_publish, entry_save_draft
from reflect.prompts.sync import prompts_sync
from reflect.reminders.models import ReminderSchedule

DEMO_PASSWORD = "reflect-demo"  # a published demo login, never a real secret

PROGRAMME = {
    "name": "PG Diploma in Counselling",
    "description": "A fictional two-year postgraduate diploma used for the demo site.",
}

AUTUMN = "2026 Autumn"
SPRING = "2026 Spring"
COHORTS = [
    {"name": AUTUMN, "start_date": datetime.date(2026, 9, 21), "end_date": datetime.date(2027, 7, 16)},
    {"name": SPRING, "start_date": datetime.date(2026, 2, 2), "end_date": datetime.date(2026, 12, 18)},
]

# (email, display name, [(cohort name, role), ...]); all names are fictional.
PEOPLE: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("trainee@example.com", "Sam Rivers", [(AUTUMN, Role.TRAINEE)]),
    ("trainee2@example.com", "Alex Morgan", [(AUTUMN, Role.TRAINEE)]),
    ("tutor@example.com", "Dr Jo Hale", [(AUTUMN, Role.TUTOR)]),
    ("trainee3@example.com", "Priya Lane", [(SPRING, Role.TRAINEE)]),
    ("tutor2@example.com", "Chris Okafor", [(SPRING, Role.TUTOR), (AUTUMN, Role.TUTOR)]),
    ("admin@example.com", "Pat Ellis", [(AUTUMN, Role.COURSE_ADMIN), (SPRING, Role.COURSE_ADMIN)]),
]

COUNT_KEYS = ("programmes", "cohorts", "users", "email_addresses", "memberships", "prompts", "entries")
# demo_assessment_seed adds: rubrics, checkpoints, submissions, comments.


def _entry_data(spec: DemoEntry, today: datetime.date) -> dict[str, Any]:
    """The `data` dict that the journal services take, from one demo entry."""
    template = spec.get("template", FREE)
    return {
        "title": spec["title"],
        "body": spec.get("body", "") if template == FREE else "",
        "template": template,
        "sections": spec.get("sections", {}) if template != FREE else {},
        "kind": spec["kind"],
        "session_date": today - datetime.timedelta(days=spec["days_ago"]),
        "client_code": spec.get("client_code", ""),
        "session_number": spec.get("session_number"),
        "state_before": spec.get("state_before", ""),
        "state_after": spec.get("state_after", ""),
        "intensity_before": spec.get("intensity_before"),
        "intensity_after": spec.get("intensity_after"),
        "body_note": spec.get("body_note", ""),
        "visibility": spec.get("visibility", "private"),
    }


def _entry_create(*, author: User, cohort: Cohort, spec: DemoEntry, now: datetime.datetime) -> JournalEntry:
    data = _entry_data(spec, timezone.localtime(now).date())
    tags = spec.get("tags", [])
    if spec.get("draft"):
        entry = entry_save_draft(author=author, cohort=cohort, data=data, tags=tags)
    else:
        entry = entry_publish(author=author, cohort=cohort, data=data, tags=tags)
    # Spread the entries back over the past weeks so the journal and streak look lived in.
    written = now - datetime.timedelta(days=spec.get("written_days_ago", spec["days_ago"]))
    stamps: dict[str, Any] = {"created_at": written, "updated_at": written}
    stamps["autosaved_at" if spec.get("draft") else "published_at"] = written
    JournalEntry.objects.filter(pk=entry.pk).update(**stamps)
    return entry


@transaction.atomic
def demo_seed(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Create the demo programme, cohorts, people, prompts and entries; returns counts created."""
    now = now or timezone.now()
    counts = dict.fromkeys(COUNT_KEYS, 0)

    programme, created = Programme.objects.get_or_create(
        name=PROGRAMME["name"], defaults={"description": PROGRAMME["description"]}
    )
    counts["programmes"] += int(created)

    cohorts: dict[str, Cohort] = {}
    for spec in COHORTS:
        cohort, created = Cohort.objects.get_or_create(
            programme=programme,
            name=spec["name"],
            defaults={"start_date": spec["start_date"], "end_date": spec["end_date"], "time_zone": "Europe/London"},
        )
        cohorts[spec["name"]] = cohort
        counts["cohorts"] += int(created)
        ReminderSchedule.objects.get_or_create(cohort=cohort)  # Sunday 18:00, cohort time

    users: dict[str, User] = {}
    trainee_cohort: dict[str, Cohort] = {}
    for email, name, roles in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, display_name=name)
            counts["users"] += 1
        users[email] = user
        _, created = EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        counts["email_addresses"] += int(created)
        for cohort_name, role in roles:
            membership, created = Membership.objects.get_or_create(user=user, cohort=cohorts[cohort_name], role=role)
            counts["memberships"] += int(created)
            if created:  # as if they joined when the cohort began: the sample entries go back that far
                _joined_at_start(membership, cohorts[cohort_name])
            if role == Role.TRAINEE:
                trainee_cohort[email] = cohorts[cohort_name]

    counts["prompts"] = prompts_sync()

    for email, entries in DEMO_ENTRIES.items():
        author = users[email]
        # Titles are encrypted at rest: compare them here, not in the database.
        written = set(JournalEntry.objects.filter(author=author).values_list("title", flat=True))
        for spec in entries:
            if spec["title"] in written:
                continue
            _entry_create(author=author, cohort=trainee_cohort[email], spec=spec, now=now)
            counts["entries"] += 1

    counts.update(demo_assessment_seed(programme=programme, cohorts=cohorts, users=users))
    return counts


def _joined_at_start(membership: Membership, cohort: Cohort) -> None:
    start = datetime.datetime.combine(cohort.start_date, datetime.time(9, 0), tzinfo=cohort.tz)
    Membership.objects.filter(pk=membership.pk).update(joined_at=start)
