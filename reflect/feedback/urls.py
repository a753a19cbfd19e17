"""Comment and notification URLs; included in reflect/urls.py under the `reflect` namespace."""

from django.urls import path

from reflect.feedback import views

urlpatterns: list = [
    path("journal/<int:entry_id>/comments/", views.comment_create, name="comment-create"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/post/", views.comment_post, name="comment-post"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
]
