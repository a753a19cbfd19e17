"""Invitations: a course admin's link opens sign-up for one email address."""

from django.utils import timezone

from accounts.models import Invitation, User

SESSION_KEY = "invitation_token"


def invitation_from_session(request) -> Invitation | None:
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    return Invitation.objects.filter(token=token, accepted_at__isnull=True).first()


def invitation_create(*, email: str, invited_by: User | None = None) -> Invitation:
    return Invitation.objects.create(email=email.strip().lower(), invited_by=invited_by)


def invitation_accept(*, invitation: Invitation, user: User) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(accepted_at=timezone.now())
