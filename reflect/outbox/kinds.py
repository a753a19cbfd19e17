"""What each kind of delivery needs from the capability that owns it.

The outbox sits low in the layers, so it cannot import reminders or manage; they
register their kinds here when Django starts (reflect.apps), and the sender asks
the registry how to build each row's email and what to do when it is done."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage


def _no_context(rows: list) -> None:
    return None


def _nothing(delivery, status: str, error: str) -> None:
    return None


@dataclass(frozen=True)
class Kind:
    # The email for a claimed row as the world is now, or None: nothing to send any more.
    build: Callable[[Any, Any], EmailMessage | None]
    # What the rows of one batch share (fetched once per batch), passed to build.
    context: Callable[[list], Any] = _no_context
    # Runs in the same transaction as the row's mark: sent, skipped, failed,
    # expired, or pending again after a refusal for now.
    on_outcome: Callable[[Any, str, str], None] = _nothing


_KINDS: dict[str, Kind] = {}


def register(name: str, kind: Kind) -> None:
    _KINDS[name] = kind


def kind_of(name: str) -> Kind:
    return _KINDS[name]
