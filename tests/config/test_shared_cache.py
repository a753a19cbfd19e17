"""Without REDIS_URL the cache lives in the database, so every process of a site
(gunicorn workers, Celery, a restarted server) counts login failures together."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WRONG = {"login": "alice@example.test", "password": "not-the-password"}


def manage(tmp_path, *args: str) -> str:
    """Run manage.py in a process of its own, configured as a site without Redis."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DEBUG"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECRET_KEY="test-only-secret-key",
        CELERY_BROKER_DIR=str(tmp_path / "celery"),
    )
    result = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return (result.stdout.strip().splitlines() or [""])[-1]


def test_it_shares_the_cache_between_processes_without_redis(tmp_path):
    manage(tmp_path, "migrate", "--noinput", "-v", "0")
    backend = "from django.core.cache import caches; print(type(caches['default']).__name__)"
    write = "from django.core.cache import cache; cache.set('failed-logins', 4, 300); print('ok')"
    read = "from django.core.cache import cache; print(cache.get('failed-logins'))"

    assert manage(tmp_path, "shell", "-c", backend) == "DatabaseCache"
    assert manage(tmp_path, "shell", "-c", write) == "ok"
    assert manage(tmp_path, "shell", "-c", read) == "4"  # another process, as a second worker would be


def test_it_creates_the_cache_table_by_migration(db):
    assert django_settings.CACHE_TABLE in connection.introspection.table_names()


@pytest.fixture
def database_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": settings.CACHE_TABLE}
    }
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,3/300s/key"}


def test_it_locks_out_logins_through_the_database_cache(database_cache, trainee, client):
    for _ in range(3):
        client.post("/accounts/login/", WRONG)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(django_settings.CACHE_TABLE)}")  # noqa: S608
        assert cursor.fetchone()[0] > 0

    response = client.post("/accounts/login/", {**WRONG, "password": "a-long-test-password-42"})

    assert response.status_code != 302
    assert "Too many failed login attempts" in response.content.decode()
