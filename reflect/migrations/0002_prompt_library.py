from django.db import migrations


def add_prompts(apps, schema_editor):
    from reflect.prompts.sync import prompts_sync

    prompts_sync(apps.get_model("reflect", "Prompt"))


def remove_prompts(apps, schema_editor):
    from reflect.prompts.library import PROMPTS

    Prompt = apps.get_model("reflect", "Prompt")
    Prompt.objects.filter(text__in=[text for _, text in PROMPTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reflect", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_prompts, remove_prompts),
    ]
