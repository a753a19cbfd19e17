"""Outages for the fault tests: a private Redis that can die and come back on the
same port, and the test database refusing connections for a while."""

import contextlib
import shutil
import signal
import subprocess
from pathlib import Path

import psycopg
from django.db import connection
from psycopg import sql

from tests.worker.broker import wait_until
from tests.worker.processes import WAIT, database_url, free_port


class PrivateRedis:
    """`redis-server` on 127.0.0.1 and a free port, without persistence: a kill
    loses every key (the broker's queues and unacked hash included), as a Redis
    without AOF loses what it had not yet saved."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder, self.port = folder, port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        with open(self.folder / f"redis-{self.port}.log", "ab") as log:
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        assert wait_until(self.is_up, WAIT), self.log()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; connections drop at once."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=WAIT)
            self.proc = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def is_up(self) -> bool:
        import redis

        with contextlib.suppress(redis.RedisError), redis.Redis.from_url(self.url, socket_timeout=1) as client:
            return bool(client.ping())
        return False

    def log(self) -> str:
        return (self.folder / f"redis-{self.port}.log").read_text()[-3000:]


def _other_backends(cursor, database: str, spared: set[int]) -> list[int]:
    # Inside a transaction pg_stat_activity is a snapshot taken at its first read:
    # clear it, or the ended sessions would seem to live on.
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])
    return [pid for (pid,) in cursor.fetchall() if pid not in spared]


def _terminate(cursor, database: str, spared: set[int]) -> int:
    """pg_terminate_backend returns before the backend has gone: wait until it has."""
    pids = _other_backends(cursor, database, spared)
    for pid in pids:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert wait_until(lambda: not _other_backends(cursor, database, spared), WAIT)
    return len(pids)


def _own_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate_other_backends() -> int:
    """End every other session on the test database (the workers' ones, say), as a
    database restart or a network cut would; returns how many there were."""
    own = _own_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        return _terminate(cursor, cursor.fetchone()[0], {own})


@contextlib.contextmanager
def database_unavailable():
    """While inside, the test database refuses new connections and every session
    but the test's own has been ended. The switch is made from a connection to
    the server's `postgres` database in autocommit, so that it takes effect even
    when the test itself runs inside a transaction; it is undone on the way out."""
    if connection.vendor != "postgresql":
        raise RuntimeError("database_unavailable needs PostgreSQL")
    database, own = connection.settings_dict["NAME"], _own_pid()  # opens ours while we still can
    name = sql.Identifier(database)
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin, admin.cursor() as cursor:
        cursor.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(name))
        try:
            _terminate(cursor, database, {own})
            yield
        finally:
            cursor.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(name))
