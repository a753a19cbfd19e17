from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reflect", "0010_evidence"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkpoint",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
