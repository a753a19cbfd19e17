from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from reflect.access import programmes_administered_by
from reflect.feedback.models import Notification


def navigation(request) -> dict:
    """What the menu needs on every page, in one query: the unread notification
    count, and whether this person runs a programme (the Manage link)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = (
        Notification.objects.for_user(user)
        .unread()
        .filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    runs = programmes_administered_by(user)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)), runs=Exists(runs))
        .values("unread", "runs")
        .first()
    ) or {"unread": 0, "runs": False}
    return {"unread_notifications": row["unread"], "manages_programmes": user.is_staff or row["runs"]}
