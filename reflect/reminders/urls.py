"""The course admin's reminder schedule page; included in reflect/urls.py under the `reflect` namespace."""

from django.urls import path

from reflect.reminders import schedule_views

urlpatterns: list = [
    path("cohorts/<int:pk>/schedule/", schedule_views.cohort_schedule, name="cohort-schedule"),
    path(
        "cohorts/<int:pk>/schedule/email-try-again/<int:user_pk>/",
        schedule_views.cohort_email_try_again,
        name="cohort-email-try-again",
    ),
]
