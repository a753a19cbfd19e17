"""Creating in-app notifications; every capability that notifies calls this."""

from accounts.models import User
from reflect.feedback.models import Notification


def notify(*, user: User, kind: str, summary: str, url: str, actor: User | None = None) -> Notification | None:
    """Tell `user` about something at `url`. Nobody is notified of their own action."""
    if actor is not None and actor.pk == user.pk:
        return None
    return Notification.objects.create(user=user, kind=kind, actor=actor, summary=summary[:300], url=url)
