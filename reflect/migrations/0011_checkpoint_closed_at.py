from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reflect", "0008_allocation_audit"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkpoint",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
