"""report_urls for /manage/; concatenated by reflect/manage/urls.py into the `reflect` namespace."""

urlpatterns: list = []
