"""Roster import: read a CSV, preview what it would change, then apply it.

Three steps, each a plain function the views and tests call:

- `parse_upload` reads the file and checks each row on its own (roster_file.py).
  A file it cannot read at all raises RosterError with a message for the course
  admin; nothing is written.
- `classify` compares the rows with the cohort as it is now: new (an invitation
  will be sent), already a member, updated, or error. Lookups are bulk
  (`email__in`, in chunks), so 5,000 rows cost a handful of queries.
- `roster_apply` classifies again (the cohort may have changed since the
  preview) and writes only the differences, so importing the same file twice
  changes nothing the second time. Applies into one cohort take turns, so two
  at once give the same result as one after the other. It writes one audit
  event for the import, with its counts, plus one per person added or given a
  new role, and tells the trainees who gain a reader (all in bulk, see
  `reader_notices`).

The members page's "Invite someone" (invite.py) writes one person through the same
`look_up`, `classify` and `rows_write`, so one invitation is exactly an import's.
"""

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from reflect.audit.models import Action, AuditEvent
from reflect.audit.services import audit_event, audit_record, audit_record_many
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.manage import mailing
from reflect.manage.models import CohortInvitation
from reflect.manage.reader_notices import reader_notices
from reflect.manage.roster_file import (  # noqa: F401 - the import's whole API, for views and tests
    ERROR,
    MEMBER,
    NEW,
    STATUS_LABELS,
    TEMPLATE_ROWS,
    UPDATED,
    RosterError,
    Row,
    parse_bytes,
    parse_upload,
    template_csv,
)

CHUNK = 500  # rows per bulk query; well under every database's limit on query parameters
JUST_NOW = datetime.timedelta(minutes=1)  # an import this recent is "a moment ago" to the course admin


# Comparing with the cohort -------------------------------------------------------------------------------------


@dataclass
class Cohortview:
    """What the cohort holds now for the people named in the file."""

    users: dict[str, User] = field(default_factory=dict)  # by lower-case email
    roles: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # user id -> roles in the cohort
    tutor_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # trainee id -> tutor user ids
    invitations: dict[str, CohortInvitation] = field(default_factory=dict)  # open ones, by email


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def look_up(cohort: Cohort, rows: list[Row]) -> Cohortview:
    emails = sorted({row.email for row in rows if row.email} | {row.tutor_email for row in rows if row.tutor_email})
    view = Cohortview()
    for chunk in _chunks(emails):
        for user in _with_emails(User.objects.all(), chunk):
            view.users[user.email.lower()] = user
        for invitation in _with_emails(CohortInvitation.objects.open().filter(cohort=cohort), chunk):
            view.invitations[invitation.email.lower()] = invitation
    user_ids = sorted(user.pk for user in view.users.values())
    for chunk in _chunks(user_ids):
        for user_id, role in Membership.objects.filter(cohort=cohort, user_id__in=chunk).values_list("user_id", "role"):
            view.roles[user_id].add(role)
        through = Membership.assigned_trainees.through.objects.filter(
            membership__cohort=cohort, membership__role=Role.TUTOR, user_id__in=chunk
        )
        for trainee_id, tutor_id in through.values_list("user_id", "membership__user_id"):
            view.tutor_of[trainee_id].add(tutor_id)
    return view


def _with_emails(queryset, emails: list[str]):
    """Rows whose email is one of `emails` (lower case), however the address was typed."""
    return queryset.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)


def classify(cohort: Cohort, rows: list[Row], view: Cohortview | None = None) -> list[Row]:
    """Set each row's status and a plain-words detail. Returns the same rows."""
    view = view or look_up(cohort, rows)
    tutors_in_file = {row.email for row in rows if not row.error and row.role == Role.TUTOR}
    for row in rows:
        row.status, row.detail = ERROR, row.error
        if row.error:
            continue
        if row.tutor_email and not _tutor_known(row.tutor_email, view, tutors_in_file):
            row.detail = f"The tutor {row.tutor_email} is not a tutor in this cohort (nor a tutor row in this file)."
            continue
        user = view.users.get(row.email)
        if user is None:
            row.status, row.detail = _classify_invited(row, view.invitations.get(row.email))
        else:
            row.status, row.detail = _classify_user(row, user, view, tutors_in_file)
    return rows


