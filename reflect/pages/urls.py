"""Pages that span capabilities; included by reflect/urls.py into the `reflect` namespace
(no app_name here, so names stay `reflect:entry-detail` and the like)."""

from django.urls import path

from reflect.pages import calendar, cohort_dashboard, entry, home

urlpatterns: list = [
    path("", home.dashboard, name="dashboard"),
    path("journal/new/", entry.entry_new, name="entry-new"),
    path("journal/autosave/", entry.entry_autosave, name="entry-autosave"),
    path("journal/<int:pk>/", entry.entry_detail, name="entry-detail"),
    path("journal/<int:pk>/edit/", entry.entry_edit, name="entry-edit"),
    path("cohorts/<int:pk>/", cohort_dashboard.cohort_detail, name="cohort-detail"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]
