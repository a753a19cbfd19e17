"""Invitations: a site operator's link opens sign-up for one email address,
for INVITATION_VALID_FOR (14 days, as cohort invitations) after it was made."""

from django.utils import timezone

from accounts.models import INVITATION_VALID_FOR, Invitation, User

SESSION_KEY = "invitation_token"


def _usable():
    return Invitation.objects.filter(accepted_at__isnull=True, created_at__gt=timezone.now() - INVITATION_VALID_FOR)


def invitation_from_session(request) -> Invitation | None:
    """The open, unexpired invitation this visitor followed, if any: a link opened
    on its last day no longer opens sign-up once the day has passed."""
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    return _usable().filter(token=token).first()


def invitation_create(*, email: str, invited_by: User | None = None) -> Invitation:
    return Invitation.objects.create(email=email.strip().lower(), invited_by=invited_by)


def invitation_accept(*, invitation: Invitation, user: User) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(accepted_at=timezone.now())
