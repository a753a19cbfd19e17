"""Publishes that arrive at the same moment: every text is kept (PostgreSQL only,
because SQLite has no row locks and serialises writers anyway)."""

import threading

import pytest
from django.db import connection

from reflect.journal import services
from reflect.journal.models import JournalEntry
from tests.conftest import entry_data

N = 12


@pytest.mark.django_db(transaction=True)
def test_parallel_publishes_keep_every_text_as_final_or_revision(trainee, cohort, make_entry):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    entry = make_entry(trainee, cohort)
    start = threading.Barrier(N)
    errors = []

    def publish(i: int) -> None:
        from django.db import connections

        try:
            mine = JournalEntry.objects.get(pk=entry.pk)
            start.wait()
            services.entry_publish(author=trainee, cohort=cohort, entry=mine, data=entry_data(body=f"text {i}"))
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entry.refresh_from_db()
    kept = {entry.body, *entry.revisions.values_list("body", flat=True)}
    assert {f"text {i}" for i in range(N)} <= kept
    assert entry.revisions.count() == N
