"""With Redis down people still sign in, and the sign-in rate limits still hold:
the cache falls back to the database, and the outage is logged once."""

import logging

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.config.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_a_trainee_signs_in_with_the_login_form(redis_down, trainee, client):
    response = sign_in(client, "alice@example.test")

    assert response.status_code == 302 and response.url == "/"
    assert client.session["_auth_user_id"] == str(trainee.pk)
    assert client.get("/").status_code == 200


def test_too_many_failed_logins_are_still_refused(redis_down, trainee, client):
    for _ in range(5):  # django-allauth's default: 5 failures per address in 5 minutes
        sign_in(client, "alice@example.test", "not-the-password")

    response = sign_in(client, "alice@example.test")

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    with connection.cursor() as cursor:  # counted in the database cache
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(django_settings.CACHE_TABLE)}")  # noqa: S608
        assert cursor.fetchone()[0] > 0


def test_the_outage_is_logged_once_as_a_warning(redis_down, trainee, client, caplog):
    caplog.set_level(logging.WARNING, logger="config.cache")
    sign_in(client, "alice@example.test", "not-the-password")
    sign_in(client, "alice@example.test", "still-not-it")
    sign_in(client, "alice@example.test")

    (record,) = [record for record in caplog.records if record.name == "config.cache"]
    assert record.levelname == "WARNING"
    assert "Redis cache unreachable" in record.getMessage() and "database cache" in record.getMessage()
