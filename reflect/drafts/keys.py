"""A draft's key as its page carries it: signed for one person, so a page can only
ever read and write that person's own drafts, and keys cannot be made up."""

from django.core import signing

SALT = "reflect.drafts"


def token_for(user_id: int, key: str) -> str:
    # Signer, not dumps(): no timestamp, so one form has one token, which the browser's
    # own copy is filed under.
    return signing.Signer(salt=SALT).sign_object([user_id, key])


def key_from(token: str, user_id: int) -> str | None:
    """The key `token` names if it was signed for `user_id`; None otherwise."""
    try:
        owner, key = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return key if owner == user_id and isinstance(key, str) else None
