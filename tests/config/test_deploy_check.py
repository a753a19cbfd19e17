"""`manage.py check --deploy` has nothing to warn about with production settings.

Run in a subprocess so that config/settings.py is read afresh from a production
environment (DEBUG off, a long random SECRET_KEY, HTTPS, secure cookies, HSTS),
not from the test settings.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it for their own process (tests/e2e/conftest.py).
DROPPED = {
    "DEBUG",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def deploy_check(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in DROPPED and not k.startswith("SECURE_HSTS")}
    environ |= {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "reflect.example",
        "CELERY_BROKER_DIR": str(ROOT / "var" / "celery-deploy-check"),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deploy_check():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_without_subdomains_is_a_warning():
    # The check can fail: turning off one of the new switches makes it warn.
    result = deploy_check(SECURE_HSTS_INCLUDE_SUBDOMAINS="0")
    assert result.returncode != 0 and "security.W005" in result.stderr
