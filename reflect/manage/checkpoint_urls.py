"""A cohort's checkpoints under /manage/; concatenated by reflect/manage/urls.py into the `reflect` namespace."""

from django.urls import path

from reflect.manage import checkpoint_views as views

ONE = "manage/cohorts/<int:pk>/checkpoints/<int:checkpoint_pk>/"

urlpatterns: list = [
    path("manage/cohorts/<int:pk>/checkpoints/", views.checkpoint_list, name="manage-checkpoints"),
    path("manage/cohorts/<int:pk>/checkpoints/new/", views.checkpoint_create, name="manage-checkpoint-create"),
    path(ONE, views.checkpoint_detail, name="manage-checkpoint"),
    path(f"{ONE}edit/", views.checkpoint_edit, name="manage-checkpoint-edit"),
    path(f"{ONE}close/", views.checkpoint_close, name="manage-checkpoint-close"),
    path(f"{ONE}reopen/", views.checkpoint_reopen, name="manage-checkpoint-reopen"),
    path(
        f"{ONE}submissions/<int:submission_pk>/allocate/",
        views.submission_allocate,
        name="manage-submission-allocate",
    ),
]
