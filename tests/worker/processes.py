"""Worker PROCESSES for the fault tests: `celery worker` subprocesses sharing the
test database and a broker, killed whole or one pool child at a time; plus the
clean-up a kill leaves behind (database sessions, unacknowledged messages)."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings as django_settings
from django.db import connection

from tests.worker.broker import wait_until

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds: the longest a process may take to die or appear


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it; a race is unlikely)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(name: str | None = None) -> str:
    """The URL of the database the test's connection uses (or of `name` on the
    same server), for a subprocess's DATABASE_URL."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name or db['NAME']}"


def worker_env(settings, **extra: str) -> dict[str, str]:
    """What a worker subprocess needs to share this test's database and broker.
    CONN_MAX_AGE=0 so that a cut connection is not reused by the next task."""
    return {
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


class Workers:
    """`celery -A config worker` processes on one queue, each in its own process
    group so that a kill takes its pool children too. Logs go to <folder>/<name>.log."""

    def __init__(self, queue: str, folder: Path, env: dict[str, str], *, concurrency: int = 1):
        self.queue, self.folder, self.concurrency, self.procs = queue, folder, concurrency, []
        # The test backends' switches (REFLECT_TEST_*) come only from `env`, never
        # from the shell that runs pytest.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("REFLECT_TEST_")}
        self.env = {**inherited, **env}
        # Without keys a worker refuses to start (config/startup.py).
        self.env.setdefault("FIELD_ENCRYPTION_KEYS", ",".join(django_settings.FIELD_ENCRYPTION_KEYS))

    def start(self, name: str, **extra_env: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
        command += [f"--concurrency={self.concurrency}", "-Q", self.queue, "-n", self.node(name)]
        command += ["--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.folder / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs.append(proc)
        return proc

    def node(self, name: str) -> str:
        return f"{name}-{self.queue}@{socket.gethostname()}"

    def wait_ready(self, name: str, timeout: float = WAIT) -> bool:
        """Until the worker answers a ping (on its broker, $REDIS_URL): its pool
        has started. A pool child killed before then makes celery give up
        ("Could not start worker processes") instead of replacing it."""
        from celery import Celery

        # An app of its own: the project's app publishes control messages through
        # its producer pool, on its own broker, whatever connection is passed.
        with Celery(broker=self.env["REDIS_URL"], set_as_current=False) as app:
            return wait_until(lambda: app.control.ping([self.node(name)], timeout=0.5), timeout)

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool children (its whole process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT)

    def kill_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)

    def pool_children(self, proc: subprocess.Popen, timeout: float = WAIT) -> list[int]:
        """The pids of the worker's pool processes, once it has forked them."""
        wait_until(lambda: children_of(proc.pid), timeout)
        return children_of(proc.pid)

    def kill_child(self, proc: subprocess.Popen, timeout: float = WAIT) -> int:
        """SIGKILL one pool child (the main process lives on and forks a new one);
        returns its pid. Only once the worker is ready (see wait_ready)."""
        children = self.pool_children(proc, timeout)
        assert children, f"worker {proc.pid} has no pool children\n{self.logs()}"
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.folder.glob("*.log")))


def children_of(pid: int) -> list[int]:
    """Live child processes of pid, from /proc (field 4 of /proc/<pid>/stat is the
    parent; the name in field 2 may hold spaces, so split after its ')')."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                children.append(int(stat.parent.name))
    return sorted(children)


def wait_for_other_sessions_to_end(timeout: float = 10) -> bool:
    """The killed workers' database sessions end a moment after them; the test
    database can only be emptied (and later dropped) once they have."""
    with connection.cursor() as cursor:

        def others() -> int:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

        return wait_until(lambda: others() == 0, timeout, step=0.1)


def forget_unacknowledged(redis_url: str, queue: str) -> None:
    """The killed worker's message waits in Redis' `unacked` hash until some worker
    restores it to our queue; drop it instead, and leave the broker clean."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for tag, value in client.hgetall("unacked").items():
        with contextlib.suppress(ValueError, IndexError, TypeError):
            if json.loads(value)[2] == queue:
                client.pipeline().hdel("unacked", tag).zrem("unacked_index", tag).execute()
