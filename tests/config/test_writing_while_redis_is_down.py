"""With Redis down, a trainee who signs in can still write (autosave, publish) and a
course admin can still import a roster (its apply claims the preview in the cache)."""

import pytest
from django.test import Client

from reflect.journal.models import JournalEntry, Status
from reflect.manage.models import CohortInvitation
from tests.config.conftest import sign_in
from tests.manage.roster_helpers import csv_bytes, import_file
from tests.reflect.test_journal_editor import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in():
    def make(user) -> Client:
        client = Client()
        assert sign_in(client, user.email).status_code == 302
        return client

    return make


def test_autosave_keeps_a_draft(redis_down, trainee, cohort, signed_in):
    response = signed_in(trainee).post("/journal/autosave/", form_data(cohort, action=""))

    assert response.status_code == 200 and response.json()["saved"] is True
    assert JournalEntry.objects.get(pk=response.json()["id"]).status == Status.DRAFT


def test_publishing_an_entry_lands_on_its_page(redis_down, trainee, cohort, signed_in):
    response = signed_in(trainee).post("/journal/new/", form_data(cohort))

    entry = JournalEntry.objects.get()
    assert response.status_code == 302 and response.url == f"/journal/{entry.pk}/"
    assert entry.status == Status.PUBLISHED


def test_a_roster_import_applies(redis_down, course_admin, cohort, signed_in):
    response = import_file(signed_in(course_admin), cohort, csv_bytes("nina@example.org,Nina,New,trainee,"))

    assert response.status_code == 200
    assert response.context["result"]["invited"] == 1
    assert CohortInvitation.objects.filter(cohort=cohort, email="nina@example.org").exists()
