"""The one endpoint static/js/drafts.js talks to. It answers JSON, also when the
person has been signed out (401, not a redirect to the sign-in page), so the page can
say so and keep the text in the browser until they are back."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods

from reflect.drafts import services
from reflect.drafts.keys import key_from

MAX_TOKENS = 60


def _signed_out() -> JsonResponse:
    return JsonResponse(
        {"saved": False, "signed_out": True, "message": "you have been signed out. Sign in again in another tab."},
        status=401,
    )


# Not the sign-in redirect of LoginRequiredMiddleware: a 401 the page can explain.
@login_not_required
@require_http_methods(["GET", "POST"])
def drafts(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return _signed_out()
    if request.method == "GET":
        return _read(request)
    key = key_from(request.POST.get("_draft", ""), request.user.pk)
    if key is None:
        raise Http404
    if request.POST.get("_discard"):
        services.discard(request.user.pk, key)
        return JsonResponse({"discarded": True})
    try:
        values = services.values_from(request.POST)
    except services.DraftTooLong as error:
        return JsonResponse({"saved": False, "message": str(error)}, status=413)
    draft = services.save(request.user.pk, key, values, request.POST.get("_draft_nonce", "")[:40])
    if draft is None:
        return JsonResponse({"saved": True, "saved_label": "Sent"})
    saved_at = timezone.localtime(draft.saved_at)
    return JsonResponse({"saved": True, "saved_label": f"Kept safe at {date_format(saved_at, 'H:i')}"})


def _read(request: HttpRequest) -> JsonResponse:
    tokens = request.GET.getlist("t")[:MAX_TOKENS]
    keys = {token: key_from(token, request.user.pk) for token in tokens}
    if not tokens or None in keys.values():
        raise Http404
    found = services.load(request.user.pk, list(keys.values()))
    answer = {}
    for token, key in keys.items():
        draft = found.get(key)
        if draft is None:
            answer[token] = {"values": {}, "sent_nonce": ""}
            continue
        saved = timezone.localtime(draft.saved_at) if draft.saved_at else None
        answer[token] = {
            "values": draft.values,
            "saved_label": date_format(saved, "j M, H:i") if saved else "",
            "sent_nonce": draft.sent_nonce,
        }
    return JsonResponse({"drafts": answer})
