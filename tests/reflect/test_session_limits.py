"""Sessions end after a while without activity (staff sooner) and some hours after
sign-in; staff set up a second factor before any page with trainees' writing
(reflect/access/sessions.py)."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)

from reflect.access import sessions
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def age(client, *, seen_minutes_ago: float = 0, signed_in_hours_ago: float = 0) -> None:
    session = client.session
    now = time.time()
    session[sessions.SEEN_AT] = int(now - seen_minutes_ago * 60)
    session[sessions.SIGNED_IN_AT] = int(now - signed_in_hours_ago * 3600)
    session.save()


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- idle and absolute limits --------------------------------------------------------------------


def test_a_trainee_is_signed_out_after_two_idle_hours_and_told_why(trainee, client_for):
    client = client_for(trainee)
    age(client, seen_minutes_ago=121)
    response = client.get("/journal/")
    assert signed_out(response)
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 120 minutes without activity" in page
    assert "Nothing you typed is lost" in page


def test_a_trainee_active_within_the_limit_stays_signed_in(trainee, client_for):
    client = client_for(trainee)
    age(client, seen_minutes_ago=119)
    assert client.get("/journal/").status_code == 200
    assert time.time() - client.session[sessions.SEEN_AT] < 5  # the activity is noted


def test_a_tutor_is_signed_out_sooner(tutor, trainee, client_for):
    staff, writer = client_for(tutor), client_for(trainee)
    age(staff, seen_minutes_ago=31)
    age(writer, seen_minutes_ago=31)
    assert signed_out(staff.get("/"))
    assert writer.get("/").status_code == 200


def test_idle_limits_come_from_settings(trainee, client_for, settings):
    settings.SESSION_IDLE_MINUTES = 10
    client = client_for(trainee)
    age(client, seen_minutes_ago=11)
    assert signed_out(client.get("/"))


def test_a_session_ends_some_hours_after_sign_in_however_active(trainee, client_for):
    client = client_for(trainee)
    age(client, seen_minutes_ago=1, signed_in_hours_ago=12.1)
    response = client.get("/")
    assert signed_out(response)
    assert "signed out 12 hours after signing in" in client.get(response["Location"]).content.decode()


def test_the_editor_and_drafts_hear_that_the_session_ended_and_keep_the_text(trainee, client_for):
    client = client_for(trainee)
    age(client, seen_minutes_ago=121)
    response = client.post("/drafts/", {"_draft": "x", "body": "typed"})
    assert response.status_code == 401 and response.json()["signed_out"] is True


def test_activity_is_noted_at_most_once_a_minute(trainee, client_for):
    client = client_for(trainee)
    age(client, seen_minutes_ago=0.5)
    before = client.session[sessions.SEEN_AT]
    client.get("/")
    assert client.session[sessions.SEEN_AT] == before  # no session write for this request
    age(client, seen_minutes_ago=1.1)
    client.get("/")
    assert time.time() - client.session[sessions.SEEN_AT] < 5


def test_a_fresh_sign_in_starts_the_clocks_again(trainee, client):
    client.post("/accounts/login/", {"login": trainee.email, "password": PASSWORD})
    assert time.time() - client.session[sessions.SIGNED_IN_AT] < 5
    assert client.get("/").status_code == 200


# --- a second factor for staff -----------------------------------------------------------------


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


def signed_in(client, user):
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    # allauth asks for the password again before adding an authenticator.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client


def test_a_tutor_without_a_second_factor_is_sent_to_set_one_up(mfa_required, tutor, cohort, client):
    signed_in(client, tutor)
    response = client.get(f"/cohorts/{cohort.pk}/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get(response["Location"]).content.decode()
    assert "asks you to set up two-factor authentication" in page
    assert client.get("/accounts/preferences/").status_code == 200  # account pages stay open


def test_course_admins_and_site_staff_too(mfa_required, course_admin, user_factory, client_for):
    assert client_for(course_admin).get("/manage/")["Location"] == "/accounts/2fa/totp/activate/"
    operator = user_factory("ops@example.test", "Ola Operator")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    assert client_for(operator).get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"


def test_a_trainee_is_not_required_to(mfa_required, trainee, client_for):
    assert client_for(trainee).get("/journal/").status_code == 200


def test_a_form_post_without_the_second_factor_is_refused(mfa_required, tutor, trainee, cohort, client_for):
    from tests.reflect.assessment_factories import publish_entry

    entry = publish_entry(trainee, cohort, visibility="shared")
    response = client_for(tutor).post(f"/journal/{entry.pk}/comments/", {"body": "Hello"})
    assert response.status_code == 403
    assert not entry.comments.exists()


def test_setting_up_totp_opens_the_pages(mfa_required, tutor, cohort, client):
    signed_in(client, tutor)
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Authenticator.objects.filter(user=tutor, type=Authenticator.Type.TOTP).exists()
    assert client.get(f"/cohorts/{cohort.pk}/").status_code == 200


def test_a_tutor_who_signed_in_with_a_second_factor_goes_straight_in(mfa_required, tutor, cohort, client_for):
    Authenticator.objects.create(user=tutor, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client_for(tutor).get(f"/cohorts/{cohort.pk}/").status_code == 200


def test_a_superuser_needs_one_too(mfa_required, user_factory, client_for):
    root = user_factory("root@example.test", "Rory Root")
    root.is_superuser = True
    root.save()
    assert client_for(root).get("/")["Location"] == "/accounts/2fa/totp/activate/"


def test_with_a_second_factor_pages_do_not_look_for_it_again(mfa_required, tutor, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Authenticator.objects.create(user=tutor, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = client_for(tutor)  # signing in notes it once
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries if "mfa_authenticator" in q["sql"]]


# --- signing out ------------------------------------------------------------------------------


def test_signing_out_tells_the_browser_to_forget_what_it_kept(trainee, client_for):
    response = client_for(trainee).post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_a_timed_out_session_leaves_the_browser_copies_alone(trainee, client_for):
    client = client_for(trainee)
    age(client, seen_minutes_ago=121)
    response = client.get("/journal/")
    assert signed_out(response) and "Clear-Site-Data" not in response
