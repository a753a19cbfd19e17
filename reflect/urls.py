"""Every page of the domain, under the `reflect` namespace. Each capability keeps its
own urls.py; their modules set no app_name, so the names they give join this
namespace unchanged (`reflect:entry-detail`, `reflect:manage-home`)."""

from django.urls import include, path

app_name = "reflect"

urlpatterns = [
    path("", include("reflect.pages.urls")),
    path("", include("reflect.journal.urls")),
    path("", include("reflect.feedback.urls")),
    path("", include("reflect.assessment.urls")),
    path("", include("reflect.reminders.urls")),
    path("", include("reflect.manage.urls")),
    path("", include("reflect.drafts.urls")),
]
