from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, PEOPLE, demo_seed


class Command(BaseCommand):
    help = "Create demo cohorts, fictional people, the prompt library and sample journal entries (idempotent)."

    def handle(self, *args, **options):
        counts = demo_seed()
        created = ", ".join(f"{key} {value}" for key, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Created: {created}."))
        self.stdout.write(f"Log in with any of these (password “{DEMO_PASSWORD}”):")
        for email, name, roles in PEOPLE:
            where = "; ".join(f"{role.label.lower()} in {cohort}" for cohort, role in roles)
            self.stdout.write(f"  {email:<22} {name:<14} {where}")
