"""The emails a roster change sends: an invitation to each new person, and a
notice to each person with an account who was added to the cohort.

Each is an outbox row (reflect.outbox), written in the same transaction as the
change and sent by a Celery task once it commits, so an import of thousands of
rows answers at once, a slow or absent mail server holds nothing up, and each
person gets one email however the workers fail. A message the server refuses
for now is tried again until the invitation expires; the invitation shows the
course admin how its last attempt went (`send_error`)."""

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.feedback.models import Notification, NotificationKind
from reflect.manage import invitations
from reflect.manage.models import EMAIL_WAITING, CohortInvitation
from reflect.outbox.kinds import Kind, register
from reflect.outbox.models import Delivery, DeliveryKind, DeliveryStatus
from reflect.outbox.sending import delivery_send
from reflect.outbox.sweep import deliveries_enqueue_on_commit

logger = logging.getLogger(__name__)

ADDED_NOTICE_KEEPS = datetime.timedelta(days=14)
REFUSED = "The mail server refused this address ({reason}). Check it for typing errors, then send the invitation again."
NOT_YET = EMAIL_WAITING + " ({reason}); Reflect keeps trying until the invitation expires."
TOO_LATE = "The invitation expired before the mail server took it. Send it again to give a fresh 14 days."

Added = list[tuple[int, str]]  # (user id, role) of people added who already have an account


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
    """Record an outbox row per email, in the caller's transaction, and send them
    once it commits."""
    now = timezone.now()
    rows = [_invitation_row(invitation) for invitation in CohortInvitation.objects.filter(pk__in=invitation_ids)]
    rows += [
        Delivery(
            kind=DeliveryKind.COHORT_ADDED,
            user_id=user_id,
            cohort=cohort,
            period=f"cohort-{cohort.pk}-{role}-{now.timestamp():.6f}",
            payload={"cohort_id": cohort.pk, "role": role},
            expires_at=now + ADDED_NOTICE_KEEPS,
        )
        for user_id, role in added
    ]
    created = Delivery.objects.bulk_create(rows, batch_size=500)
    deliveries_enqueue_on_commit([row.pk for row in created])


def _invitation_row(invitation: CohortInvitation) -> Delivery:
    # Each sending of an invitation is its own message: a resend is a new row.
    sent_at = invitation.sent_at or invitation.created_at
    return Delivery(
        kind=DeliveryKind.INVITATION,
        to=invitation.email,
        cohort_id=invitation.cohort_id,
        period=f"invitation-{invitation.pk}-{sent_at.timestamp():.6f}",
        payload={"invitation_id": invitation.pk},
        expires_at=invitation.expires_at,
    )


def invitation_email_send(*, invitation: CohortInvitation) -> str:
    """Send an invitation again, now, so the course admin sees at once whether it
    went (`send_error`); earlier sendings still waiting are superseded. Returns
    the row's status. Refused for now, it is retried like any other."""
    with transaction.atomic():
        Delivery.objects.filter(
            kind=DeliveryKind.INVITATION, payload__invitation_id=invitation.pk, status=DeliveryStatus.PENDING
        ).update(status=DeliveryStatus.SKIPPED, error="Superseded by a later sending")
        row = _invitation_row(invitation)
        row.save()
    status = delivery_send(delivery_id=row.pk)
    invitation.refresh_from_db(fields=["send_error"])
    return status


# Outbox kinds ---------------------------------------------------------------------------------------------------


def _build_invitation(delivery: Delivery, context) -> object | None:
    invitation = (
        CohortInvitation.objects.open()
        .select_related("cohort__programme", "invited_by")
        .filter(pk=delivery.payload.get("invitation_id"), email__iexact=delivery.to)
        .first()
    )
    if invitation is None or invitations.closed_reason(invitation) is not None:
        return None  # accepted, withdrawn or expired since: nothing to send
    return invitations.invitation_message(invitation)


def _invitation_outcome(delivery: Delivery, status: str, error: str) -> None:
    messages = {
        DeliveryStatus.SENT: "",
        DeliveryStatus.FAILED: REFUSED.format(reason=error),
        DeliveryStatus.PENDING: NOT_YET.format(reason=error),
        DeliveryStatus.EXPIRED: TOO_LATE,
    }
    if status in messages:
        CohortInvitation.objects.filter(pk=delivery.payload.get("invitation_id")).update(
            send_error=messages[status][:300]
        )


def _build_cohort_added(delivery: Delivery, context) -> object | None:
    user, payload = delivery.user, delivery.payload
    if not (user.is_active and user.email and user.email_failed_at is None):
        return None
    membership = (
        Membership.objects.select_related("cohort__programme")
        .filter(user=user, cohort_id=payload.get("cohort_id"), role=payload.get("role"))
        .first()
    )
    if membership is None:
        return None  # removed again before the email went
    return invitations.cohort_added_message(user=user, cohort=membership.cohort, role=membership.role)


def register_kinds() -> None:
    """Called when Django starts (reflect.apps)."""
    register(DeliveryKind.INVITATION, Kind(build=_build_invitation, on_outcome=_invitation_outcome))
    register(DeliveryKind.COHORT_ADDED, Kind(build=_build_cohort_added))
