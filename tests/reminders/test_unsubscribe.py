"""One-click unsubscribe: signed links that work without signing in, and RFC 8058 one-click POSTs."""

import pytest
from django.test import Client

from accounts.models import EmailCategory, NotificationPreferences
from accounts.unsubscribe import (
    UnsubscribeError,
    unsubscribe_apply,
    unsubscribe_read,
    unsubscribe_token,
    unsubscribe_url,
)

pytestmark = pytest.mark.django_db


def wants(user, category) -> bool:
    preferences = NotificationPreferences.objects.filter(user=user).first()
    return preferences is None or preferences.wants(category)


def path_for(user, category) -> str:
    return f"/accounts/unsubscribe/{unsubscribe_token(user, category)}/"


def test_the_token_round_trips_and_the_url_is_absolute(trainee, settings):
    settings.SITE_URL = "https://reflect.example"
    token = unsubscribe_token(trainee, EmailCategory.DIGEST)
    assert unsubscribe_read(token=token) == (trainee, EmailCategory.DIGEST)
    assert unsubscribe_url(trainee, EmailCategory.DIGEST) == f"https://reflect.example/accounts/unsubscribe/{token}/"


def test_a_forged_or_altered_token_is_refused(trainee, trainee2):
    token = unsubscribe_token(trainee, EmailCategory.WEEKLY_PROMPT)
    forged = unsubscribe_token(trainee2, EmailCategory.WEEKLY_PROMPT).split(":")[0] + ":" + token.split(":")[1]
    for bad in (forged, token[:-2], "nonsense", ""):
        with pytest.raises(UnsubscribeError):
            unsubscribe_apply(token=bad)
    assert wants(trainee2, EmailCategory.WEEKLY_PROMPT)


def test_a_token_signed_for_something_else_is_refused(trainee):
    from django.core import signing

    other = signing.Signer(salt="something.else").sign_object({"u": trainee.pk, "c": "digest"})
    with pytest.raises(UnsubscribeError):
        unsubscribe_read(token=other)


def test_get_unsubscribes_in_one_click_without_signing_in(trainee):
    response = Client().get(path_for(trainee, EmailCategory.WEEKLY_PROMPT))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You won't get weekly reflective prompt emails any more." in page
    assert "/accounts/preferences/" in page and "Undo" in page
    assert not wants(trainee, EmailCategory.WEEKLY_PROMPT)
    assert wants(trainee, EmailCategory.DEADLINES)  # only that category


def test_undo_turns_the_emails_back_on(trainee):
    path = path_for(trainee, EmailCategory.NOTIFICATIONS)
    client = Client()
    client.get(path)
    assert not wants(trainee, EmailCategory.NOTIFICATIONS)
    response = client.post(path + "undo/")
    assert response.status_code == 200
    assert "You'll get comment and feedback notification emails again." in response.content.decode()
    assert wants(trainee, EmailCategory.NOTIFICATIONS)


def test_undo_needs_a_valid_token_and_a_post(trainee):
    client = Client()
    assert client.post("/accounts/unsubscribe/forged:token/undo/").status_code == 404
    assert client.get(path_for(trainee, EmailCategory.DIGEST) + "undo/").status_code == 405


def test_one_click_post_from_the_mail_client_needs_no_csrf_token(trainee):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path_for(trainee, EmailCategory.DIGEST), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Unsubscribed" in response.content.decode()
    assert not wants(trainee, EmailCategory.DIGEST)


def test_a_post_without_the_one_click_body_changes_nothing(trainee):
    response = Client().post(path_for(trainee, EmailCategory.DIGEST), {"something": "else"})
    assert response.status_code == 400
    assert wants(trainee, EmailCategory.DIGEST)


def test_a_forged_token_is_404_with_a_plain_message(trainee):
    token = unsubscribe_token(trainee, EmailCategory.DEADLINES)
    response = Client().get(f"/accounts/unsubscribe/{token}x/")
    assert response.status_code == 404
    assert "isn't valid" in response.content.decode()
    response = Client().post(f"/accounts/unsubscribe/{token}x/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404 and response["Content-Type"].startswith("text/plain")
    assert wants(trainee, EmailCategory.DEADLINES)


def test_unsubscribing_twice_is_harmless_and_keeps_other_choices(trainee):
    NotificationPreferences.objects.create(user=trainee, digest=False, prompt_weekday=2)
    client = Client()
    for _ in range(2):
        assert client.get(path_for(trainee, EmailCategory.WEEKLY_PROMPT)).status_code == 200
    preferences = NotificationPreferences.objects.get(user=trainee)
    assert (preferences.weekly_prompt, preferences.digest, preferences.prompt_weekday) == (False, False, 2)
