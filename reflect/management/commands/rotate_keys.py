import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from config import crypto
from reflect.encryption import ENCRYPTED, reencrypt_all, reencrypt_second_factors


class Command(BaseCommand):
    help = (
        "Re-encrypt everything people wrote (and two-factor secrets) with the first key of "
        "FIELD_ENCRYPTION_KEYS, in batches. Interrupted, it carries on where it stopped next time; "
        "run again when done, it does the same work again and changes nothing readable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="rows per transaction (default 500)")
        parser.add_argument(
            "--state",
            default=str(Path(settings.BASE_DIR) / "var" / "rotate_keys.json"),
            help="where progress is kept between runs (default var/rotate_keys.json)",
        )

    def handle(self, *args, batch: int, state: str, **options):
        try:
            crypto.fernet()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        state_file = Path(state)
        after = json.loads(state_file.read_text()) if state_file.exists() else {}
        if after:
            self.stdout.write(f"Carrying on from the last run ({state_file}).")
        totals = {label: apps.get_model(label).objects.count() for label in ENCRYPTED}
        done = dict.fromkeys(ENCRYPTED, 0)
        try:
            for label, last in reencrypt_all(apps, after=after, batch=batch):
                after[label] = last
                state_file.parent.mkdir(parents=True, exist_ok=True)
                state_file.write_text(json.dumps(after))
                model = apps.get_model(label)
                done[label] = model.objects.filter(pk__lte=last).count()
                self.stdout.write(f"{label}: {done[label]:,} of {totals[label]:,}")
            factors = reencrypt_second_factors(apps)
        except crypto.CannotDecrypt as error:
            raise CommandError(f"{error} Stopped; what was done is kept, and a new run carries on.") from None
        except KeyboardInterrupt:
            raise CommandError("Interrupted. Run the command again to carry on where it stopped.") from None
        state_file.unlink(missing_ok=True)
        rows = sum(totals.values())
        self.stdout.write(
            self.style.SUCCESS(f"Done: {rows:,} rows and {factors:,} two-factor secrets use the first key now.")
        )
