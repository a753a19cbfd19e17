from reflect.feedback.models import Notification


def notifications(request) -> dict:
    """The unread count for the navigation bar: one query per page, signed in only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.for_user(user).unread().count()}
