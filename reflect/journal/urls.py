"""Journal URLs; included by reflect/urls.py into the `reflect` namespace (no app_name
here, so names stay `reflect:entry-list` and the like). The entry page and the
editor, which show evidence and comments too, are in reflect/pages/urls.py."""

from django.urls import path

from reflect.journal import editor, views

urlpatterns: list = [
    path("journal/", views.entry_list, name="entry-list"),
    path("journal/preview/", editor.entry_preview, name="entry-preview"),
    path("journal/trash/", views.trash, name="trash"),
    path("journal/trash/<int:pk>/restore/", views.entry_restore, name="entry-restore"),
    path("journal/<int:pk>/visibility/", views.entry_visibility, name="entry-visibility"),
    path("journal/<int:pk>/delete/", views.entry_delete, name="entry-delete"),
    path("journal/<int:pk>/history/", views.entry_history, name="entry-history"),
    path("journal/<int:pk>/history/<int:revision_pk>/restore/", views.revision_restore, name="revision-restore"),
]
