from django.core.management.base import BaseCommand

from reflect.reminders.dispatch import reminders_dispatch


class Command(BaseCommand):
    help = "Work out who is due for which reminder now and enqueue the emails (--dry-run only prints)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print who would get what; send nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        report = reminders_dispatch(dry_run=dry_run)
        if dry_run:
            self._print_plan(report.planned)
            return
        if report.skipped:
            self.stdout.write("Another dispatcher run is in progress, so this one did nothing; try again in a minute.")
            return
        self.stdout.write(f"{report.created} new deliveries recorded; {report.enqueued} enqueued for sending.")

    def _print_plan(self, planned) -> None:
        from accounts.models import User

        if not planned:
            self.stdout.write("Nobody is due for a reminder right now.")
            return
        emails = dict(User.objects.filter(pk__in={d.user_id for d in planned}).values_list("pk", "email"))
        for d in sorted(planned, key=lambda d: (d.kind, emails.get(d.user_id, ""))):
            self.stdout.write(f"{d.kind:<14} {d.period:<28} {emails.get(d.user_id, d.user_id)}")
        self.stdout.write(f"{len(planned)} would be due (some may already have been sent this period).")
