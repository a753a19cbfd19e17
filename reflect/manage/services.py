"""Writes for course admins: programmes, cohorts and their members.

Every refused action raises ManageError with a plain message and changes nothing.
Every action that changes who is where, or who reads whom, is written to the
audit log (`reflect.audit`), and a change that gives a trainee a new reader
tells that trainee (`reader_notices`)."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.cohorts.guards import refuse_if_read_only
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.journal.models import JournalEntry
from reflect.manage import mailing
from reflect.manage.models import MembershipMove
from reflect.manage.reader_notices import move_notify, reader_ids, reader_notices
from reflect.reminders.models import ReminderSchedule

PROGRAMME_FIELDS = ("name", "description", "required_client_hours", "required_personal_therapy_hours")
COHORT_FIELDS = ("name", "start_date", "end_date", "time_zone")


class ManageError(Exception):
    """A course-admin action that was refused; the message is shown as it is."""


class NoSuchUser(ManageError):
    """Nobody on the site has that email address yet."""


# --- Programmes and cohorts -----------------------------------------------


@transaction.atomic
def programme_create(*, by: User, data: dict) -> Programme:
    """A new programme; its creator becomes one of its admins."""
    programme = Programme.objects.create(**{f: data[f] for f in PROGRAMME_FIELDS if f in data})
    programme.admins.add(by)
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, data: dict) -> Programme:
    for field in PROGRAMME_FIELDS:
        if field in data:
            setattr(programme, field, data[field])
    programme.save()
    return programme


def _schedule_save(cohort: Cohort, weekday: int, local_time: datetime.time) -> ReminderSchedule:
    schedule, _ = ReminderSchedule.objects.get_or_create(cohort=cohort)
    schedule.weekday = weekday
    schedule.local_time = local_time
    schedule.save(update_fields=["weekday", "local_time"])
    return schedule


@transaction.atomic
def cohort_create(*, programme: Programme, by: User, data: dict) -> Cohort:
    """A new cohort with its reminder schedule; its creator becomes its course admin."""
    cohort = Cohort.objects.create(programme=programme, **{f: data[f] for f in COHORT_FIELDS})
    Membership.objects.create(user=by, cohort=cohort, role=Role.COURSE_ADMIN)
    _schedule_save(cohort, data["reminder_weekday"], data["reminder_time"])
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, data: dict) -> Cohort:
    refuse_if_read_only(cohort, error=ManageError)
    for field in COHORT_FIELDS:
        setattr(cohort, field, data[field])
    cohort.save()
    _schedule_save(cohort, data["reminder_weekday"], data["reminder_time"])
    return cohort


@transaction.atomic
def cohort_archive(*, cohort: Cohort, by: User) -> bool:
    """Archive the cohort (read-only, hidden from dashboards, data kept). False if it already was."""
    now = timezone.now()
    changed = Cohort.objects.filter(pk=cohort.pk, archived_at__isnull=True).update(archived_at=now)
    if changed:
        cohort.archived_at = now
        audit_record(actor=by, action=Action.COHORT_ARCHIVED, cohort=cohort)
    return bool(changed)


@transaction.atomic
def cohort_unarchive(*, cohort: Cohort, by: User) -> bool:
    changed = Cohort.objects.filter(pk=cohort.pk, archived_at__isnull=False).update(archived_at=None)
    cohort.archived_at = None
    if changed:
        audit_record(actor=by, action=Action.COHORT_UNARCHIVED, cohort=cohort)
    return bool(changed)


# --- Members --------------------------------------------------------------


def is_last_admin(membership: Membership) -> bool:
    """True for the cohort's only course admin, who can be neither removed nor given another role."""
    if membership.role != Role.COURSE_ADMIN:
        return False
    others = Membership.objects.filter(cohort_id=membership.cohort_id, role=Role.COURSE_ADMIN)
    return not others.exclude(pk=membership.pk).exists()


def _clear_assignments(cohort: Cohort, user: User) -> None:
    """Take a trainee off every tutor's list in this cohort."""
    Membership.assigned_trainees.through.objects.filter(membership__cohort=cohort, user=user).delete()


@transaction.atomic
def member_add(*, cohort: Cohort, email: str, role: str, by: User) -> Membership:
    """Add a person who already has an account to the cohort in a role, and tell
    them (in the app, and by email once this is committed)."""
    refuse_if_read_only(cohort, error=ManageError)
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise NoSuchUser("There is no account with that email address yet.")
    with reader_notices(cohort=cohort, by=by):
        membership, created = Membership.objects.get_or_create(user=user, cohort=cohort, role=role)
        if not created:
            raise ManageError(f"{user} is already a {_role(role)} in this cohort.")
    audit_record(actor=by, action=Action.MEMBER_ADDED, cohort=cohort, subject=user, detail=f"as {_role(role)}")
    to_email = mailing.members_added_notify(cohort=cohort, added=[(user, role)], by=by)
    mailing.cohort_emails_enqueue(cohort=cohort, invitation_ids=[], added=to_email)
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, by: User) -> None:
    """Remove one membership; the person's entries stay where they are. Removing a
    trainee's only assigned tutor opens their writing to every tutor of the cohort,
    so the trainees concerned are told."""
    cohort = membership.cohort
    refuse_if_read_only(cohort, error=ManageError)
    if is_last_admin(membership):
        raise ManageError("This is the cohort's only course admin. Add another course admin before removing them.")
    with reader_notices(cohort=cohort, by=by):
        if membership.role == Role.TRAINEE:
            _clear_assignments(cohort, membership.user)
        membership.delete()
    detail = f"was {_role(membership.role)}"
    audit_record(actor=by, action=Action.MEMBER_REMOVED, cohort=cohort, subject=membership.user, detail=detail)


