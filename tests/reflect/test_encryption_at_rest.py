"""Writing is encrypted at rest: the raw database holds none of it (issue 12)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from config.encrypted_fields import EncryptedCharField, EncryptedJSONField, EncryptedTextField
from reflect.assessment import services as assessment_services
from reflect.drafts import services as drafts
from reflect.encryption import ENCRYPTED
from reflect.feedback import services as feedback_services
from reflect.journal import services as journal_services
from reflect.journal.models import JournalEntry
from tests.conftest import entry_data
from tests.reflect.assessment_factories import make_checkpoint, make_submission, mark

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

SECRET = "qzSecretWords"


def write_everything(trainee, tutor, cohort) -> JournalEntry:
    data = entry_data(
        title=f"{SECRET} title",
        body=f"{SECRET} body",
        visibility="shared",
        kind="client_work",
        client_code="QZC1",
        body_note=f"{SECRET} note",
    )
    entry = journal_services.entry_publish(author=trainee, cohort=cohort, data=data)
    data = {**data, "body": f"{SECRET} second body", "sections": {"description": f"{SECRET} s"}}
    entry = journal_services.entry_publish(author=trainee, cohort=cohort, entry=entry, data=data)  # a revision
    journal_services.entry_save_draft(
        author=trainee, cohort=cohort, entry=entry, data={**data, "body": f"{SECRET} pending"}
    )
    feedback_services.comment_create(entry=entry, author=tutor, body=f"{SECRET} comment")
    submission = make_submission(make_checkpoint(cohort), trainee, entries=[entry], summary=f"{SECRET} summary")
    assessment = mark(submission, tutor, feedback=f"{SECRET} feedback")
    criterion = assessment.rubric.criteria.first()
    assessment_services.assessment_save(
        assessment=assessment,
        by=tutor,
        levels={},
        comments={criterion.pk: f"{SECRET} criterion"},
        overall_feedback=f"{SECRET} feedback",
        outcome="pass",
        complete=False,
    )
    drafts.save(tutor.pk, "comment:1", {"body": [f"{SECRET} draft"]})
    return entry


def raw_database_text() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_raw_database_holds_no_writing(trainee, tutor, cohort):
    entry = write_everything(trainee, tutor, cohort)
    raw = raw_database_text()
    assert SECRET not in raw
    assert "QZC1" not in raw
    # ...and the program reads it all back.
    entry.refresh_from_db()
    assert entry.title == f"{SECRET} title" and entry.client_code == "QZC1"
    assert entry.pending and f"{SECRET} pending" in repr(entry.pending)
    assert [c.body for c in entry.comments.all()] == [f"{SECRET} comment"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs the SQLite check from the PostgreSQL run")
def test_the_raw_sqlite_database_holds_no_writing_too(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run(  # noqa: S603 - our own test run
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"{__file__}::test_the_raw_database_holds_no_writing",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-3000:]


def test_every_encrypted_field_is_listed_for_rotation():
    kinds = (EncryptedCharField, EncryptedJSONField, EncryptedTextField)
    found = {
        model._meta.label: tuple(f.name for f in model._meta.get_fields() if isinstance(f, kinds))
        for model in apps.get_models()
    }
    found = {label: fields for label, fields in found.items() if fields}
    assert {k: set(v) for k, v in found.items()} == {k: set(v) for k, v in ENCRYPTED.items()}


def test_the_database_cannot_be_asked_to_compare_encrypted_text():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="encrypted at rest"):
        list(JournalEntry.objects.filter(body__icontains="x"))


def test_search_still_finds_words_in_titles_and_text(trainee, cohort, client_for, make_entry):
    make_entry(trainee, cohort, title="Rupture and repair", body="The client went quiet.")
    make_entry(trainee, cohort, title="Endings", body="We talked about the BREAK in August.")
    page = client_for(trainee).get("/journal/", {"q": "break"}).content.decode()
    assert "Endings" in page and "Rupture and repair" not in page
    page = client_for(trainee).get("/journal/", {"q": "rupture"}).content.decode()
    assert "Rupture and repair" in page and "Endings" not in page


# --- rotating keys ----------------------------------------------------------------------------


def test_rotate_keys_moves_everything_to_the_new_key(trainee, tutor, cohort, settings, tmp_path):
    entry = write_everything(trainee, tutor, cohort)
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    call_command("rotate_keys", batch=1, state=str(tmp_path / "state.json"), stdout=open(os.devnull, "w"))
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the old key is gone
    entry.refresh_from_db()
    assert entry.body == f"{SECRET} second body"
    assert [r.body for r in entry.revisions.all()] == [f"{SECRET} body"]
    assert SECRET not in raw_database_text()


def test_rotate_keys_carries_on_after_an_interruption_and_is_safe_twice(trainee, tutor, cohort, tmp_path, capsys):
    write_everything(trainee, tutor, cohort)
    state = tmp_path / "state.json"
    first = JournalEntry.objects.order_by("pk").first()
    state.write_text(f'{{"reflect.JournalEntry": {first.pk}}}')  # as left by a run stopped after one batch
    call_command("rotate_keys", state=str(state))
    out = capsys.readouterr().out
    assert "Carrying on from the last run" in out and "Done:" in out
    assert not state.exists()
    call_command("rotate_keys", state=str(state))  # again: same result
    assert JournalEntry.objects.get(pk=first.pk).title == f"{SECRET} title"


def test_rotate_keys_without_the_old_key_stops_with_a_clear_message(trainee, tutor, cohort, settings, tmp_path):
    write_everything(trainee, tutor, cohort)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key that wrote them is missing
    with pytest.raises(CommandError, match="keep every old key"):
        call_command("rotate_keys", state=str(tmp_path / "state.json"))


@pytest.mark.django_db(transaction=True)  # ALTER TABLE can't follow rows written in the same transaction
def test_rows_written_before_encryption_are_encrypted_by_the_migration_and_back(trainee, cohort, make_entry):
    from django.db.migrations.executor import MigrationExecutor

    entry = make_entry(trainee, cohort, title=f"{SECRET} old title", body=f"{SECRET} old body")
    before, after = [("reflect", "0015_form_draft")], [("reflect", "0016_encrypt_writing")]
    try:
        MigrationExecutor(connection).migrate(before)  # decrypted, columns as they were
        with connection.cursor() as cursor:
            cursor.execute("SELECT title FROM reflect_journalentry WHERE id = %s", [entry.pk])
            assert cursor.fetchone()[0] == f"{SECRET} old title"
        MigrationExecutor(connection).migrate(after)  # encrypted again
        assert SECRET not in raw_database_text()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    entry.refresh_from_db()
    assert (entry.title, entry.body, entry.sections) == (f"{SECRET} old title", f"{SECRET} old body", {})
