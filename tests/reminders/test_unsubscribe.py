"""Unsubscribe links: they work without signing in, ask before switching anything
off (mail scanners open links), honour RFC 8058 one-click POSTs, say nothing
readable about whose they are, and expire."""

import pytest
from django.core import signing
from django.test import Client

from accounts.models import EmailCategory, NotificationPreferences
from accounts.unsubscribe import (
    UnsubscribeError,
    UnsubscribeExpired,
    unsubscribe_apply,
    unsubscribe_read,
    unsubscribe_token,
    unsubscribe_url,
)

pytestmark = pytest.mark.django_db

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def wants(user, category) -> bool:
    preferences = NotificationPreferences.objects.filter(user=user).first()
    return preferences is None or preferences.wants(category)


def path_for(user, category) -> str:
    return f"/accounts/unsubscribe/{unsubscribe_token(user, category)}/"


@pytest.fixture
def days_later(monkeypatch):
    """Move the signer's clock forward, as if the email had been sitting in an inbox."""

    def move(days: float) -> None:
        later = signing.time.time() + days * 24 * 60 * 60
        monkeypatch.setattr(signing.time, "time", lambda: later)

    return move


def test_the_token_round_trips_and_the_url_is_absolute(trainee, settings):
    settings.SITE_URL = "https://reflect.example"
    token = unsubscribe_token(trainee, EmailCategory.DIGEST)
    assert unsubscribe_read(token=token) == (trainee, EmailCategory.DIGEST)
    assert unsubscribe_url(trainee, EmailCategory.DIGEST) == f"https://reflect.example/accounts/unsubscribe/{token}/"


def test_it_names_nobody_readably_in_the_token(trainee):
    token = unsubscribe_token(trainee, EmailCategory.DIGEST)

    value, timestamp, signature = token.split(":")
    assert value == f"{trainee.unsubscribe_key}.digest"  # plain text: a random key and the category
    assert trainee.email not in token and "alice" not in token.lower()
    assert not value.startswith("ey")  # not base64 JSON such as {"u": 12, ...}


def test_it_gives_every_user_a_key_of_their_own(trainee, trainee2, tutor):
    keys = {trainee.unsubscribe_key, trainee2.unsubscribe_key, tutor.unsubscribe_key}
    assert len(keys) == 3 and all(len(key) >= 20 for key in keys)


def test_a_forged_or_altered_token_is_refused(trainee, trainee2):
    token = unsubscribe_token(trainee, EmailCategory.WEEKLY_PROMPT)
    forged = token.replace(trainee.unsubscribe_key, trainee2.unsubscribe_key)
    for bad in (forged, token[:-2], "nonsense", ""):
        with pytest.raises(UnsubscribeError):
            unsubscribe_apply(token=bad)
    assert wants(trainee2, EmailCategory.WEEKLY_PROMPT)


def test_a_token_signed_for_something_else_is_refused(trainee):
    other = signing.TimestampSigner(salt="something.else").sign(f"{trainee.unsubscribe_key}.digest")
    with pytest.raises(UnsubscribeError):
        unsubscribe_read(token=other)


def test_an_old_style_token_naming_the_user_id_is_refused(trainee):
    old = signing.Signer(salt="accounts.unsubscribe").sign_object({"u": trainee.pk, "c": "digest"})
    with pytest.raises(UnsubscribeError):
        unsubscribe_read(token=old)


def test_a_new_key_voids_the_old_links(trainee):
    token = unsubscribe_token(trainee, EmailCategory.DIGEST)
    trainee.unsubscribe_key = "a-brand-new-key-0123456789"
    trainee.save(update_fields=["unsubscribe_key"])
    with pytest.raises(UnsubscribeError):
        unsubscribe_read(token=token)


# Asking first --------------------------------------------------------------------------------------------------


def test_it_only_asks_on_get_so_a_mail_scanner_changes_nothing(trainee):
    response = Client().get(path_for(trainee, EmailCategory.DEADLINES))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Stop these emails?" in page and "portfolio deadline reminder emails" in page
    assert 'name="confirm"' in page and 'method="post"' in page
    assert wants(trainee, EmailCategory.DEADLINES)


