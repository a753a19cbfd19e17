"""An address the mail server refused for good (5xx) is marked on the person
(`User.email_failed_at`, `email_failure`: the server's answer), and Reflect
stops emailing it. The mark is cleared by the person, by changing or
re-confirming their address or by asking to try again, and by a course admin
of one of their cohorts (reflect.reminders.schedule_views)."""

from allauth.account.signals import email_changed, email_confirmed
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.models import User


def email_mark_clear(user: User) -> bool:
    """True if there was a mark to clear."""
    cleared = User.objects.filter(pk=user.pk, email_failed_at__isnull=False).update(
        email_failed_at=None, email_failure=""
    )
    user.email_failed_at, user.email_failure = None, ""
    return bool(cleared)


@require_POST
def email_try_again(request: HttpRequest) -> HttpResponse:
    if email_mark_clear(request.user):
        messages.success(
            request,
            f"Thank you. Reflect will email {request.user.email} again; if the mail server refuses it "
            "once more, you will see this note again.",
        )
    return redirect("accounts:preferences")


def _address_confirmed(request, email_address, **kwargs) -> None:
    email_mark_clear(email_address.user)


def _address_changed(request, user, from_email_address, to_email_address, **kwargs) -> None:
    email_mark_clear(user)


def connect_signals() -> None:
    email_confirmed.connect(_address_confirmed, dispatch_uid="accounts.email_status.confirmed")
    email_changed.connect(_address_changed, dispatch_uid="accounts.email_status.changed")
