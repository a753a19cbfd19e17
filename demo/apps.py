from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed only so that `python manage.py seed_demo` is found; it has no models."""

    name = "demo"
    verbose_name = "Demo data"
