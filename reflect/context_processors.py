from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from reflect.access import roles_anywhere
from reflect.feedback.models import Notification


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def _trainee(roles: dict) -> bool:
    return roles["is_trainee"]


def _member(roles: dict) -> bool:
    return roles["is_trainee"] or roles["is_tutor"] or roles["runs_programme"]


def _staff(roles: dict) -> bool:
    return roles["is_tutor"] or roles["runs_programme"]


# (label, URL name, the paths it stands for, who sees it). Each role sees only what it
# uses: the journal is a trainee's; rubrics are for staff (tutors read them, course
# admins build them); Manage for people who run something. With every role at once
# this is six items plus Notifications, the seven a laptop's bar holds; the rest
# (Trash, settings, sign out) is under the account menu (base.html).
ITEMS = [
    ("Home", "reflect:dashboard", ("/",), lambda roles: True),
    ("Journal", "reflect:entry-list", ("/journal/",), _trainee),
    ("New entry", "reflect:entry-new", ("/journal/new/",), _trainee),
    ("Portfolio", "reflect:checkpoint-list", ("/checkpoints/", "/submissions/", "/assessments/"), _member),
    ("Rubrics", "reflect:rubric-list", ("/rubrics/",), _staff),
    ("Manage", "reflect:manage-home", ("/manage/",), lambda roles: roles["manages"]),
]


def _section(path: str) -> str | None:
    """The menu path this page belongs to: the longest one it starts with."""
    found = [p for _, _, paths, _ in ITEMS for p in paths if path == p or (p != "/" and path.startswith(p))]
    return max(found, key=len, default=None)


def navigation(request) -> dict:
    """What the menu needs on every page, in one query: the unread notification
    count, and which roles this person holds anywhere (a person with several sees
    the union). The roles are decided by reflect.access, never here."""
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
    roles = roles_anywhere(user, unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
    section = _section(request.path)
    items = [NavItem(label, reverse(name), section in paths) for label, name, paths, shown in ITEMS if shown(roles)]
    return {
        "unread_notifications": roles["unread"] or 0,
        "nav_items": items,
        "nav_roles": roles,
    }
