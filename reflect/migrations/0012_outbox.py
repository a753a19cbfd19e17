"""One delivery ledger for every email (reflect.outbox): the reminder ledger
becomes `Delivery`, with room for people without an account (invitations),
a cohort for course admins' counts, retries that wait, and expiry; and `Lease`,
the dispatcher's lock. Existing rows keep their history."""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reflect", "0011_checkpoint_closed_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="reminderdelivery", name="one_delivery_per_period"),
        migrations.RenameModel(old_name="ReminderDelivery", new_name="Delivery"),
        migrations.RenameField(model_name="delivery", old_name="category", new_name="kind"),
        migrations.AlterModelOptions(name="delivery", options={"verbose_name_plural": "deliveries"}),
        migrations.AlterField(
            model_name="delivery",
            name="kind",
            field=models.CharField(
                choices=[
                    ("weekly_prompt", "Weekly reflective prompt"),
                    ("deadlines", "Portfolio deadline reminder"),
                    ("digest", "Weekly tutor digest"),
                    ("notifications", "Comments and released feedback"),
                    ("invitation", "Cohort invitation"),
                    ("cohort_added", "Added to a cohort"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting to send"),
                    ("sending", "Being sent"),
                    ("sent", "Sent"),
                    ("skipped", "Not needed"),
                    ("failed", "Refused by the mail server"),
                    ("expired", "Too late to send"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(model_name="delivery", name="to", field=models.EmailField(blank=True, max_length=254)),
        migrations.AddField(
            model_name="delivery",
            name="cohort",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="reflect.cohort",
            ),
        ),
        migrations.AddField(model_name="delivery", name="next_attempt_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.AddField(model_name="delivery", name="expires_at", field=models.DateTimeField(blank=True, null=True)),
        migrations.RenameIndex(
            model_name="delivery", new_name="reflect_del_status_ff52fc_idx", old_name="reflect_rem_status_4c676b_idx"
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(fields=("user", "kind", "period"), name="one_delivery_per_period"),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=models.Q(user__isnull=True), fields=("to", "kind", "period"), name="one_delivery_per_address"
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(to=""), name="delivery_has_recipient"
            ),
        ),
        migrations.AddIndex(
            model_name="delivery", index=models.Index(fields=["cohort", "status"], name="reflect_del_cohort__7cfdf6_idx")
        ),
        migrations.CreateModel(
            name="Lease",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=60, unique=True)),
                ("holder", models.CharField(blank=True, max_length=32)),
                ("until", models.DateTimeField(default=datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.UTC))),
            ],
        ),
    ]
