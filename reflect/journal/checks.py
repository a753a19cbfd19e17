"""When the check for identifiers runs, and what a confirmation covers.

A client-work entry is checked when it becomes readable by tutors: published as
shared, shared after publishing, or submitted in a portfolio. Private entries,
drafts and other kinds are never checked. The trainee decides: they can change the
text or confirm it. A confirmation is tied to the exact text (its digest): passed
through the review form as a signed token, then kept on the entry
(`identifiers_checked`) so unchanged text is not asked about again."""

from django.core import signing

from reflect.journal.identifiers import digest, in_context, scan
from reflect.journal.models import JournalEntry, Kind

SALT = "reflect.journal.identifiers"
CONFIRM_FIELD = "identifiers_confirmed"


def checked_text(*, title: str, body: str, body_note: str = "", client_code: str = "") -> str:
    """Everything a reader of the entry sees as writing, as one text."""
    return "\n\n".join(part for part in (title, client_code, body, body_note) if part)


def entry_text(entry: JournalEntry) -> str:
    return checked_text(title=entry.title, body=entry.body, body_note=entry.body_note, client_code=entry.client_code)


def review_rows(*, kind: str, text: str, checked: str = "") -> list[dict]:
    """What to show the trainee before sharing this text: [] if nothing needs asking
    (not client work, nothing found, or this exact text was confirmed before)."""
    if kind != Kind.CLIENT_WORK or (checked and checked == digest(text)):
        return []
    return in_context(text, scan(text))


def entry_review_rows(entry: JournalEntry) -> list[dict]:
    return review_rows(kind=entry.kind, text=entry_text(entry), checked=entry.identifiers_checked)


def confirm_token(texts: dict[str, str]) -> str:
    """A signed token for these texts (key → text), to come back with "I've checked"."""
    return signing.dumps({key: digest(text) for key, text in texts.items()}, salt=SALT)


def token_confirms(token: str | None, texts: dict[str, str]) -> bool:
    """Whether `token` confirms exactly these texts. A changed text, a token for other
    texts, or a forged or garbled one confirms nothing (and so is asked about again)."""
    if not token:
        return False
    try:
        signed = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return False
    return isinstance(signed, dict) and all(signed.get(key) == digest(text) for key, text in texts.items())
