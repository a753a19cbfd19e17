"""Sign-up is by invitation; email is the login and must be verified."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.invitations import invitation_create
from accounts.models import INVITATION_VALID_FOR, Invitation, User

pytestmark = pytest.mark.django_db

SIGNUP = {"display_name": "New Trainee", "password1": "a-long-test-password-42", "password2": "a-long-test-password-42"}


def test_signup_is_closed_without_an_invitation(client):
    response = client.get("/accounts/signup/")
    assert "Sign Up Closed" in response.content.decode()
    client.post("/accounts/signup/", {"email": "walk-in@example.test", **SIGNUP})
    assert not User.objects.filter(email="walk-in@example.test").exists()


def test_open_signup_setting_opens_it(client, settings):
    settings.OPEN_SIGNUP = True
    client.post("/accounts/signup/", {"email": "walk-in@example.test", **SIGNUP})
    assert User.objects.filter(email="walk-in@example.test").exists()


def test_invitation_link_opens_signup_for_that_email_and_asks_for_verification(client):
    invitation = invitation_create(email="Invited@Example.test")
    response = client.get(f"/accounts/invitation/{invitation.token}/", follow=True)
    assert 'value="invited@example.test"' in response.content.decode()
    response = client.post("/accounts/signup/", {"email": "invited@example.test", **SIGNUP})
    user = User.objects.get(email="invited@example.test")
    assert user.display_name == "New Trainee"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1 and "invited@example.test" in mail.outbox[0].to


def test_invitation_is_for_one_address_only(client):
    invitation = invitation_create(email="invited@example.test")
    client.get(f"/accounts/invitation/{invitation.token}/")
    response = client.post("/accounts/signup/", {"email": "someone-else@example.test", **SIGNUP})
    assert "This invitation is for invited@example.test" in response.content.decode()
    assert not User.objects.filter(email="someone-else@example.test").exists()


def test_a_used_invitation_cannot_be_used_again(client):
    invitation = invitation_create(email="invited@example.test")
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at="2026-01-01T00:00Z")
    response = client.get(f"/accounts/invitation/{invitation.token}/", follow=True)
    assert "already been used" in response.content.decode()
    assert "Sign Up Closed" in client.get("/accounts/signup/").content.decode()


def test_unknown_invitation_token_is_not_found(client):
    assert client.get("/accounts/invitation/not-a-token/").status_code == 404


def test_sign_in_with_email_and_password(client, trainee):
    response = client.post("/accounts/login/", {"login": "alice@example.test", "password": "a-long-test-password-42"})
    assert response.status_code == 302
    assert client.get("/journal/").status_code == 200


def test_unverified_email_cannot_sign_in(client, user_factory):
    user = user_factory("unverified@example.test")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client.post("/accounts/login/", {"login": "unverified@example.test", "password": "a-long-test-password-42"})
    assert client.get("/journal/").status_code == 302


def test_password_reset_sends_an_email(client, trainee):
    client.post("/accounts/password/reset/", {"email": "alice@example.test"})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_it_shows_a_kind_page_for_an_expired_invitation(client):
    invitation = invitation_create(email="late@example.test")
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - INVITATION_VALID_FOR - datetime.timedelta(minutes=1)
    )

    response = client.get(f"/accounts/invitation/{invitation.token}/")

    assert response.status_code == 410
    page = response.content.decode()
    assert "This invitation has expired" in page and "ask the person who invited you" in page
    assert 'href="/accounts/login/"' in page
    assert "Sign Up Closed" in client.get("/accounts/signup/").content.decode()
    client.post("/accounts/signup/", {"email": "late@example.test", **SIGNUP})
    assert not User.objects.filter(email="late@example.test").exists()


def test_it_still_opens_sign_up_on_the_last_day(client):
    invitation = invitation_create(email="just-in-time@example.test")
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - INVITATION_VALID_FOR + datetime.timedelta(minutes=5)
    )

    response = client.get(f"/accounts/invitation/{invitation.token}/")

    assert response.status_code == 302 and response["Location"] == "/accounts/signup/"


def test_it_closes_sign_up_when_an_opened_invitation_expires_before_it_is_used(client):
    invitation = invitation_create(email="slow@example.test")
    client.get(f"/accounts/invitation/{invitation.token}/")
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - INVITATION_VALID_FOR)

    client.post("/accounts/signup/", {"email": "slow@example.test", **SIGNUP})

    assert not User.objects.filter(email="slow@example.test").exists()


def test_it_gives_site_and_cohort_invitations_the_same_14_days():
    from reflect.manage import models as manage_models

    assert INVITATION_VALID_FOR == datetime.timedelta(days=14)
    assert manage_models.INVITATION_VALID_FOR is INVITATION_VALID_FOR
