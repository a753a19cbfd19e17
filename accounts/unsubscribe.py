"""Unsubscribe links: a signed link per person and email category that works
without signing in, from the email itself or from the mail client's own button
(RFC 8058: `List-Unsubscribe` and `List-Unsubscribe-Post` headers).

Opening the link (GET) only asks "Stop these emails?": mail scanners open links
to check them, and must not switch anyone's reminders off. The button on that
page, or the mail client's one-click POST, unsubscribes.

The token names the person by their random `unsubscribe_key`, never their id,
and is signed with a timestamp so that it stops working after
UNSUBSCRIBE_LINK_MAX_AGE_DAYS. It names a person and a category, nothing else."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import EmailCategory, NotificationPreferences, User

SALT = "accounts.unsubscribe.v2"
SEPARATOR = "."  # between key and category; neither a key nor a category contains it
ONE_CLICK = ("List-Unsubscribe", "One-Click")  # the body of an RFC 8058 POST

# How each category reads inside "You won't get … emails any more".
CATEGORY_PHRASES = {
    EmailCategory.WEEKLY_PROMPT: "weekly reflective prompt",
    EmailCategory.DEADLINES: "portfolio deadline reminder",
    EmailCategory.DIGEST: "weekly tutor digest",
    EmailCategory.NOTIFICATIONS: "comment and feedback notification",
}


class UnsubscribeError(Exception):
    """The link was altered, cut short, or names someone who no longer has an account."""


class UnsubscribeExpired(UnsubscribeError):
    """The link is genuine but older than UNSUBSCRIBE_LINK_MAX_AGE_DAYS."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def _max_age() -> int:
    return settings.UNSUBSCRIBE_LINK_MAX_AGE_DAYS * 24 * 60 * 60


def unsubscribe_token(user: User, category: str) -> str:
    """A signed, timestamped token naming this user's key and an email category."""
    return _signer().sign(f"{user.unsubscribe_key}{SEPARATOR}{category}")


def unsubscribe_url(user: User, category: str) -> str:
    """The absolute unsubscribe link, for emails and their List-Unsubscribe header."""
    return settings.SITE_URL + reverse("accounts:unsubscribe", kwargs={"token": unsubscribe_token(user, category)})


def unsubscribe_read(*, token: str) -> tuple[User, str]:
    """The user and category a token names. Raises UnsubscribeExpired for a genuine
    but old link, UnsubscribeError for anything forged, mangled or stale."""
    try:
        value = _signer().unsign(token, max_age=_max_age())
    except signing.SignatureExpired as exc:
        raise UnsubscribeExpired("This unsubscribe link has expired.") from exc
    except signing.BadSignature as exc:
        raise UnsubscribeError("This unsubscribe link isn't valid.") from exc
    key, _, category = value.partition(SEPARATOR)
    if category not in EmailCategory.values or not key:
        raise UnsubscribeError("This unsubscribe link isn't valid.")
    user = User.objects.filter(unsubscribe_key=key).first()
    if user is None:
        raise UnsubscribeError("This unsubscribe link belongs to an account that no longer exists.")
    return user, category


def _set_wanted(user: User, category: str, wanted: bool) -> None:
    NotificationPreferences.objects.update_or_create(user=user, defaults={category: wanted})


def unsubscribe_apply(*, token: str) -> tuple[User, str]:
    """Turn the token's category off for its user (creating their preferences if
    needed). Safe to repeat. Raises UnsubscribeError on a bad or expired token."""
    user, category = unsubscribe_read(token=token)
    _set_wanted(user, category, False)
    return user, category


def resubscribe_apply(*, token: str) -> tuple[User, str]:
    """Undo: turn the token's category back on."""
    user, category = unsubscribe_read(token=token)
    _set_wanted(user, category, True)
    return user, category


# Views ---------------------------------------------------------------------------------------------------------


def _refused(request: HttpRequest, error: UnsubscribeError, *, plain: bool = False) -> HttpResponse:
    """A kind page (or, for a mail client, a line of text) saying what to do instead."""
    expired = isinstance(error, UnsubscribeExpired)
    status = 410 if expired else 404
    if plain:
        text = f"{error} Sign in to change your email settings.\n"
        return HttpResponse(text, status=status, content_type="text/plain")
    context = {"expired": expired, "max_age_days": settings.UNSUBSCRIBE_LINK_MAX_AGE_DAYS}
    return render(request, "account/unsubscribe_invalid.html", context, status=status)


def _context(token: str, category: str) -> dict:
    return {"token": token, "category": category, "phrase": CATEGORY_PHRASES[category]}


@login_not_required
@csrf_exempt  # Mail providers post the one-click request without a CSRF token (RFC 8058).
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: ask "Stop these emails?" and change nothing. POST from that page's
    button: unsubscribe and offer Undo. POST `List-Unsubscribe=One-Click`: the mail
    client's own button; answers with a short text."""
    one_click = request.method == "POST" and request.POST.get(ONE_CLICK[0]) == ONE_CLICK[1]
    confirmed = request.method == "POST" and "confirm" in request.POST
    if request.method == "POST" and not (one_click or confirmed):
        return HttpResponseBadRequest("Expected List-Unsubscribe=One-Click.\n", content_type="text/plain")
    try:
        if request.method == "GET":
            _user, category = unsubscribe_read(token=token)
            return render(request, "account/unsubscribe_confirm.html", _context(token, category))
        _user, category = unsubscribe_apply(token=token)
    except UnsubscribeError as error:
        return _refused(request, error, plain=one_click)
    if one_click:
        return HttpResponse(f"Unsubscribed from {CATEGORY_PHRASES[category]} emails.\n", content_type="text/plain")
    return render(request, "account/unsubscribe.html", _context(token, category))


@login_not_required
@require_POST
def resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The Undo button on the unsubscribed page."""
    try:
        _user, category = resubscribe_apply(token=token)
    except UnsubscribeError as error:
        return _refused(request, error)
    return render(request, "account/unsubscribe_undone.html", _context(token, category))
