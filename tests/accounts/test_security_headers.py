"""Signed-in pages are never cached, and every page carries the Content-Security-Policy
and Permissions-Policy headers; static files keep their own cache headers."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = ["/", "/journal/new/", "/accounts/email/", "/accounts/preferences/", "/notifications/"]


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_are_not_stored(client, trainee, path):
    client.force_login(trainee)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_a_signed_in_redirect_is_not_stored_either(client, trainee):
    client.force_login(trainee)
    response = client.get("/accounts/login/")
    assert response.status_code == 302 and response["Cache-Control"] == "no-store"


def test_signed_in_manage_pages_are_not_stored(client, course_admin):
    client.force_login(course_admin)
    response = client.get("/manage/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/accounts/login/", "/"])
def test_every_page_has_a_permissions_policy(client, trainee, path):
    client.force_login(trainee)
    policy = client.get(path)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_has_a_strict_content_security_policy(client, trainee, signed_in):
    if signed_in:
        client.force_login(trainee)
    policy = client.get("/accounts/login/" if not signed_in else "/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_static_files_keep_their_cache_headers_for_a_signed_in_person(settings, trainee):
    # WhiteNoise answers /static/ before the session is read, so a stylesheet stays cacheable.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()  # built after the settings change, so WhiteNoise sees them
    client.force_login(trainee)
    response = client.get("/static/css/reflect.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]