def test_it_unsubscribes_from_the_confirmation_button_without_signing_in(trainee):
    path = path_for(trainee, EmailCategory.WEEKLY_PROMPT)
    client = Client(enforce_csrf_checks=True)
    client.get(path)

    response = client.post(path, {"confirm": "1"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "You won't get weekly reflective prompt emails any more." in page
    assert "/accounts/preferences/" in page and "Undo" in page
    assert not wants(trainee, EmailCategory.WEEKLY_PROMPT)
    assert wants(trainee, EmailCategory.DEADLINES)  # only that category


def test_undo_turns_the_emails_back_on(trainee):
    path = path_for(trainee, EmailCategory.NOTIFICATIONS)
    client = Client()
    client.post(path, {"confirm": "1"})
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
    response = client.post(path_for(trainee, EmailCategory.DIGEST), ONE_CLICK)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Unsubscribed" in response.content.decode()
    assert not wants(trainee, EmailCategory.DIGEST)


def test_a_post_without_the_one_click_body_or_the_button_changes_nothing(trainee):
    response = Client().post(path_for(trainee, EmailCategory.DIGEST), {"something": "else"})
    assert response.status_code == 400
    assert wants(trainee, EmailCategory.DIGEST)


def test_unsubscribing_twice_is_harmless_and_keeps_other_choices(trainee):
    NotificationPreferences.objects.create(user=trainee, digest=False, prompt_weekday=2)
    client = Client()
    for _ in range(2):
        assert client.post(path_for(trainee, EmailCategory.WEEKLY_PROMPT), {"confirm": "1"}).status_code == 200
    preferences = NotificationPreferences.objects.get(user=trainee)
    assert (preferences.weekly_prompt, preferences.digest, preferences.prompt_weekday) == (False, False, 2)


# Refused links ---------------------------------------------------------------------------------------------------


def test_a_forged_token_gets_a_kind_page_with_a_way_to_sign_in(trainee):
    token = unsubscribe_token(trainee, EmailCategory.DEADLINES)
    response = Client().get(f"/accounts/unsubscribe/{token}x/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "isn't valid" in page and "Nothing was changed" in page
    assert 'href="/accounts/login/?next=/accounts/preferences/"' in page
    response = Client().post(f"/accounts/unsubscribe/{token}x/", ONE_CLICK)
    assert response.status_code == 404 and response["Content-Type"].startswith("text/plain")
    assert wants(trainee, EmailCategory.DEADLINES)


def test_it_expires_links_after_the_configured_days(trainee, settings, days_later):
    settings.UNSUBSCRIBE_LINK_MAX_AGE_DAYS = 30
    path = path_for(trainee, EmailCategory.DEADLINES)

    days_later(29)
    assert Client().get(path).status_code == 200
    days_later(31)
    with pytest.raises(UnsubscribeExpired):
        unsubscribe_read(token=path.split("/")[3])
    response = Client().get(path)
    confirmed = Client().post(path, {"confirm": "1"})
    one_click = Client().post(path, ONE_CLICK)

    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired" in page and "work for 30 days" in page
    assert 'href="/accounts/login/?next=/accounts/preferences/"' in page
    assert confirmed.status_code == 410 and one_click.status_code == 410
    assert "expired" in one_click.content.decode()
    assert wants(trainee, EmailCategory.DEADLINES)


def test_the_default_lifetime_is_90_days(trainee, days_later):
    token = unsubscribe_token(trainee, EmailCategory.DIGEST)
    days_later(89)
    assert unsubscribe_read(token=token)[0] == trainee
    days_later(91)
    with pytest.raises(UnsubscribeExpired):
        unsubscribe_read(token=token)


def test_a_signed_in_visitor_with_an_old_link_is_sent_to_their_settings(trainee, client_for, days_later):
    path = path_for(trainee, EmailCategory.DIGEST)
    days_later(365)
    page = client_for(trainee).get(path).content.decode()
    assert 'href="/accounts/preferences/"' in page and "/accounts/login/" not in page.split("</nav>")[-1]
