"""Checkpoint, submission and assessment URLs; included in reflect/urls.py under the `reflect` namespace."""

urlpatterns: list = []
