"""Without SECRET_KEY (and without DEBUG): build commands run, servers refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MISSING = "SECRET_KEY is not set"


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "REDIS_URL"}}
    env["CELERY_BROKER_DIR"] = str(ROOT / "var" / "celery-startup-test")
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("command", [["check"], ["makemigrations", "--check", "--dry-run"]])
def test_build_commands_need_no_secret_key(command):
    result = run("manage.py", *command)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_web_server_refuses_to_start_without_a_secret_key():
    result = run("-c", "import config.wsgi")
    assert result.returncode != 0 and MISSING in result.stderr


@pytest.mark.parametrize("program", ["worker", "beat"])
def test_celery_refuses_to_start_without_a_secret_key(program, tmp_path):
    # beat with its file scheduler: the database one would need a migrated database first
    beat = ["-S", "celery.beat:PersistentScheduler", "--schedule", str(tmp_path / "schedule")]
    extra = ["--pool=solo"] if program == "worker" else beat
    result = run("-m", "celery", "-A", "config", program, *extra)
    assert result.returncode != 0 and MISSING in result.stdout + result.stderr


def test_servers_refuse_to_start_without_encryption_keys():
    env = {k: v for k, v in os.environ.items() if k not in {"FIELD_ENCRYPTION_KEYS", "DEBUG", "REDIS_URL"}}
    env["SECRET_KEY"] = "a-secret-key-for-this-test-only"
    result = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEYS is not set" in result.stderr
