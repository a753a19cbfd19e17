from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Reflect operations"
admin.site.site_title = "Reflect operations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("reflect.urls")),
]
