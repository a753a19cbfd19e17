"""A random token per user for their calendar feed address, in three steps (as
0004) so that every existing user gets a token of their own."""

import secrets

import accounts.models
from django.db import migrations, models


def give_each_user_a_token(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = list(User.objects.filter(calendar_token__isnull=True).only("pk"))
    for user in users:
        user.calendar_token = secrets.token_urlsafe(24)
    User.objects.bulk_update(users, ["calendar_token"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_site_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="calendar_token",
            field=models.CharField(editable=False, max_length=40, null=True),
        ),
        migrations.RunPython(give_each_user_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="calendar_token",
            field=models.CharField(
                default=accounts.models.new_calendar_token, editable=False, max_length=40, unique=True
            ),
        ),
    ]
