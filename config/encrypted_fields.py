"""Model fields whose values are encrypted at rest (config/crypto.py).

The database holds a Fernet token; the program sees the text. A token differs each
time the same text is saved, so the database cannot compare or search them: every
lookup but `isnull` raises, rather than silently matching nothing. Search decrypts
in the program (reflect/journal/search.py). An empty value is stored empty, so
"has this been written" stays visible to the database, its content not."""

import json

from django.core.exceptions import FieldError
from django.db import models

from config import crypto

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80)
ALLOWED_LOOKUPS = {"isnull"}


def _seal(text: str) -> str:
    return crypto.encrypt(text) if text else text


def _open(stored):
    if not stored or not stored.startswith(FERNET_PREFIX):
        return stored  # empty, or written before encryption (re-encrypted by rotate_keys)
    return crypto.decrypt(stored)


class _Encrypted:
    def get_lookup(self, lookup_name):
        if lookup_name not in ALLOWED_LOOKUPS:
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted at rest; the database can't compare it "
                f"(`{lookup_name}`). Compare in Python after reading."
            )
        return super().get_lookup(lookup_name)

    def get_internal_type(self) -> str:
        return "TextField"  # a token is longer than the text it holds


class EncryptedTextField(_Encrypted, models.TextField):
    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else _seal(str(value))

    def from_db_value(self, value, expression, connection):
        return _open(value)


class EncryptedCharField(_Encrypted, models.CharField):
    """A CharField in forms and validation (max_length counts the text), text in the database."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else _seal(str(value))

    def from_db_value(self, value, expression, connection):
        return _open(value)


class EncryptedJSONField(_Encrypted, models.TextField):
    """JSON (a dict or list), encrypted whole."""

    def get_prep_value(self, value):
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(_open(value) or "null")

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value or "null")
        return value

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
