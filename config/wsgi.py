import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from config.startup import missing  # noqa: E402 - needs the settings loaded above

if why := missing():
    raise ImproperlyConfigured(why)
