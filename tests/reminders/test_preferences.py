"""Email settings: categories on and off, an own weekday and time for the prompt, and the time zone."""

import datetime

import pytest

from accounts.models import NotificationPreferences

pytestmark = pytest.mark.django_db

URL = "/accounts/preferences/"


def form_data(**overrides) -> dict:
    data = {
        "weekly_prompt": "on",
        "deadlines": "on",
        "digest": "on",
        "notifications": "on",
        "prompt_weekday": "",
        "prompt_time": "",
        "time_zone": "Europe/London",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_page_needs_signing_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_shows_the_choices_without_creating_a_row(trainee, client_for):
    page = client_for(trainee).get(URL).content.decode()
    assert "A weekly reflective prompt" in page and "Reminders before a portfolio deadline" in page
    assert "use your cohort&#x27;s schedule" in page or "use your cohort's schedule" in page
    assert 'value="Europe/London" selected' in page
    assert not NotificationPreferences.objects.filter(user=trainee).exists()


def test_saving_creates_the_row_and_keeps_choices(trainee, client_for):
    client = client_for(trainee)
    data = form_data(weekly_prompt=None, digest=None, prompt_weekday="2", prompt_time="07:30")
    response = client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == URL
    preferences = NotificationPreferences.objects.get(user=trainee)
    assert (preferences.weekly_prompt, preferences.deadlines, preferences.digest, preferences.notifications) == (
        False,
        True,
        False,
        True,
    )
    assert (preferences.prompt_weekday, preferences.prompt_time) == (2, datetime.time(7, 30))
    assert "Your email settings are saved." in client.get(URL).content.decode()
    client.post(URL, form_data())
    preferences.refresh_from_db()
    assert preferences.weekly_prompt and preferences.prompt_weekday is None and preferences.prompt_time is None
    assert NotificationPreferences.objects.filter(user=trainee).count() == 1


@pytest.mark.parametrize("weekday, at", [("3", ""), ("", "09:00")])
def test_own_prompt_time_needs_both_day_and_time(trainee, client_for, weekday, at):
    response = client_for(trainee).post(URL, form_data(prompt_weekday=weekday, prompt_time=at))
    assert response.status_code == 400
    assert "choose both a day and a time" in response.content.decode()
    assert not NotificationPreferences.objects.filter(user=trainee).exists()


def test_the_time_zone_is_saved_and_validated(trainee, client_for):
    client = client_for(trainee)
    response = client.post(URL, form_data(time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 400
    trainee.refresh_from_db()
    assert trainee.time_zone == "Europe/London"
    assert client.post(URL, form_data(time_zone="America/New_York")).status_code == 302
    trainee.refresh_from_db()
    assert trainee.time_zone == "America/New_York"


def test_a_refused_address_is_explained(trainee, client_for):
    from django.utils import timezone

    type(trainee).objects.filter(pk=trainee.pk).update(email_failed_at=timezone.now(), email_failure="550 no such user")
    page = client_for(trainee).get(URL).content.decode()
    assert "the mail server has refused messages" in page
