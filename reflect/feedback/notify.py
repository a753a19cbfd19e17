"""Creating in-app notifications; every capability that notifies calls this."""

from accounts.models import User
from reflect.feedback.models import Notification
from reflect.journal.models import JournalEntry


def notify(
    *,
    user: User,
    kind: str,
    summary: str,
    url: str,
    actor: User | None = None,
    entry: JournalEntry | None = None,
) -> Notification | None:
    """Tell `user` about something at `url`. Nobody is notified of their own action.

    A notice about an entry names the entry in `entry`, never in `summary`: the
    summary goes into email subjects and stays in the list, while the entry may
    later be made private; the list then hides the notice (see `for_user`)."""
    if actor is not None and actor.pk == user.pk:
        return None
    return Notification.objects.create(user=user, kind=kind, actor=actor, summary=summary[:300], url=url, entry=entry)
