"""Which fields hold people's writing, encrypted at rest (config/encrypted_fields.py),
and re-encrypting them: after the migration that introduced encryption, and when
keys are rotated (`python manage.py rotate_keys`)."""

from collections.abc import Callable, Iterator

from django.db import transaction

from config import crypto

# model label → its encrypted fields. A test checks this against the models, so a new
# encrypted field cannot be missed by rotate_keys.
ENCRYPTED = {
    "reflect.JournalEntry": ("title", "body", "sections", "client_code", "body_note", "pending"),
    "reflect.EntryRevision": ("title", "body", "sections"),
    "reflect.Submission": ("summary",),
    "reflect.SubmittedEntry": ("title", "body"),
    "reflect.Assessment": ("overall_feedback", "trainee_reply"),
    "reflect.Score": ("comment",),
    "reflect.Comment": ("body",),
    "reflect.Notification": ("summary",),
    "reflect.FormDraft": ("values",),
}
BATCH = 500


def reencrypt_all(
    apps, *, after: dict[str, int] | None = None, batch: int = BATCH, report: Callable | None = None
) -> Iterator[tuple[str, int]]:
    """Rewrite every encrypted value under the first key, model by model in primary-key
    order and in batches of one transaction each, yielding (model, last pk done) after
    each batch so that an interrupted run can resume `after` it. Reading decrypts (or
    takes a value written before encryption as it is); writing encrypts with the first key."""
    after = after or {}
    for label, fields in ENCRYPTED.items():
        model = apps.get_model(label)
        last = after.get(label, 0)
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", *fields)[:batch]
                )
                for pk, *values in rows:
                    model.objects.filter(pk=pk).update(**dict(zip(fields, values, strict=True)))
            if not rows:
                break
            last = rows[-1][0]
            yield label, last


def keys_present() -> bool:
    try:
        crypto.fernet()
    except Exception:  # noqa: BLE001 - ImproperlyConfigured: no keys
        return False
    return True


def reencrypt_second_factors(apps) -> int:
    """allauth keeps TOTP secrets and the recovery-code seed encrypted through its MFA
    adapter (accounts/mfa.py): rewrite them under the first key too."""
    from allauth.mfa.adapter import get_adapter

    adapter = get_adapter()
    count = 0
    for authenticator in apps.get_model("mfa.Authenticator").objects.all():
        data = dict(authenticator.data)
        changed = False
        for key in ("secret", "seed"):
            if isinstance(data.get(key), str):
                data[key] = adapter.encrypt(adapter.decrypt(data[key]))
                changed = True
        if changed:
            type(authenticator).objects.filter(pk=authenticator.pk).update(data=data)
            count += 1
    return count


def decrypt_all(apps, *, batch: int = BATCH) -> None:
    """Undo encryption (migrating back before it): write every value as plain text, JSON
    as its text, so that the columns can become what they were."""
    import json

    from django.db.models import TextField, Value

    for label, fields in ENCRYPTED.items():
        model = apps.get_model(label)
        json_fields = {f.name for f in model._meta.get_fields() if type(f).__name__ == "EncryptedJSONField"}
        last = 0
        while True:
            with transaction.atomic():
                rows = list(model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:batch])
                for pk, *values in rows:
                    plain = {
                        name: Value(
                            None if value is None else json.dumps(value) if name in json_fields else value,
                            output_field=TextField(),
                        )
                        for name, value in zip(fields, values, strict=True)
                    }
                    model.objects.filter(pk=pk).update(**plain)
            if not rows:
                break
            last = rows[-1][0]
