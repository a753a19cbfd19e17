from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from reflect.cohorts.models import Programme, Role
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
    runs = Programme.objects.filter(
        Q(admins=OuterRef("pk"))
        | Q(cohorts__memberships__user=OuterRef("pk"), cohorts__memberships__role=Role.COURSE_ADMIN)
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)), runs=Exists(runs))
        .values("unread", "runs")
        .first()
    ) or {"unread": 0, "runs": False}
    return {"unread_notifications": row["unread"], "manages_programmes": user.is_staff or row["runs"]}