@transaction.atomic
def member_change_role(*, membership: Membership, role: str, by: User) -> Membership:
    cohort = membership.cohort
    refuse_if_read_only(cohort, error=ManageError)
    if role == membership.role:
        return membership
    if is_last_admin(membership):
        raise ManageError("This is the cohort's only course admin. Add another course admin before changing this role.")
    if Membership.objects.filter(user_id=membership.user_id, cohort_id=membership.cohort_id, role=role).exists():
        raise ManageError(f"{membership.user} is already a {_role(role)} in this cohort.")
    old_role = membership.role
    with reader_notices(cohort=cohort, by=by):
        if old_role == Role.TRAINEE:
            _clear_assignments(cohort, membership.user)
        if old_role == Role.TUTOR:
            membership.assigned_trainees.clear()
        membership.role = role
        membership.save(update_fields=["role"])
    detail = f"from {_role(old_role)} to {_role(role)}"
    audit_record(actor=by, action=Action.ROLE_CHANGED, cohort=cohort, subject=membership.user, detail=detail)
    return membership


@transaction.atomic
def tutors_assign(
    *, cohort: Cohort, tutor: Membership, trainee_ids: list[int], by: User, unassign: bool = False
) -> int:
    """Assign (or unassign) trainees to a tutor of the cohort. Every trainee must be a
    trainee of this cohort and the tutor a tutor of it; otherwise nothing changes.
    Returns how many trainees were chosen. Either way trainees may gain readers (an
    unassigned trainee with no tutor left is read by every tutor), and are told."""
    refuse_if_read_only(cohort, error=ManageError)
    if tutor.cohort_id != cohort.pk or tutor.role != Role.TUTOR:
        raise ManageError("The chosen tutor is not a tutor of this cohort.")
    ids = set(trainee_ids)
    if not ids:
        raise ManageError("Choose at least one trainee.")
    found = set(
        Membership.objects.filter(cohort=cohort, role=Role.TRAINEE, user_id__in=ids).values_list("user_id", flat=True)
    )
    if found != ids:
        raise ManageError("Some of the chosen people are not trainees of this cohort. Nothing was changed.")
    with reader_notices(cohort=cohort, by=by):
        if unassign:
            tutor.assigned_trainees.remove(*ids)
        else:
            tutor.assigned_trainees.add(*ids)
    names = ", ".join(str(user) for user in User.objects.filter(pk__in=ids).order_by("display_name", "email"))
    people = "1 trainee" if len(ids) == 1 else f"{len(ids)} trainees"
    detail = f"{people} {'unassigned from' if unassign else 'assigned to'} {tutor.user}: {names}"
    audit_record(actor=by, action=Action.ASSIGNMENT_CHANGED, cohort=cohort, subject=tutor.user, detail=detail)
    return len(ids)


@transaction.atomic
def member_move(*, membership: Membership, to_cohort: Cohort, by: User) -> MembershipMove:
    """Move a trainee to another cohort of the same admin's programmes: the trainee
    membership moves, their entries in the old cohort follow, their tutor
    assignments in the old cohort are cleared, and the move is recorded."""
    from_cohort = membership.cohort
    if membership.role != Role.TRAINEE:
        raise ManageError("Only trainees can be moved to another cohort.")
    if to_cohort.pk == from_cohort.pk:
        raise ManageError("Choose a different cohort to move them to.")
    refuse_if_read_only(from_cohort, error=ManageError)
    if to_cohort.is_read_only:
        raise ManageError(f"{to_cohort.name} is archived, so nobody can be moved into it.")
    if Membership.objects.filter(user_id=membership.user_id, cohort=to_cohort, role=Role.TRAINEE).exists():
        raise ManageError(f"{membership.user} is already a trainee in {to_cohort.name}.")
    trainee = membership.user
    readers_before = reader_ids(trainee)
    _clear_assignments(from_cohort, trainee)
    membership.cohort = to_cohort
    membership.save(update_fields=["cohort"])
    moved = JournalEntry.objects.filter(author_id=membership.user_id, cohort=from_cohort).update(cohort=to_cohort)
    move_notify(trainee=trainee, to_cohort=to_cohort, by=by, before=readers_before)
    entries = "1 entry" if moved == 1 else f"{moved} entries"
    # One row, in the cohort they joined: that is where their new readers are. The cohort
    # they left keeps the move in its members page's history (MembershipMove).
    detail = f"from {from_cohort.name} to {to_cohort.name}, with {entries}"
    audit_record(actor=by, action=Action.TRAINEE_MOVED, cohort=to_cohort, subject=trainee, detail=detail)
    return MembershipMove.objects.create(
        user_id=membership.user_id, from_cohort=from_cohort, to_cohort=to_cohort, moved_by=by, entries_moved=moved
    )


def _role(role: str) -> str:
    return Role(role).label.lower()
