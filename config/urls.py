from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

admin.site.site_header = "Reflect operations"
admin.site.site_title = "Reflect operations"


@login_not_required
@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico on every site whatever the page links; send them to
    the static file (its name carries a hash in production, so it is looked up per
    request, not at import)."""
    return redirect(static("favicon.ico"))


# A request too big to read becomes a message the editor can show (see reflect.journal.editor).
handler400 = "reflect.journal.editor.bad_request"

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("reflect.urls")),
]
