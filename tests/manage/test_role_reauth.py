"""Changing someone's role asks for the admin's password again first (issue 12)."""

import pytest

from reflect.cohorts.models import Membership, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reauth_on(settings):
    settings.REAUTH_FOR_ROLE_CHANGES = True


def role_url(cohort, m) -> str:
    return f"/manage/cohorts/{cohort.pk}/members/{m.pk}/role/"


def test_a_role_change_asks_for_the_password_then_goes_through(course_admin, tutor, cohort, client):
    client.post("/accounts/login/", {"login": course_admin.email, "password": PASSWORD})
    m = Membership.objects.get(user=tutor, cohort=cohort, role=Role.TUTOR)
    response = client.post(role_url(cohort, m), {"role": "trainee"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    m.refresh_from_db()
    assert m.role == Role.TUTOR  # nothing changed yet

    response = client.post(response["Location"], {"password": PASSWORD}, follow=True)
    m.refresh_from_db()
    assert m.role == Role.TRAINEE  # carried through after the password
    assert "Charlie Tutor is now a trainee." in response.content.decode()


def test_someone_who_may_not_change_it_gets_not_found_not_a_password_prompt(tutor, trainee, cohort, client_for):
    m = Membership.objects.get(user=trainee, cohort=cohort, role=Role.TRAINEE)
    response = client_for(tutor).post(role_url(cohort, m), {"role": "tutor"})
    assert response.status_code == 404
