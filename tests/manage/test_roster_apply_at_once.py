"""Two previews of the same file applied at the same moment. Applies to one cohort
take turns, so the second finds the first's invitations and says so, instead of
failing (500) on the one-open-invitation-per-address constraint. PostgreSQL only:
SQLite has no row locks, and two threads can't share its in-memory test database."""

import contextlib
import functools
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from reflect.manage import roster
from reflect.manage.models import CohortInvitation
from reflect.manage.roster_views import ALREADY_IMPORTED
from tests.manage.roster_helpers import apply, csv_bytes, preview_key, upload

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks"),
]

FILE = csv_bytes("nina@example.org,Nina,New,trainee,", "tom@example.org,Tom,Tutor,tutor,")


@pytest.fixture
def both_classify_before_either_writes(monkeypatch):
    """Each apply waits (up to 2 s) after classifying until the other has classified
    too. Without turns both then find nobody invited and both insert; with turns the
    second is still waiting for the first to commit, so the first goes on alone."""
    meet = threading.Barrier(2, timeout=2)
    classify = roster.classify

    def classify_then_meet(*args, **kwargs):
        rows = classify(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()
        return rows

    monkeypatch.setattr(roster, "classify", classify_then_meet)


def at_once(*calls):
    """Run each call in a thread of its own (a request each, as two browser tabs send them)."""
    results = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_previews_applied_at_once_invite_each_person_once_and_the_second_says_so(
    course_admin, cohort, both_classify_before_either_writes
):
    tabs = [Client(raise_request_exception=False) for _ in range(2)]
    for tab in tabs:
        tab.force_login(course_admin)
    applies = [functools.partial(apply, tab, cohort, preview_key(upload(tab, cohort, FILE))) for tab in tabs]

    applied = at_once(*applies)

    assert [response.status_code for response in applied] == [302, 302]
    # The result pages are read one at a time: the test client's record of each page's
    # context is shared by every thread.
    results = [tab.get(response.url) for tab, response in zip(tabs, applied, strict=True)]
    assert sorted(response.context["result"]["invited"] for response in results) == [0, 2]
    assert sum(ALREADY_IMPORTED in response.content.decode() for response in results) == 1
    assert sorted(CohortInvitation.objects.values_list("email", flat=True)) == ["nina@example.org", "tom@example.org"]
