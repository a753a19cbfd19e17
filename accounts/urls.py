from django.urls import path

from accounts import preferences, unsubscribe, views

app_name = "accounts"

urlpatterns = [
    path("invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/undo/", unsubscribe.resubscribe, name="resubscribe"),
]
