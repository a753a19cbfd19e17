"""A random key per user for unsubscribe links, in three steps so that every
existing user gets a key of their own (a callable default given to AddField
would be evaluated once and shared by all rows)."""

import secrets

import accounts.models
from django.db import migrations, models


def give_each_user_a_key(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = list(User.objects.filter(unsubscribe_key__isnull=True).only("pk"))
    for user in users:
        user.unsubscribe_key = secrets.token_urlsafe(18)
    User.objects.bulk_update(users, ["unsubscribe_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="unsubscribe_key",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(give_each_user_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="unsubscribe_key",
            field=models.CharField(
                default=accounts.models.new_unsubscribe_key, editable=False, max_length=32, unique=True
            ),
        ),
    ]
