"""core_urls for /manage/; concatenated by reflect/manage/urls.py into the `reflect` namespace."""

from django.urls import path

from reflect.manage import member_views, views

urlpatterns: list = [
    path("manage/", views.home, name="manage-home"),
    path("manage/programmes/new/", views.programme_create, name="manage-programme-create"),
    path("manage/programmes/<int:pk>/edit/", views.programme_edit, name="manage-programme-edit"),
    path("manage/programmes/<int:pk>/cohorts/new/", views.cohort_create, name="manage-cohort-create"),
    path("manage/cohorts/<int:pk>/edit/", views.cohort_edit, name="manage-cohort-edit"),
    path("manage/cohorts/<int:pk>/archive/", views.cohort_archive, name="manage-cohort-archive"),
    path("manage/cohorts/<int:pk>/unarchive/", views.cohort_unarchive, name="manage-cohort-unarchive"),
    path("manage/cohorts/<int:pk>/members/", member_views.members, name="manage-members"),
    path("manage/cohorts/<int:pk>/members/add/", member_views.member_add, name="manage-member-add"),
    path("manage/cohorts/<int:pk>/members/invite/", member_views.member_invite, name="manage-member-invite"),
    path("manage/cohorts/<int:pk>/members/assign/", member_views.assign_tutors, name="manage-assign-tutors"),
    path(
        "manage/cohorts/<int:pk>/members/<int:membership_pk>/remove/",
        member_views.member_remove,
        name="manage-member-remove",
    ),
    path(
        "manage/cohorts/<int:pk>/members/<int:membership_pk>/role/",
        member_views.member_role,
        name="manage-member-role",
    ),
    path(
        "manage/cohorts/<int:pk>/members/<int:membership_pk>/move/",
        member_views.member_move,
        name="manage-member-move",
    ),
]
