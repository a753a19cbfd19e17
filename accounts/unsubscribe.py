"""One-click unsubscribe: a signed link per person and email category that works
without signing in, from the email itself or from the mail client's own button
(RFC 8058: `List-Unsubscribe` and `List-Unsubscribe-Post` headers).

The token is signed with SECRET_KEY and a salt of its own and never expires: an
old email's link should still work. It names a user and a category, nothing else."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import EmailCategory, NotificationPreferences, User

SALT = "accounts.unsubscribe"

# How each category reads inside "You won't get … emails any more".
CATEGORY_PHRASES = {
    EmailCategory.WEEKLY_PROMPT: "weekly reflective prompt",
    EmailCategory.DEADLINES: "portfolio deadline reminder",
    EmailCategory.DIGEST: "weekly tutor digest",
    EmailCategory.NOTIFICATIONS: "comment and feedback notification",
}


class UnsubscribeError(Exception):
    """The link was altered, cut short, or names someone who no longer has an account."""


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def unsubscribe_token(user: User, category: str) -> str:
    """A signed, non-expiring token naming this user and email category."""
    return _signer().sign_object({"u": user.pk, "c": str(category)})


def unsubscribe_url(user: User, category: str) -> str:
    """The absolute one-click unsubscribe link, for emails and their List-Unsubscribe header."""
    return settings.SITE_URL + reverse("accounts:unsubscribe", kwargs={"token": unsubscribe_token(user, category)})


def unsubscribe_read(*, token: str) -> tuple[User, str]:
    """The user and category a token names. Raises UnsubscribeError for anything forged or stale."""
    try:
        data = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise UnsubscribeError("This unsubscribe link isn't valid.") from exc
    category = data.get("c") if isinstance(data, dict) else None
    if category not in EmailCategory.values:
        raise UnsubscribeError("This unsubscribe link isn't valid.")
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None:
        raise UnsubscribeError("This unsubscribe link belongs to an account that no longer exists.")
    return user, category


def _set_wanted(user: User, category: str, wanted: bool) -> None:
    NotificationPreferences.objects.update_or_create(user=user, defaults={category: wanted})


def unsubscribe_apply(*, token: str) -> tuple[User, str]:
    """Turn the token's category off for its user (creating their preferences if
    needed). Safe to repeat. Raises UnsubscribeError on a bad token."""
    user, category = unsubscribe_read(token=token)
    _set_wanted(user, category, False)
    return user, category


def resubscribe_apply(*, token: str) -> tuple[User, str]:
    """Undo: turn the token's category back on."""
    user, category = unsubscribe_read(token=token)
    _set_wanted(user, category, True)
    return user, category


# Views ---------------------------------------------------------------------------------------------------------


def _invalid(request: HttpRequest, *, plain: bool = False) -> HttpResponse:
    if plain:
        return HttpResponse("This unsubscribe link isn't valid.\n", status=404, content_type="text/plain")
    return render(request, "account/unsubscribe_invalid.html", status=404)


def _context(token: str, category: str) -> dict:
    return {"token": token, "category": category, "phrase": CATEGORY_PHRASES[category]}


@login_not_required
@csrf_exempt  # Mail providers post the one-click request without a CSRF token (RFC 8058).
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: unsubscribe at once and offer Undo. POST `List-Unsubscribe=One-Click`:
    the mail client's own unsubscribe button; answers with a short text."""
    one_click = request.method == "POST"
    if one_click and request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponseBadRequest("Expected List-Unsubscribe=One-Click.\n", content_type="text/plain")
    try:
        _user, category = unsubscribe_apply(token=token)
    except UnsubscribeError:
        return _invalid(request, plain=one_click)
    if one_click:
        return HttpResponse(f"Unsubscribed from {CATEGORY_PHRASES[category]} emails.\n", content_type="text/plain")
    return render(request, "account/unsubscribe.html", _context(token, category))


@login_not_required
@require_POST
def resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The Undo button on the unsubscribe page."""
    try:
        _user, category = resubscribe_apply(token=token)
    except UnsubscribeError:
        return _invalid(request)
    return render(request, "account/unsubscribe_undone.html", _context(token, category))