def _tutor_known(email: str, view: Cohortview, tutors_in_file: set[str]) -> bool:
    if email in tutors_in_file:
        return True
    user = view.users.get(email)
    if user is not None and Role.TUTOR in view.roles.get(user.pk, ()):
        return True
    invitation = view.invitations.get(email)
    return invitation is not None and invitation.role == Role.TUTOR


def _classify_invited(row: Row, invitation: CohortInvitation | None) -> tuple[str, str]:
    if invitation is None:
        return NEW, "An invitation will be sent."
    if (invitation.role, invitation.tutor_email.lower()) != (row.role, row.tutor_email):
        return UPDATED, "Already invited: their invitation will be changed to match this row (no new email)."
    return MEMBER, "Already invited; waiting for them to accept."


def _classify_user(row: Row, user: User, view: Cohortview, tutors_in_file: set[str]) -> tuple[str, str]:
    roles = view.roles.get(user.pk, set())
    if not roles:
        return UPDATED, f"Has an account already: will be added to the cohort as a {_role(row.role)} and told by email."
    changes = []
    if row.role not in roles:
        old = sorted(roles - {Role.COURSE_ADMIN})
        changes.append(
            f"role changes from {_role(old[0])} to {_role(row.role)}" if old else f"will also be a {_role(row.role)}"
        )
    if row.tutor_email:
        tutor = view.users.get(row.tutor_email)
        # A tutor with an account who is (or, by this file, becomes) a tutor here can be assigned now.
        ready = tutor is not None and (Role.TUTOR in view.roles.get(tutor.pk, ()) or row.tutor_email in tutors_in_file)
        if not ready:
            changes.append(f"will be assigned to {row.tutor_email} once they have joined (import the file again then)")
        elif view.tutor_of.get(user.pk, set()) != {tutor.pk}:
            changes.append(f"will be assigned to the tutor {row.tutor_email}")
    if not changes or (len(changes) == 1 and "once they have joined" in changes[0]):
        return MEMBER, "Already a member; nothing to do." + (f" ({changes[0]})" if changes else "")
    text = "; ".join(changes)
    return UPDATED, text[0].upper() + text[1:] + "."


def _role(role: str) -> str:
    return Role(role).label.lower()


def summary(rows: list[Row]) -> dict[str, int]:
    counts = {status: 0 for status in STATUS_LABELS}
    for row in rows:
        counts[row.status] += 1
    return counts


# Applying ------------------------------------------------------------------------------------------------------


@dataclass
class Applied:
    invited: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Row] = field(default_factory=list)
    # Nothing was left to do, and another import into the cohort was applied just before
    # (typically a second preview of the same file, applied at the same moment).
    after_another_import: bool = False


def roster_apply(*, cohort: Cohort, rows: list[Row], by: User) -> Applied:
    """Write what the preview promised: invitations for new people, memberships for
    people already on the site, role and tutor changes. Rows in error are skipped.
    Emails are sent by Celery tasks once the writes are committed (mailing.py)."""
    with transaction.atomic():
        take_turn(cohort)
        view = look_up(cohort, rows)
        rows = classify(cohort, rows, view)
        result = Applied(errors=[row for row in rows if row.status == ERROR])
        result.unchanged = sum(1 for row in rows if row.status == MEMBER)
        written = rows_write(cohort, rows, view, by)
        result.invited = len(written.invitations)
        result.added = len(written.added)
        result.updated = written.updated - len(written.added)
        result.after_another_import = _nothing_done(result) and _imported_just_now(cohort)
        _audit(cohort, by, result, written.added, written.changed)
    return result


