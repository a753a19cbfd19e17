"""Passwords are at least 12 characters; a shorter one is refused with a plain message."""

import pytest
from django.contrib.auth.password_validation import validate_password

from accounts.models import User
from demo.seed import DEMO_PASSWORD
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ELEVEN = "kettle-moon"  # 11 characters, neither common nor numeric
TOO_SHORT = "This password is too short. It must contain at least 12 characters."


def test_signup_refuses_an_eleven_character_password(client, settings):
    settings.OPEN_SIGNUP = True
    response = client.post(
        "/accounts/signup/",
        {"email": "walk-in@example.test", "display_name": "Walk In", "password1": ELEVEN, "password2": ELEVEN},
    )
    assert TOO_SHORT in response.content.decode()
    assert not User.objects.filter(email="walk-in@example.test").exists()


def test_password_change_refuses_an_eleven_character_password(client, trainee):
    client.force_login(trainee)
    response = client.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": ELEVEN, "password2": ELEVEN}
    )
    assert TOO_SHORT in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.check_password(PASSWORD)


def test_password_change_accepts_twelve_characters(client, trainee):
    client.force_login(trainee)
    client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "kettle-moons", "password2": "kettle-moons"},
    )
    trainee.refresh_from_db()
    assert trainee.check_password("kettle-moons")


@pytest.mark.parametrize("password", [DEMO_PASSWORD, PASSWORD])
def test_demo_and_test_passwords_meet_the_rules(password):
    validate_password(password)  # raises ValidationError if not
