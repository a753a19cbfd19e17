"""Notifications carry the entry they are about, and their summaries no longer
name it: the existing comment and reply notices are linked to their entry (from
their link) and their summaries rewritten without the entry's title."""

import re

import django.db.models.deletion
from django.db import migrations, models

ENTRY_LINK = re.compile(r"^/journal/(\d+)/")
BATCH = 500


def _name(user) -> str:
    if user is None:
        return "Someone"
    return user.display_name or user.email


def link_and_neutralise(apps, schema_editor):
    Notification = apps.get_model("reflect", "Notification")
    JournalEntry = apps.get_model("reflect", "JournalEntry")
    notices = Notification.objects.filter(kind__in=["comment", "reply"]).select_related("actor")
    gone = []
    changed = []
    for notice in notices.iterator(chunk_size=BATCH):
        match = ENTRY_LINK.match(notice.url)
        author_id = (
            JournalEntry.objects.filter(pk=int(match.group(1))).values_list("author_id", flat=True).first()
            if match
            else None
        )
        if author_id is None:
            gone.append(notice.pk)  # about an entry deleted for good: nothing left to open
            continue
        notice.entry_id = int(match.group(1))
        actor = _name(notice.actor)
        if notice.kind == "comment":
            notice.summary = f"{actor} commented on one of your entries."
        elif notice.user_id == author_id:
            notice.summary = f"{actor} replied in a conversation on one of your entries."
        else:
            notice.summary = f"{actor} replied to your comment."
        changed.append(notice)
        if len(changed) >= BATCH:
            Notification.objects.bulk_update(changed, ["entry", "summary"])
            changed = []
    if changed:
        Notification.objects.bulk_update(changed, ["entry", "summary"])
    Notification.objects.filter(pk__in=gone).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('reflect', '0008_allocation_audit'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='reflect.journalentry'),
        ),
        migrations.RunPython(link_and_neutralise, migrations.RunPython.noop),
    ]