@dataclass
class Written:
    invitations: list[CohortInvitation]  # new ones
    added: list[tuple[User, str]]  # people with an account who joined the cohort, and their role
    changed: list[tuple[User, str]]  # members whose role changed, and the change in words
    updated: int  # rows UPDATED: invitations changed, people added or changed


def rows_write(cohort: Cohort, rows: list[Row], view: Cohortview, by: User) -> Written:
    """Write the classified rows (`classify`, with the same `view`) in the caller's
    transaction: an invitation per new row, invitations changed, memberships and tutor
    assignments for people with an account (trainees who gain a reader are told), and
    the emails recorded in the outbox, sent once the transaction commits. Rows already
    members, or in error, are left alone. Writes no audit event: the caller says why."""
    new_invitations = _create_invitations(cohort, [row for row in rows if row.status == NEW], by)
    updated = [row for row in rows if row.status == UPDATED]
    _update_invitations([row for row in updated if row.email not in view.users], view)
    member_rows = [row for row in updated if row.email in view.users]
    # Only rows for people with accounts change who reads whom; a file of new people
    # (invitations only) skips comparing the cohort's readers.
    watching = reader_notices(cohort=cohort, by=by) if member_rows else contextlib.nullcontext()
    with watching:
        added, changed = _write_memberships(cohort, member_rows, view)
        _assign_tutors(cohort, [row for row in member_rows if row.tutor_email])
    to_email = mailing.members_added_notify(cohort=cohort, added=added, by=by)
    mailing.cohort_emails_enqueue(
        cohort=cohort, invitation_ids=[invitation.pk for invitation in new_invitations], added=to_email
    )
    return Written(invitations=new_invitations, added=added, changed=changed, updated=len(updated))


def take_turn(cohort: Cohort) -> None:
    """Wait until no other import (or single invitation) into this cohort is being
    applied (a lock on the cohort's row, held until commit). Otherwise two previews of
    one file, applied at once, both find a person new and both insert an invitation,
    and the second fails on the unique constraint. Taking turns, the second classifies
    only after the first has committed, and finds everyone already invited. FOR NO KEY
    UPDATE (PostgreSQL) leaves rows that only refer to the cohort (entries, memberships)
    free to be written meanwhile. SQLite has no row locks (Django leaves the clause
    out), so there applies do not take turns."""
    no_key = connection.features.has_select_for_no_key_update
    Cohort.objects.select_for_update(no_key=no_key).filter(pk=cohort.pk).values_list("pk").get()


def _nothing_done(result: Applied) -> bool:
    return result.unchanged > 0 and not (result.invited or result.added or result.updated)


def _imported_just_now(cohort: Cohort) -> bool:
    """Whether another import into the cohort was applied within JUST_NOW (this one's own
    event is written after this is asked)."""
    since = timezone.now() - JUST_NOW
    return AuditEvent.objects.filter(cohort=cohort, action=Action.ROSTER_IMPORTED, at__gte=since).exists()


def _audit(cohort: Cohort, by: User, result: Applied, added: list, changed: list) -> None:
    """One event for the import with its counts, and one per person whose place in the
    cohort changed, so a course admin who gives themselves a role by import stands out."""
    detail = (
        f"{result.invited} invited, {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.errors)} skipped with errors"
    )
    audit_record(actor=by, action=Action.ROSTER_IMPORTED, cohort=cohort, detail=detail)
    audit_record_many(
        [
            audit_event(
                actor=by, action=Action.MEMBER_ADDED, cohort=cohort, subject=user, detail=f"as {_role(role)}, by import"
            )
            for user, role in added
        ]
        + [
            audit_event(actor=by, action=Action.ROLE_CHANGED, cohort=cohort, subject=user, detail=f"{text}, by import")
            for user, text in changed
        ]
    )


