"""How long a sign-in lasts, and whether it needs a second factor before anything
else: decided by who the person is, so it lives with the access policy. Tutors and
admins read many trainees' writing, so their sessions end sooner and they must use
two-factor authentication; trainees are offered it.

What is decided at sign-in is kept in the session (`note_sign_in`), so that checking
it on every request costs no query; the last-seen time is written at most once a
minute for the same reason."""

import time

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from reflect.access.people import roles_anywhere

STAFF = "reflect_staff"
SIGNED_IN_AT = "reflect_signed_in_at"
SEEN_AT = "reflect_seen_at"
SECOND_FACTOR = "reflect_second_factor"
ENDED = "reflect_session_ended"  # why the last session ended: "idle" or "lifetime"
SEEN_RESOLUTION = 60  # seconds


def is_staff(user) -> bool:
    """Reads or runs more than their own writing: a tutor, course or programme admin, site staff."""
    roles = roles_anywhere(user)
    return bool(user.is_staff or user.is_superuser or roles["is_tutor"] or roles["manages"])


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    kinds = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    return Authenticator.objects.filter(user=user, type__in=kinds).exists()


def idle_minutes(staff: bool) -> int:
    return settings.SESSION_IDLE_MINUTES_STAFF if staff else settings.SESSION_IDLE_MINUTES


def note_sign_in(sender, request, user, **kwargs) -> None:
    """user_logged_in: what this session's limits are."""
    staff = is_staff(user)
    now = int(time.time())
    request.session[STAFF] = staff
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    # Someone with an authenticator has just used it: allauth asks for it at sign-in.
    request.session[SECOND_FACTOR] = (not staff) or has_second_factor(user)
    request.session.pop(ENDED, None)


def _ended(request: HttpRequest, why: str, limit: int) -> None:
    auth.logout(request)
    request.session[ENDED] = {"why": why, "limit": limit}  # for the sign-in page's word on it


def _needs_second_factor(request: HttpRequest) -> bool:
    if not settings.MFA_REQUIRED_FOR_STAFF or request.session.get(SECOND_FACTOR, True):
        return False
    # Setting it up, signing out and the account pages that show no one's writing stay open.
    if request.path.startswith(settings.SECOND_FACTOR_OPEN_PATHS):
        return False
    if has_second_factor(request.user):  # set up since signing in
        request.session[SECOND_FACTOR] = True
        return False
    return True


class SessionLimitsMiddleware:
    """Ends a session after SESSION_IDLE_MINUTES(_STAFF) without a request, or
    SESSION_MAX_HOURS after sign-in, and keeps staff without a second factor on its
    set-up page. An ended session continues as signed out, so pages go to sign-in
    (which says why) and the editor and drafts keep the text in the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        response = self.get_response(request)
        if request.method == "POST" and request.path == reverse("account_logout") and response.status_code == 302:
            # Signing out on purpose leaves nothing behind on a shared computer: the
            # browser drops the editor's and drafts' copies and any cached page. (A
            # session that timed out keeps them: they hold what was typed meanwhile.)
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

    def _check(self, request: HttpRequest, user) -> HttpResponse | None:
        session = request.session
        now = int(time.time())
        if SIGNED_IN_AT not in session:  # signed in before these limits existed
            note_sign_in(None, request, user)
        if now - session[SIGNED_IN_AT] > settings.SESSION_MAX_HOURS * 3600:
            _ended(request, "lifetime", settings.SESSION_MAX_HOURS)
            return None
        limit = idle_minutes(session.get(STAFF, True))
        if now - session.get(SEEN_AT, now) > limit * 60:
            _ended(request, "idle", limit)
            return None
        if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
        if _needs_second_factor(request):
            return _to_second_factor(request)
        return None


def _to_second_factor(request: HttpRequest) -> HttpResponse:
    if request.headers.get("Accept", "").startswith("application/json") or request.method != "GET":
        return JsonResponse({"message": "Set up two-factor authentication first."}, status=403)
    messages.warning(
        request,
        "Because you can read trainees' writing, Reflect asks you to set up two-factor authentication "
        "before anything else. It takes a minute with an authenticator app on your phone.",
        fail_silently=True,
    )
    return redirect(reverse("mfa_activate_totp"))
