"""report_urls for /manage/; concatenated by reflect/manage/urls.py into the `reflect` namespace."""

from django.urls import path

from reflect.manage import report_views

urlpatterns: list = [
    path("manage/cohorts/<int:pk>/report/", report_views.report, name="manage-report"),
    path("manage/cohorts/<int:pk>/report.csv", report_views.report_csv, name="manage-report-csv"),
]
