from django.urls import path

from reflect import views
from reflect.assessment import rubric_urls
from reflect.assessment import urls as assessment_urls
from reflect.cohorts import views as cohort_views
from reflect.feedback import urls as feedback_urls
from reflect.journal import views as journal_views
from reflect.manage import urls as manage_urls
from reflect.reminders import urls as reminder_urls

app_name = "reflect"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("journal/", journal_views.entry_list, name="entry-list"),
    path("journal/new/", journal_views.entry_new, name="entry-new"),
    path("journal/autosave/", journal_views.entry_autosave, name="entry-autosave"),
    path("journal/preview/", journal_views.entry_preview, name="entry-preview"),
    path("journal/trash/", journal_views.trash, name="trash"),
    path("journal/trash/<int:pk>/restore/", journal_views.entry_restore, name="entry-restore"),
    path("journal/<int:pk>/", journal_views.entry_detail, name="entry-detail"),
    path("journal/<int:pk>/edit/", journal_views.entry_edit, name="entry-edit"),
    path("journal/<int:pk>/visibility/", journal_views.entry_visibility, name="entry-visibility"),
    path("journal/<int:pk>/delete/", journal_views.entry_delete, name="entry-delete"),
    path("journal/<int:pk>/history/", journal_views.entry_history, name="entry-history"),
    path(
        "journal/<int:pk>/history/<int:revision_pk>/restore/",
        journal_views.revision_restore,
        name="revision-restore",
    ),
    path("cohorts/<int:pk>/", cohort_views.cohort_detail, name="cohort-detail"),
]

urlpatterns += (
    feedback_urls.urlpatterns
    + rubric_urls.urlpatterns
    + assessment_urls.urlpatterns
    + reminder_urls.urlpatterns
    + manage_urls.urlpatterns
)