def _create_invitations(cohort: Cohort, rows: list[Row], by: User) -> list[CohortInvitation]:
    now = timezone.now()
    created = CohortInvitation.objects.bulk_create(
        [
            CohortInvitation(
                cohort=cohort,
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
                role=row.role,
                tutor_email=row.tutor_email,
                invited_by=by,
                created_at=now,
                sent_at=now,
            )
            for row in rows
        ],
        batch_size=CHUNK,
    )
    if created and created[0].pk is None:  # a database that doesn't return ids from bulk inserts
        emails = [row.email for row in rows]
        created = [
            invitation
            for chunk in _chunks(emails)
            for invitation in CohortInvitation.objects.open().filter(cohort=cohort, email__in=chunk)
        ]
    for invitation in created:
        invitation.cohort = cohort
        invitation.invited_by = by
    return created


def _update_invitations(rows: list[Row], view: Cohortview) -> None:
    changed = []
    for row in rows:
        invitation = view.invitations[row.email]
        invitation.role, invitation.tutor_email = row.role, row.tutor_email
        changed.append(invitation)
    CohortInvitation.objects.bulk_update(changed, ["role", "tutor_email"], batch_size=CHUNK)


def _write_memberships(
    cohort: Cohort, rows: list[Row], view: Cohortview
) -> tuple[list[tuple[User, str]], list[tuple[User, str]]]:
    """New memberships for role changes and for people new to the cohort; a role
    change replaces their trainee or tutor membership (a course admin stays one).
    Returns (user, role) for the people who were not in the cohort before, and
    (user, what changed in words) for the people whose role changed."""
    new_memberships, replaced, added, changed = [], [], [], []
    for row in rows:
        user = view.users[row.email]
        roles = view.roles.get(user.pk, set())
        if row.role in roles:
            continue
        new_memberships.append(Membership(user=user, cohort=cohort, role=row.role))
        if roles:
            replaced.append((user.pk, row.role))
            old = sorted(roles - {Role.COURSE_ADMIN})
            changed.append((user, f"from {_role(old[0])} to {_role(row.role)}" if old else f"also {_role(row.role)}"))
        else:
            added.append((user, row.role))
    Membership.objects.bulk_create(new_memberships, batch_size=CHUNK)
    through = Membership.assigned_trainees.through
    for role in (Role.TRAINEE, Role.TUTOR):
        leaving = [user_id for user_id, new_role in replaced if new_role != role]
        for chunk in _chunks(leaving):
            if role == Role.TRAINEE:  # no longer anyone's trainee here (a tutor's own list goes with its membership)
                through.objects.filter(membership__cohort=cohort, user_id__in=chunk).delete()
            Membership.objects.filter(cohort=cohort, role=role, user_id__in=chunk).delete()
    return added, changed


def _assign_tutors(cohort: Cohort, rows: list[Row]) -> None:
    """Each trainee to their named tutor, replacing any other tutor in this cohort."""
    tutor_emails = sorted({row.tutor_email for row in rows})
    tutor_membership: dict[str, int] = {}
    for chunk in _chunks(tutor_emails):
        tutors = Membership.objects.filter(cohort=cohort, role=Role.TUTOR).annotate(email_lower=Lower("user__email"))
        for membership_id, email in tutors.filter(email_lower__in=chunk).values_list("id", "email_lower"):
            tutor_membership[email] = membership_id
    trainee_ids = {row.email: None for row in rows}
    for chunk in _chunks(list(trainee_ids)):
        for user_id, email in _with_emails(User.objects.all(), chunk).values_list("id", "email_lower"):
            trainee_ids[email] = user_id
    pairs = {
        (tutor_membership[row.tutor_email], trainee_ids[row.email])
        for row in rows
        if row.tutor_email in tutor_membership and trainee_ids.get(row.email)
    }
    if not pairs:
        return
    through = Membership.assigned_trainees.through
    moving = sorted({user_id for _, user_id in pairs})
    for chunk in _chunks(moving):
        through.objects.filter(membership__cohort=cohort, membership__role=Role.TUTOR, user_id__in=chunk).delete()
    through.objects.bulk_create(
        [through(membership_id=membership_id, user_id=user_id) for membership_id, user_id in sorted(pairs)],
        batch_size=CHUNK,
    )
