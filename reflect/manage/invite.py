"""Inviting one person from the members page: one roster row, written exactly as an
import writes it (roster.py), so the invitation, its email in the outbox and the
tutor it names are the same as if the course admin had uploaded a file of one.

Someone whose address already has an account is added to the cohort at once, as an
import adds them. What an import would quietly skip or change is refused here with a
plain message instead: an invitation still waiting for that address, or someone who is
already a member (their role is changed in the members table, which asks first)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import User
from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.cohorts.guards import refuse_if_read_only
from reflect.cohorts.models import Cohort, Role
from reflect.manage import roster
from reflect.manage.models import CohortInvitation
from reflect.manage.roster_file import ERROR, Row, row_error
from reflect.manage.services import ManageError

ALREADY_INVITED = (
    "{email} has already been invited to this cohort and hasn't joined yet. "
    "To email them again, use “Send again” on the invitations page."
)


@dataclass
class Invited:
    invitation: CohortInvitation | None = None  # a new invitation: the address has no account yet
    user: User | None = None  # or the person with that address, added to the cohort at once


@transaction.atomic
def member_invite(
    *,
    cohort: Cohort,
    by: User,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    tutor: User | None = None,
) -> Invited:
    """Invite one person (a trainee optionally with their tutor, a tutor of the cohort),
    or add them at once if the address has an account. Raises ManageError, and writes
    nothing, when the cohort is archived or the row would change nothing or the wrong thing."""
    refuse_if_read_only(cohort, error=ManageError)
    if role not in Role.values:
        raise ManageError("Choose a role from the list.")
    row = Row(
        line=1,
        email=email.strip().lower(),
        first_name=first_name.strip()[:80],
        last_name=last_name.strip()[:80],
        role=role,
        tutor_email=tutor.email.lower() if tutor else "",
    )
    if error := row_error(row, role):
        raise ManageError(error)
    roster.take_turn(cohort)  # as an import: one writer into the cohort at a time
    view = roster.look_up(cohort, [row])
    roster.classify(cohort, [row], view)
    _refuse_what_an_import_would_skip(row, view)
    try:
        with transaction.atomic():
            written = roster.rows_write(cohort, [row], view, by)
    except IntegrityError:  # invited by someone else this instant (SQLite does not take turns)
        raise ManageError(ALREADY_INVITED.format(email=row.email)) from None
    with_tutor = f", tutor {row.tutor_email}" if row.tutor_email else ""
    if written.invitations:
        detail = f"invited {row.email} as {_role(role)}{with_tutor}, from the members page"
        audit_record(actor=by, action=Action.INVITATION_SENT, cohort=cohort, detail=detail)
        return Invited(invitation=written.invitations[0])
    ((user, _),) = written.added
    detail = f"as {_role(role)}{with_tutor}, from the members page"
    audit_record(actor=by, action=Action.MEMBER_ADDED, cohort=cohort, subject=user, detail=detail)
    return Invited(user=user)


def _refuse_what_an_import_would_skip(row: Row, view: roster.Cohortview) -> None:
    if row.status == ERROR:
        raise ManageError(row.detail)
    if row.email in view.invitations:
        raise ManageError(ALREADY_INVITED.format(email=row.email))
    user = view.users.get(row.email)
    roles = view.roles.get(user.pk, set()) if user else set()
    if roles:
        held = " and ".join(_role(r) for r in sorted(roles))
        raise ManageError(
            f"{user} is already a {held} in this cohort. To give them another role, use the members table below."
        )


def _role(role: str) -> str:
    return Role(role).label.lower()
