"""Reflect settings: one module, everything a deployment may change comes from
the environment. Defaults give a working site with nothing installed (SQLite,
a file-system Celery broker); production secrets have no default.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# No default outside DEBUG. Left empty, Django refuses anything that signs
# (sessions, CSRF, links), and config.require_secret_key() stops the web server,
# the worker and beat at start-up; commands that sign nothing (check, migrate,
# makemigrations, collectstatic) still run, so a build step needs no secret.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

# Writing is encrypted at rest with these (config/crypto.py). No default outside
# DEBUG: the web server, the worker and beat refuse to start without them.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "")
if not FIELD_ENCRYPTION_KEYS and DEBUG:
    from config.crypto import development_key

    FIELD_ENCRYPTION_KEYS = [development_key(BASE_DIR / "var" / "field-encryption.key")]

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "csp",
    "accounts",
    "reflect",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view is private unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Idle and absolute session limits; staff set up a second factor first (reflect/access/sessions.py).
    "reflect.access.sessions.SessionLimitsMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.PrivateResponseMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reflect.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: email is the login, verification is mandatory, sign-up is
# by invitation unless OPEN_SIGNUP is set.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# allauth's emails go through the outbox (reflect/outbox/account_mail.py).
ACCOUNT_ADAPTER = "reflect.outbox.account_mail.OutboxAccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Reflect] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
OPEN_SIGNUP = env_bool("OPEN_SIGNUP", False)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP secrets are encrypted with FIELD_ENCRYPTION_KEYS (accounts/mfa.py).
MFA_ADAPTER = "accounts.mfa.EncryptingMFAAdapter"
# Tutors and admins read many trainees' writing: they set up two-factor
# authentication before any other page (reflect/access/sessions.py).
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)
# Changing someone's role asks for the admin's password again (allauth's reauthentication).
REAUTH_FOR_ROLE_CHANGES = env_bool("REAUTH_FOR_ROLE_CHANGES", True)
MFA_TOTP_ISSUER = "Reflect"
SECOND_FACTOR_OPEN_PATHS = ("/accounts/", "/static/", "/favicon.ico", "/drafts/")
# A session ends after this long without a request (staff sooner: they read more
# people's writing), and in any case this long after signing in.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
SESSION_IDLE_MINUTES_STAFF = int(os.environ.get("SESSION_IDLE_MINUTES_STAFF", "30"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache holds login-failure counts (the lockout) and one-shot claims, so it
# must be one for the whole site: every gunicorn worker, the Celery workers, and
# across restarts. Redis when REDIS_URL is set; otherwise a table in the database
# (created by migration accounts.0003, so `migrate` is all it needs).
CACHE_TABLE = "reflect_cache"


def caches_for(redis_url: str) -> dict:
    """CACHES for a site with Redis at `redis_url`, or without Redis if it is empty."""
    database = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        # Django culls a third of the table when it is full; room enough that
        # a burst of failed logins for many addresses can't cull live lockouts.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "100000"))},
    }
    if not redis_url:
        return {"default": database}
    # While Redis is down the database cache stands in, so sign-in and roster
    # imports keep working (config/cache.py). The timeouts (seconds) bound how long
    # a request waits for a Redis that doesn't answer; a healthy one takes milliseconds.
    redis = {
        "BACKEND": "config.cache.RedisWithDatabaseFallback",
        "LOCATION": redis_url,
        "OPTIONS": {"FALLBACK": "database", "socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
    return {"default": redis, "database": database}


CACHES = caches_for(REDIS_URL)

# Celery: Redis when REDIS_URL is set, otherwise kombu's file-system transport
# so that `make run` needs no server.
CELERY_BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", BASE_DIR / "var" / "celery"))
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task not acknowledged within this time is handed to another worker;
    # every task time limit below stays well under it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
    for _sub in ("out", "processed"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
REMINDER_DISPATCH_SECONDS = int(os.environ.get("REMINDER_DISPATCH_SECONDS", "300"))
CELERY_BEAT_SCHEDULE = {
    "purge-trash-daily": {
        "task": "reflect.journal.tasks.purge_trash",
        "schedule": 24 * 60 * 60,
    },
    "dispatch-reminders": {
        "task": "reflect.reminders.tasks.dispatch_reminders",
        "schedule": REMINDER_DISPATCH_SECONDS,
    },
    "purge-old-drafts-daily": {
        "task": "reflect.drafts.tasks.purge_old_drafts",
        "schedule": 24 * 60 * 60,
    },
    "sweep-outbox": {
        "task": "reflect.outbox.tasks.sweep_outbox",
        "schedule": int(os.environ.get("OUTBOX_SWEEP_SECONDS", "60")),
    },
}

# Form drafts (reflect/drafts): as long as a journal entry may be; a draft left
# untouched this long was abandoned, and is deleted.
DRAFT_MAX_CHARS = int(os.environ.get("DRAFT_MAX_CHARS", "120000"))
DRAFT_KEEP_DAYS = int(os.environ.get("DRAFT_KEEP_DAYS", "90"))

# The outbox (reflect/outbox): a claim older than the lease is taken over (its
# worker died); the lease is longer than a send task may run, and both are far
# below the broker's visibility timeout, so no message is redelivered while its
# task still runs. A task marks a sent email through a database outage of up to
# OUTBOX_MARK_RETRY_SECONDS, which stays inside its time limit.
OUTBOX_TASK_SOFT_TIME_LIMIT = int(os.environ.get("OUTBOX_TASK_SOFT_TIME_LIMIT", "240"))
OUTBOX_TASK_TIME_LIMIT = int(os.environ.get("OUTBOX_TASK_TIME_LIMIT", "300"))
OUTBOX_CLAIM_LEASE_SECONDS = int(os.environ.get("OUTBOX_CLAIM_LEASE_SECONDS", "600"))
OUTBOX_MARK_RETRY_SECONDS = int(os.environ.get("OUTBOX_MARK_RETRY_SECONDS", "120"))
OUTBOX_SEND_BATCH = int(os.environ.get("OUTBOX_SEND_BATCH", "100"))
# A row refused for now is due again after this, doubling per attempt, up to the cap.
OUTBOX_RETRY_SECONDS = float(os.environ.get("OUTBOX_RETRY_SECONDS", "60"))
OUTBOX_MAX_BACKOFF = float(os.environ.get("OUTBOX_MAX_BACKOFF", "1800"))
OUTBOX_SWEEP_SECONDS = int(os.environ.get("OUTBOX_SWEEP_SECONDS", "60"))
# The dispatcher's lock: a run still going (or dead less than this ago) makes the next one skip.
REMINDER_DISPATCH_LEASE_SECONDS = int(os.environ.get("REMINDER_DISPATCH_LEASE_SECONDS", "600"))

# Email: console in development, SMTP otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that stops answering must not hold a send task until its time limit.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "emails"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Reflect <noreply@reflect.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Production hardening, relaxed only when DEBUG is on.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
# Only once every subdomain serves HTTPS; preload also needs a submission to hstspreload.org.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp): scripts, styles, fonts and requests from
# our own origin only (WhiteNoise serves the static files), nothing inline, so an
# injected <script> or style attribute in journal text does nothing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
# Browser features no page of Reflect uses (accounts.middleware.PrivateResponseMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), screen-wake-lock=(), "
    "usb=(), xr-spatial-tracking=()"
)

# Unsubscribe links in emails stop working this many days after the email was made.
UNSUBSCRIBE_LINK_MAX_AGE_DAYS = int(os.environ.get("UNSUBSCRIBE_LINK_MAX_AGE_DAYS", "90"))

# Journal rules.
TRASH_RETENTION_DAYS = int(os.environ.get("TRASH_RETENTION_DAYS", "30"))
AUTOSAVE_INTERVAL_SECONDS = int(os.environ.get("AUTOSAVE_INTERVAL_SECONDS", "10"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
