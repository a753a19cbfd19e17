from django.urls import path

from accounts import calendar, email_status, preferences, unsubscribe, views

app_name = "accounts"

urlpatterns = [
    path("invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("preferences/email-try-again/", email_status.email_try_again, name="email-try-again"),
    path("preferences/calendar/reset/", calendar.calendar_reset, name="calendar-reset"),
    path("unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/undo/", unsubscribe.resubscribe, name="resubscribe"),
]
