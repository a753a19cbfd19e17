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


def test_a_roster_import_with_the_broker_down_too_keeps_its_emails_for_the_next_sweep(
    redis_down, dead_redis_url, course_admin, cohort, signed_in, django_capture_on_commit_callbacks, caplog
):
    from django.core import mail

    from config.celery import app
    from reflect.outbox.models import Delivery, DeliveryStatus
    from reflect.outbox.sweep import outbox_sweep
    from tests.worker.broker import queue_of_our_own

    client = signed_in(course_admin)
    with queue_of_our_own(dead_redis_url), django_capture_on_commit_callbacks(execute=True):
        response = import_file(client, cohort, csv_bytes("nina@example.org,Nina,New,trainee,"))

    assert response.status_code == 200 and response.context["result"]["invited"] == 1
    row = Delivery.objects.get(to="nina@example.org")
    assert (row.status, row.enqueued_at) == (DeliveryStatus.PENDING, None)
    assert "task broker is unavailable" in caplog.text
    # The broker is back (tasks run at once here): beat's next sweep sends it.
    previous, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        assert outbox_sweep() == 1
    finally:
        app.conf.task_always_eager = previous
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
