"""Helpers for the members page tests."""

import re

from reflect.cohorts.models import Membership, Role


def membership(user, cohort, role=Role.TRAINEE) -> Membership:
    return Membership.objects.get(user=user, cohort=cohort, role=role)


def members_url(cohort, rest: str = "") -> str:
    return f"/manage/cohorts/{cohort.pk}/members/{rest}"


def assigned(tutor, cohort) -> set[int]:
    return set(membership(tutor, cohort, Role.TUTOR).assigned_trainees.values_list("pk", flat=True))


def tag(body: str, pattern: str) -> str:
    """The one HTML start tag matching the regex `pattern` (which must name something inside it)."""
    found = re.findall(rf"<[a-z]+[^>]*{pattern}[^>]*>", body)
    assert len(found) == 1, (pattern, found)
    return found[0]


def trainee_box(body: str, user) -> str:
    return tag(body, f'name="trainees" value="{user.pk}"')


def people_listed(response) -> set[str]:
    return {m.user.email for m in response.context["page"].object_list}
