"""The emails a roster change sends: an invitation to each new person, and a
notice to each person with an account who was added to the cohort.

They are sent by a Celery task, in batches, once the change is committed, so an
import of thousands of rows answers at once and a slow mail server holds
nothing up. A message the server refuses for now is retried with backoff; an
address it refuses for good, or one still failing after the last retry, is
recorded on the invitation (`send_error`) for the course admin to see."""

import logging
import smtplib
from dataclasses import dataclass, field

from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reflect.cohorts.models import Cohort, Role
from reflect.feedback.models import Notification, NotificationKind
from reflect.manage import invitations
from reflect.manage.models import CohortInvitation

logger = logging.getLogger(__name__)

BATCH = 100  # emails per task
REFUSED = "The mail server refused this address. Check it for typing errors, then send the invitation again."
NOT_REACHED = "The mail server could not be reached, so the invitation has not gone yet. Try sending it again later."

Added = list[tuple[int, str]]  # (user id, role) of people added who already have an account


@dataclass
class Unsent:
    """What could not be sent for now and should be tried again."""

    invitation_ids: list[int] = field(default_factory=list)
    added: Added = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.invitation_ids or self.added)


def members_added_notify(*, cohort: Cohort, added: list[tuple[User, str]], by: User | None) -> Added:
    """An in-app notice for each person added (not the admin who added themselves);
    returns who should also get the email. The notice is marked emailed because
    its own email is the cohort_added one, not the comment-notification digest."""
    people = [(user, role) for user, role in added if by is None or user.pk != by.pk]
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=NotificationKind.COHORT_ADDED,
            actor=by,
            summary=f"You were added to {cohort.name} as a {Role(role).label.lower()}",
            url=reverse("reflect:dashboard"),
            emailed_at=now,
        )
        for user, role in people
    )
    return [(user.pk, str(role)) for user, role in people]


def cohort_emails_enqueue(*, cohort: Cohort, invitation_ids: list[int], added: Added) -> None:
    """Send the emails after the current transaction commits, BATCH per task."""
    from reflect.manage.tasks import send_cohort_emails

    jobs = [("invitations", pk) for pk in invitation_ids] + [("added", pair) for pair in added]
    for start in range(0, len(jobs), BATCH):
        chunk = jobs[start : start + BATCH]
        ids = [pk for kind, pk in chunk if kind == "invitations"]
        pairs = [list(pair) for kind, pair in chunk if kind == "added"]
        transaction.on_commit(lambda ids=ids, pairs=pairs: send_cohort_emails.delay(cohort.pk, ids, pairs))


def cohort_emails_send(*, cohort_id: int, invitation_ids: list[int], added: Added) -> Unsent:
    """Send what is still due: invitations that are still open, and notices to
    people who are still members. Returns what failed for now."""
    unsent = Unsent()
    cohort = Cohort.objects.select_related("programme").filter(pk=cohort_id).first()
    if cohort is None:
        return unsent
    pending = CohortInvitation.objects.open().filter(pk__in=invitation_ids).select_related("cohort__programme")
    members = {
        (m.user_id, m.role): m.user
        for m in cohort.memberships.filter(user_id__in=[pk for pk, _ in added]).select_related("user")
    }
    connection = get_connection()  # one for the batch: _send opens it once
    try:
        for invitation in pending.select_related("invited_by"):
            if not invitation_email_send(invitation=invitation, connection=connection, final=False):
                unsent.invitation_ids.append(invitation.pk)
        for user_id, role in added:
            user = members.get((user_id, role))
            if user is None:
                continue  # removed again before the email went
            message = invitations.cohort_added_message(user=user, cohort=cohort, role=role)
            if _send(message, connection) == NOT_REACHED:
                unsent.added.append((user_id, role))
    finally:
        connection.close()
    return unsent


def invitation_email_send(*, invitation: CohortInvitation, connection=None, final: bool = True) -> bool:
    """Email one invitation and record how it went. True when the server took it,
    or refused the address for good (retrying would not help); a failure for now
    is recorded only when `final` (no retry will follow)."""
    error = _send(invitations.invitation_message(invitation), connection or get_connection(fail_silently=False))
    if error == NOT_REACHED and not final:
        return False
    CohortInvitation.objects.filter(pk=invitation.pk).update(send_error=error)
    invitation.send_error = error
    return error != NOT_REACHED


def cohort_emails_give_up(*, invitation_ids: list[int]) -> None:
    """After the last retry: show the course admin which invitations did not go."""
    CohortInvitation.objects.filter(pk__in=invitation_ids).update(send_error=NOT_REACHED)


def _send(message, connection) -> str:
    """ "" when sent, else the reason in plain words."""
    try:
        connection.open()  # no-op when already open
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused:
        logger.warning("Address refused for %s", message.subject)
        return REFUSED
    except (smtplib.SMTPException, OSError):
        logger.warning("Could not send %s", message.subject, exc_info=True)
        connection.close()  # it may be broken; the next message opens a new one
        return NOT_REACHED
    return ""
