"""Keeping, reading and emptying form drafts (see models.FormDraft). Pages opt in by
carrying `{% draft_attrs %}` on the form (reflect/templatetags/drafts.py) and
static/js/drafts.js does the rest; a view whose form was sent calls `sent(request)`."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from reflect.drafts.keys import key_from
from reflect.drafts.models import FormDraft

# Fields of the request that are the mechanism's own, not what was typed.
OWN_FIELDS = frozenset({"csrfmiddlewaretoken", "_draft", "_draft_nonce", "_discard", "action"})
MAX_FIELDS = 200


class DraftTooLong(ValueError):
    pass


def values_from(post) -> dict[str, list[str]]:
    values = {name: items for name, items in post.lists() if name not in OWN_FIELDS}
    if len(values) > MAX_FIELDS or sum(len(v) for items in values.values() for v in items) > settings.DRAFT_MAX_CHARS:
        raise DraftTooLong(
            f"This is too long to keep as a draft (more than {settings.DRAFT_MAX_CHARS:,} characters). "
            "It is still in the page; please shorten it."
        )
    return values


def save(user_id: int, key: str, values: dict[str, list[str]], nonce: str = "") -> FormDraft | None:
    """Keep `values` as the draft, unless they come from a page whose form was already
    sent carrying `nonce` (a save that was on its way when the form was sent): keeping
    those would offer the sent text again. None then."""
    if nonce and FormDraft.objects.filter(user_id=user_id, key=key, sent_nonce=nonce).exists():
        return None
    draft, _ = FormDraft.objects.update_or_create(
        user_id=user_id, key=key, defaults={"values": values, "saved_at": timezone.now()}
    )
    return draft


def discard(user_id: int, key: str) -> None:
    FormDraft.objects.filter(user_id=user_id, key=key).update(values={}, saved_at=None)


def load(user_id: int, keys: list[str]) -> dict[str, FormDraft]:
    return {d.key: d for d in FormDraft.objects.filter(user_id=user_id, key__in=keys)}


def sent(request: HttpRequest) -> None:
    """The form this request carries was sent and applied: its draft is done with.
    Call it only once the view has kept what was sent (not when it re-shows errors)."""
    if not request.user.is_authenticated:
        return
    key = key_from(request.POST.get("_draft", ""), request.user.pk)
    if key is None:
        return
    nonce = request.POST.get("_draft_nonce", "")[:40]
    FormDraft.objects.update_or_create(
        user_id=request.user.pk,
        key=key,
        defaults={"values": {}, "saved_at": None, "sent_nonce": nonce, "sent_at": timezone.now()},
    )


def purge_old() -> int:
    """Drafts nobody has touched for DRAFT_KEEP_DAYS: what was typed and then left for good."""
    cutoff = timezone.now() - timedelta(days=settings.DRAFT_KEEP_DAYS)
    deleted, _ = FormDraft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted
