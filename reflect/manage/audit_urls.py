"""audit_urls for /manage/; concatenated by reflect/manage/urls.py into the `reflect` namespace."""

from django.urls import path

from reflect.manage import audit_views

urlpatterns: list = [
    path("manage/cohorts/<int:pk>/audit/", audit_views.audit_log, name="manage-audit-log"),
    path("manage/cohorts/<int:pk>/audit.csv", audit_views.audit_log_csv, name="manage-audit-log-csv"),
]
