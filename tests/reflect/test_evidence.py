"""Evidence for rubric criteria: ticked in the entry editor, shown on the entry page,
owned by assessment (the Evidence model), and copied from the old many-to-many."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reflect.assessment.evidence import criteria_evidenced, evidence_set
from reflect.journal.models import JournalEntry
from tests.reflect.assessment_factories import make_checkpoint, make_rubric
from tests.reflect.test_journal_editor import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(cohort):
    return list(make_checkpoint(cohort, make_rubric(cohort.programme, criteria=3)).rubric.criteria.all())


def test_ticked_criteria_are_saved_as_evidence_and_shown_on_the_entry_page(trainee, cohort, criteria, client_for):
    client = client_for(trainee)
    assert "Evidence for competencies" in client.get("/journal/new/").content.decode()
    client.post("/journal/new/", {**form_data(cohort), "criteria": [criteria[0].pk, criteria[2].pk]})
    entry = JournalEntry.objects.get()
    assert criteria_evidenced(entry) == [criteria[0], criteria[2]]
    page = client.get(f"/journal/{entry.pk}/").content.decode()
    assert "Evidence for: " in page and "Relational practice: Criterion 3" in page


def test_the_editor_shows_the_ticks_already_saved(trainee, cohort, criteria, client_for):
    client = client_for(trainee)
    client.post("/journal/new/", {**form_data(cohort), "criteria": [criteria[1].pk]})
    entry = JournalEntry.objects.get()
    form = client.get(f"/journal/{entry.pk}/edit/").context["form"]
    assert form.initial["criteria"] == [criteria[1].pk]


def test_a_draft_of_a_published_entry_keeps_new_ticks_aside_until_republished(trainee, cohort, criteria, client_for):
    client = client_for(trainee)
    client.post("/journal/new/", {**form_data(cohort), "criteria": [criteria[0].pk]})
    entry = JournalEntry.objects.get()
    client.post(f"/journal/{entry.pk}/edit/", {**form_data(cohort, action="draft"), "criteria": [criteria[1].pk]})
    assert criteria_evidenced(entry) == [criteria[0]]
    assert client.get(f"/journal/{entry.pk}/edit/").context["form"].initial["criteria"] == [criteria[1].pk]
    client.post(f"/journal/{entry.pk}/edit/", {**form_data(cohort), "criteria": [criteria[1].pk]})
    assert criteria_evidenced(entry) == [criteria[1]]


def test_evidence_set_makes_the_ticks_exactly_those_given(trainee, cohort, criteria, make_entry):
    entry = make_entry(trainee, cohort)
    evidence_set(entry=entry, criteria=criteria[:2])
    evidence_set(entry=entry, criteria=criteria[1:])
    assert criteria_evidenced(entry) == criteria[1:]


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_every_tick_into_evidence(trainee, cohort, criteria, make_entry):
    """Ticks made before 0010 (JournalEntry.criteria) become Evidence rows, and back again."""
    entry = make_entry(trainee, cohort)
    before, after = [("reflect", "0008_allocation_audit")], [("reflect", "0010_evidence")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("reflect", "JournalEntry")
        old.objects.get(pk=entry.pk).criteria.set([criteria[0].pk, criteria[2].pk])
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps.get_model("reflect", "Evidence")
        assert set(new.objects.values_list("entry_id", "criterion_id")) == {
            (entry.pk, criteria[0].pk),
            (entry.pk, criteria[2].pk),
        }
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("reflect", "JournalEntry")
        assert set(old.objects.get(pk=entry.pk).criteria.values_list("pk", flat=True)) == {
            criteria[0].pk,
            criteria[2].pk,
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
