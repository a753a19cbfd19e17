"""Encryption of what people write, at rest, with FIELD_ENCRYPTION_KEYS: Fernet keys,
comma-separated; the first encrypts and every one decrypts, so a new key can be put
first and the old ones kept until everything is re-encrypted.

Here rather than in reflect or accounts because both use it (journal text, the
TOTP secrets allauth keeps for accounts)."""

import functools
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING = (
    "FIELD_ENCRYPTION_KEYS is not set. Set it to one or more Fernet keys (comma-separated; "
    'make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"), '
    "or set DEBUG=1 for local development, which keeps a key in var/."
)


class CannotDecrypt(ValueError):
    """A stored value none of the configured keys opens: a key was removed too soon."""


def development_key(path: Path) -> str:
    """The key `make run` uses: made once, kept in var/ (never in git)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key: {error}") from None


def fernet() -> MultiFernet:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise ImproperlyConfigured(MISSING)
    return _fernet(keys)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CannotDecrypt(
            "A stored value can't be decrypted with FIELD_ENCRYPTION_KEYS: keep every old key in the "
            "list until `python manage.py rotate_keys` has finished."
        ) from None


def reencrypt(token: str) -> str:
    """The same value under the first key (a no-op if it already is)."""
    return fernet().rotate(token.encode()).decode()


def keys_missing() -> bool:
    return settings.configured and not getattr(settings._wrapped, "FIELD_ENCRYPTION_KEYS", None)
