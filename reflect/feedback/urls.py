"""Comment and notification URLs; included in reflect/urls.py under the `reflect` namespace."""

urlpatterns: list = []
