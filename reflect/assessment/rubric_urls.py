"""Rubric builder URLs; included in reflect/urls.py under the `reflect` namespace."""

from django.urls import path

from reflect.assessment import rubric_views as views

urlpatterns = [
    path("rubrics/", views.rubric_list, name="rubric-list"),
    path("rubrics/new/", views.rubric_create, name="rubric-create"),
    path("rubrics/import/", views.rubric_import, name="rubric-import"),
    path("rubrics/<int:pk>/", views.rubric_detail, name="rubric-detail"),
    path("rubrics/<int:pk>/edit/", views.rubric_edit, name="rubric-edit"),
    path("rubrics/<int:pk>/export/", views.rubric_export, name="rubric-export"),
    path("rubrics/<int:pk>/new-version/", views.rubric_new_version, name="rubric-new-version"),
    path("rubrics/<int:pk>/criteria/add/", views.criterion_add, name="rubric-criterion-add"),
    path("rubrics/<int:pk>/criteria/<int:criterion_pk>/", views.criterion_edit, name="rubric-criterion-edit"),
    path("rubrics/<int:pk>/criteria/<int:criterion_pk>/move/", views.criterion_move, name="rubric-criterion-move"),
    path(
        "rubrics/<int:pk>/criteria/<int:criterion_pk>/remove/", views.criterion_remove, name="rubric-criterion-remove"
    ),
    path("rubrics/<int:pk>/criteria/<int:criterion_pk>/levels/add/", views.level_add, name="rubric-level-add"),
    path("rubrics/<int:pk>/levels/<int:level_pk>/", views.level_edit, name="rubric-level-edit"),
    path("rubrics/<int:pk>/levels/<int:level_pk>/move/", views.level_move, name="rubric-level-move"),
    path("rubrics/<int:pk>/levels/<int:level_pk>/remove/", views.level_remove, name="rubric-level-remove"),
]
