"""The secret in a person's calendar feed address (the feed itself is built in
reflect.pages.calendar). Resetting gives a new secret at once, so the old
address stops working: for when a link was shared by mistake or a device lost."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import User, new_calendar_token


def calendar_token_reset(*, user: User) -> str:
    """Give this person a new calendar token; the old one names nobody from now on."""
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


@require_http_methods(["GET", "POST"])
def calendar_reset(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation and changes nothing; POST resets."""
    if request.method == "GET":
        return render(request, "account/calendar_reset_confirm.html")
    calendar_token_reset(user=request.user)
    messages.success(
        request,
        "Your calendar link has been reset: the old one no longer works. Add the new link below to your calendar app.",
    )
    return redirect(reverse("accounts:preferences") + "#calendar")
