"""A person's private calendar feed, at an address with a secret in it
(`User.calendar_token`; copied and reset on the Email settings page).

Calendar apps can't sign in, so the address alone opens the feed; an unknown or
reset token answers 404 like anything else not found. Never cached, so that a
reset stops the old address at once."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.models import User
from reflect.pages.calendar_events import feed_calendar


@login_not_required
@never_cache
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = get_object_or_404(User, calendar_token=token, is_active=True)

    def link(name: str, **kwargs) -> str:
        return request.build_absolute_uri(reverse(name, kwargs=kwargs))

    body = feed_calendar(user=user, link=link).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reflect.ics"'
    response["X-Robots-Tag"] = "noindex"  # in case the address is ever posted somewhere public
    return response
