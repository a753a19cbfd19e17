"""Checks a server process makes before it starts serving."""

MISSING = "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for local development."


def missing() -> str | None:
    """Why this process must not start, or None."""
    from config import crypto

    if secret_key_missing():
        return MISSING
    if crypto.keys_missing():
        return crypto.MISSING
    return None


def secret_key_missing() -> bool:
    """Without a signing key, sessions, CSRF tokens, invitation and unsubscribe links
    cannot work. (Django itself raises when an empty key is read, so ask the settings
    module's own value.)"""
    from django.conf import settings

    return not getattr(settings._wrapped, "SECRET_KEY", "") if settings.configured else True
