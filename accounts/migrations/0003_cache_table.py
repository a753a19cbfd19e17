"""The database cache's table (settings.CACHE_TABLE), so that a site without
Redis shares one cache between all its processes with nothing but `migrate`.

Created whatever CACHES says today: a site that drops REDIS_URL later finds the
table there. The name is spelled out because a migration must not change when
settings do."""

from django.core.management import call_command
from django.db import migrations

TABLE = "reflect_cache"


def create_cache_table(apps, schema_editor):
    # createcachetable with a table name creates that table (if missing) on this database.
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    if TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_reminders"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
