"""Evidence moves from the journal to assessment: JournalEntry.criteria (a plain
many-to-many) becomes the Evidence model, owned by reflect.assessment, so the
journal no longer knows about rubrics. Existing ticks are copied across, and
back again if this migration is reversed."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def criteria_to_evidence(apps, schema_editor):
    JournalEntry = apps.get_model("reflect", "JournalEntry")
    Evidence = apps.get_model("reflect", "Evidence")
    ticks = JournalEntry.criteria.through.objects.values_list("journalentry_id", "criterion_id").order_by("id")
    batch = []
    for entry_id, criterion_id in ticks.iterator(chunk_size=2000):
        batch.append(Evidence(entry_id=entry_id, criterion_id=criterion_id))
        if len(batch) >= 2000:
            Evidence.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Evidence.objects.bulk_create(batch, ignore_conflicts=True)


def evidence_to_criteria(apps, schema_editor):
    JournalEntry = apps.get_model("reflect", "JournalEntry")
    Evidence = apps.get_model("reflect", "Evidence")
    Through = JournalEntry.criteria.through
    rows = Evidence.objects.values_list("entry_id", "criterion_id").order_by("id")
    Through.objects.bulk_create(
        (Through(journalentry_id=entry_id, criterion_id=criterion_id) for entry_id, criterion_id in rows.iterator()),
        batch_size=2000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reflect", "0009_notification_entry"),
    ]

    operations = [
        migrations.CreateModel(
            name="Evidence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "criterion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="evidence", to="reflect.criterion"
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="evidence", to="reflect.journalentry"
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "evidence",
                "ordering": ["id"],
                "constraints": [models.UniqueConstraint(fields=("entry", "criterion"), name="unique_evidence")],
            },
        ),
        migrations.RunPython(criteria_to_evidence, evidence_to_criteria),
        migrations.RemoveField(
            model_name="journalentry",
            name="criteria",
        ),
    ]
