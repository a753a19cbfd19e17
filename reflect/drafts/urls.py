from django.urls import path

from reflect.drafts.views import drafts

urlpatterns = [
    path("drafts/", drafts, name="drafts"),
]
