"""Checkpoint, submission, assessment and rubric URLs; included by reflect/urls.py into
the `reflect` namespace (no app_name here, so names stay `reflect:checkpoint-list`...)."""

from django.urls import path

from reflect.assessment import marking_views, moderation_views, rubric_urls, views

urlpatterns: list = [
    path("checkpoints/", views.checkpoint_list, name="checkpoint-list"),
    path("checkpoints/<int:pk>/", views.checkpoint_detail, name="checkpoint-detail"),
    path("checkpoints/<int:pk>/submit/", views.checkpoint_submit, name="checkpoint-submit"),
    path("checkpoints/<int:pk>/start/", views.submission_start, name="submission-start"),
    path("submissions/<int:pk>/", marking_views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/withdraw/", views.submission_withdraw, name="submission-withdraw"),
    path("submissions/<int:pk>/assess/", marking_views.submission_assess, name="submission-assess"),
    path("submissions/<int:pk>/moderate/", moderation_views.submission_moderate, name="submission-moderate"),
    path("submissions/<int:pk>/allocate/", marking_views.submission_allocate, name="submission-allocate"),
    path("submissions/<int:pk>/feedback/", views.submission_feedback, name="submission-feedback"),
    path("assessments/<int:pk>/", marking_views.assessment_edit, name="assessment-edit"),
    path("assessments/<int:pk>/release/", marking_views.assessment_release, name="assessment-release"),
] + rubric_urls.urlpatterns
