"""roster_urls for /manage/; concatenated by reflect/manage/urls.py into the `reflect` namespace.

Roster import and invitations; the invited person's page lives at /invite/<token>/."""

from django.urls import path

from reflect.manage import invitation_views, roster_views

urlpatterns: list = [
    path("manage/cohorts/<int:pk>/import/", roster_views.roster_import, name="manage-roster-import"),
    path("manage/cohorts/<int:pk>/import/<str:key>/", roster_views.roster_preview, name="manage-roster-preview"),
    path("manage/cohorts/<int:pk>/import/<str:key>/apply/", roster_views.roster_apply, name="manage-roster-apply"),
    path("manage/cohorts/<int:pk>/import/<str:key>/result/", roster_views.roster_result, name="manage-roster-result"),
    path("manage/roster-template.csv", roster_views.roster_template, name="manage-roster-template"),
    path("manage/cohorts/<int:pk>/invitations/", invitation_views.invitation_list, name="manage-invitations"),
    path("manage/invitations/<int:pk>/resend/", invitation_views.invitation_resend, name="manage-invitation-resend"),
    path("manage/invitations/<int:pk>/revoke/", invitation_views.invitation_revoke, name="manage-invitation-revoke"),
    path("invite/<str:token>/", invitation_views.invitation_accept, name="invitation-accept"),
]
