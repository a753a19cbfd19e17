"""Cohort invitations: the emailed link, resending, revoking and accepting.

The link carries the invitation's id, signed with a salt, so it cannot be forged
or guessed; whether it still works is decided by the row itself (open, and sent
less than INVITATION_VALID_FOR ago), so a resend gives a fresh 14 days and a
revoke or an acceptance closes every copy of the link at once.

Invitation and "added to a cohort" emails are essential account emails: text +
HTML from templates/emails/, with no unsubscribe link."""

import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.mail import render_mail
from accounts.models import User
from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.manage.models import CohortInvitation
from reflect.manage.reader_notices import reader_notices

logger = logging.getLogger(__name__)

TOKEN_SALT = "reflect.manage.cohort-invitation"


class InvitationClosed(Exception):
    """The invitation can no longer be accepted; the message says why in plain words."""


# Links ---------------------------------------------------------------------------------------------------------


def invitation_token(invitation: CohortInvitation) -> str:
    return signing.dumps(invitation.pk, salt=TOKEN_SALT)


def invitation_url(invitation: CohortInvitation) -> str:
    return settings.SITE_URL + reverse("reflect:invitation-accept", kwargs={"token": invitation_token(invitation)})


def invitation_from_token(token: str) -> CohortInvitation | None:
    """The invitation a link points at (open or not), or None for a forged or mangled link."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return CohortInvitation.objects.select_related("cohort__programme", "invited_by").filter(pk=pk).first()


def closed_reason(invitation: CohortInvitation, now=None) -> str | None:
    """Why this invitation can't be accepted any more, or None if it can."""
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return "This invitation has been withdrawn by the course team."
    if invitation.accepted_at is not None:
        return "This invitation has already been used. Please sign in instead."
    if invitation.expires_at is None or invitation.expires_at <= now:
        return "This invitation has expired. Ask your course team to send you a new one."
    if invitation.cohort.is_read_only:
        return "This cohort has been archived, so it can't be joined any more."
    return None


# Emails --------------------------------------------------------------------------------------------------------


def invitation_message(invitation: CohortInvitation) -> EmailMultiAlternatives:
    return render_mail(
        "cohort_invitation",
        invitation.email,
        {
            "invitation": invitation,
            "cohort": invitation.cohort,
            "programme": invitation.cohort.programme,
            "role": invitation.get_role_display().lower(),
            "accept_url": invitation_url(invitation),
            "expires_at": invitation.expires_at,
            "inviter": str(invitation.invited_by) if invitation.invited_by else "",
        },
    )


def cohort_added_message(*, user: User, cohort: Cohort, role: str) -> EmailMultiAlternatives:
    return render_mail(
        "cohort_added",
        user.email,
        {
            "user": user,
            "cohort": cohort,
            "programme": cohort.programme,
            "role": Role(role).label.lower(),
            "dashboard_url": settings.SITE_URL + reverse("reflect:dashboard"),
        },
    )


# Services ------------------------------------------------------------------------------------------------------


def _invitation_audit(invitation: CohortInvitation, *, action: str, by: User, verb: str) -> None:
    # The invited person may have no account yet, so the address goes in the detail.
    detail = f"{verb} {invitation.email} as {invitation.get_role_display().lower()}"
    audit_record(actor=by, action=action, cohort=invitation.cohort, detail=detail)


def invitation_resend(*, invitation: CohortInvitation, by: User) -> bool:
    """A fresh 14 days from now, and the email again, at once (the course admin sees
    straight away whether it went, in `send_error`). False if the invitation was
    closed meanwhile."""
    from reflect.manage.mailing import invitation_email_send

    now = timezone.now()
    updated = CohortInvitation.objects.open().filter(pk=invitation.pk).update(sent_at=now)
    if not updated:
        return False
    invitation.sent_at = now
    _invitation_audit(invitation, action=Action.INVITATION_SENT, by=by, verb="sent again to")
    invitation_email_send(invitation=invitation)
    return True


def invitation_revoke(*, invitation: CohortInvitation, by: User) -> bool:
    """Close the invitation so its link stops working. False if it was already closed."""
    now = timezone.now()
    updated = CohortInvitation.objects.open().filter(pk=invitation.pk).update(revoked_at=now)
    if updated:
        invitation.revoked_at = now
        _invitation_audit(invitation, action=Action.INVITATION_WITHDRAWN, by=by, verb="withdrawn for")
    return bool(updated)


@dataclass
class Accepted:
    user: User
    created: bool  # a new account; False when the address already had one


@transaction.atomic
def invitation_accept(*, invitation: CohortInvitation, display_name: str = "", password: str | None = None) -> Accepted:
    """Join the cohort: make the account (unless the address already has one),
    verify the address (the person clicked the emailed link), add the membership
    and the tutor assignment, and close the invitation. Raises InvitationClosed."""
    locked = CohortInvitation.objects.select_for_update().select_related("cohort__programme").get(pk=invitation.pk)
    reason = closed_reason(locked)
    if reason:
        raise InvitationClosed(reason)
    user = User.objects.filter(email__iexact=locked.email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=locked.email, password=password, display_name=display_name.strip())
    _verify_email(user, locked.email)
    # The course admin who sent the invitation is the one who gave this role: they are
    # the actor in the audit log and on the notices of trainees who gain a reader.
    by = locked.invited_by
    with reader_notices(cohort=locked.cohort, by=by):
        Membership.objects.get_or_create(user=user, cohort=locked.cohort, role=locked.role)
        _assign_tutors(locked, user)
    CohortInvitation.objects.filter(pk=locked.pk).update(accepted_at=timezone.now(), user=user)
    detail = f"as {locked.get_role_display().lower()}, by accepting an invitation"
    audit_record(actor=by, action=Action.MEMBER_ADDED, cohort=locked.cohort, subject=user, detail=detail)
    return Accepted(user=user, created=created)


def _verify_email(user: User, email: str) -> None:
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=not has_primary)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def _assign_tutors(invitation: CohortInvitation, user: User) -> None:
    """A trainee joins their named tutor's list; a tutor picks up the trainees who
    joined before them and named them on their invitation."""
    cohort = invitation.cohort
    if invitation.role == Role.TRAINEE and invitation.tutor_email:
        tutor_memberships = Membership.objects.filter(
            cohort=cohort, role=Role.TUTOR, user__email__iexact=invitation.tutor_email
        )
        for membership in tutor_memberships:
            membership.assigned_trainees.add(user)
    elif invitation.role == Role.TUTOR:
        waiting = CohortInvitation.objects.filter(
            cohort=cohort, role=Role.TRAINEE, tutor_email__iexact=user.email, accepted_at__isnull=False
        ).exclude(user=None)
        trainee_ids = list(
            Membership.objects.filter(
                cohort=cohort, role=Role.TRAINEE, user_id__in=waiting.values("user_id")
            ).values_list("user_id", flat=True)
        )
        if trainee_ids:
            Membership.objects.get(user=user, cohort=cohort, role=Role.TUTOR).assigned_trainees.add(*trainee_ids)
