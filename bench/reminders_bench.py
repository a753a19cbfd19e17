"""Benchmark: the weekly prompt for 10,000 trainees through two Celery worker
processes on Redis, against the same workers' throughput for a no-op task.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reflect_bench \\
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/reminders_bench.py

It creates the database if it is missing and migrates it, creates the trainees
in cohorts whose weekly prompt is due now, starts the workers (each `celery -A
config worker --concurrency=1`), measures 10,000 no-op tasks and then the whole
fan-out (dispatcher, send tasks, ledger rows marked sent), prints the figures and
the cost of one email, and removes what it created. See bench/README.md."""

import argparse
import contextlib
import datetime
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
TARGET_SECONDS, TARGET_RATIO = 60.0, 0.5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=10_000)
    parser.add_argument("--cohorts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes per worker (default 1)")
    parser.add_argument("--pool", default="prefork", help="worker pool (default prefork, as in production)")
    parser.add_argument("--batch", type=int, default=int(os.environ.get("OUTBOX_SEND_BATCH", "100")))
    parser.add_argument("--timeout", type=float, default=300, help="longest wait for either phase, in seconds")
    parser.add_argument("--drop-db", action="store_true", help="drop the benchmark database at the end")
    return parser.parse_args()


def check_environment() -> tuple[dict, str]:
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    database = dj_database_url.parse(url) if url else {"ENGINE": "django.db.backends.sqlite3"}
    if "postgresql" not in database["ENGINE"]:
        sys.exit(
            "This benchmark needs PostgreSQL, shared by the worker processes; SQLite is not supported.\n"
            "Set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/reflect_bench\n"
            "(a database of its own: it is created if missing, and the benchmark's rows are removed after)."
        )
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url.startswith(("redis://", "rediss://")):
        sys.exit("This benchmark needs Redis as the broker: set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/9")
    return database, redis_url


def _maintenance(database: dict):
    import psycopg

    return psycopg.connect(
        host=database["HOST"] or "localhost",
        port=database["PORT"] or 5432,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def ensure_database(database: dict) -> None:
    from psycopg import sql

    with _maintenance(database) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
            print(f"Created database {database['NAME']}.")


def drop_database(database: dict) -> None:
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    with _maintenance(database) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database["NAME"])))
    print(f"Dropped database {database['NAME']}.")


def setup_django(batch: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["DEBUG"] = "0"  # no query log piling up in memory
    os.environ["OUTBOX_SEND_BATCH"] = str(batch)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# Data ------------------------------------------------------------------------------------------------------------


def remove_bench_data() -> None:
    from accounts.models import User
    from reflect.cohorts.models import Cohort, Membership, Programme
    from reflect.outbox.models import Delivery

    users = User.objects.filter(email__startswith="bench-", email__endswith="@example.test")
    Delivery.objects.filter(user__in=users).delete()
    Membership.objects.filter(user__in=users).delete()
    users.delete()
    Cohort.objects.filter(programme__name__startswith="Bench ").delete()
    Programme.objects.filter(name__startswith="Bench ").delete()


def create_trainees(run: str, trainees: int, cohorts: int) -> None:
    """`trainees` trainees spread over `cohorts` cohorts in several time zones, each
    cohort's weekly prompt due a minute ago in its own local time."""
    from django.utils import timezone

    from accounts.models import User
    from reflect.cohorts.models import Cohort, Membership, Programme, Role
    from reflect.prompts.sync import prompts_sync
    from reflect.reminders.models import ReminderSchedule

    prompts_sync()
    programme = Programme.objects.create(name=f"Bench {run}")
    moment = timezone.now() - datetime.timedelta(minutes=1)
    made = []
    for n in range(cohorts):
        zone = ZONES[n % len(ZONES)]
        local = moment.astimezone(zoneinfo.ZoneInfo(zone))
        cohort = Cohort.objects.create(
            programme=programme,
            name=f"Bench cohort {n + 1}",
            start_date=local.date() - datetime.timedelta(days=30),
            end_date=local.date() + datetime.timedelta(days=30),
            time_zone=zone,
        )
        at = local.time().replace(second=0, microsecond=0)
        ReminderSchedule.objects.create(cohort=cohort, weekday=local.weekday(), local_time=at)
        made.append(cohort)
    User.objects.bulk_create(
        (
            User(email=f"bench-{run}-{n}@example.test", display_name=f"Trainee {n}", password="!")
            for n in range(trainees)
        ),
        batch_size=2000,
    )
    ids = User.objects.filter(email__startswith=f"bench-{run}-").order_by("pk").values_list("pk", flat=True)
    Membership.objects.bulk_create(
        (Membership(user_id=pk, cohort=made[i % cohorts], role=Role.TRAINEE) for i, pk in enumerate(ids)),
        batch_size=2000,
    )


# Workers ---------------------------------------------------------------------------------------------------------


class Workers:
    def __init__(self, args: argparse.Namespace, run: str, queue: str, mail_key: str):
        self.names = [f"bench{k + 1}-{run}@{socket.gethostname()}" for k in range(args.workers)]
        self.logs = Path(tempfile.mkdtemp(prefix="reflect-bench-"))
        env = {
            **os.environ,
            "EMAIL_BACKEND": "tests.worker.mail_backends.RedisCountingBackend",
            "REFLECT_MAIL_COUNT_KEY": mail_key,
            "LOG_LEVEL": "WARNING",
        }
        self.procs = []
        for name in self.names:
            command = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={args.pool}"]
            command += [f"--concurrency={args.concurrency}", "-Q", queue, "-I", "bench.noop_tasks", "-n", name]
            command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
            with open(self.logs / f"{name.split('@')[0]}.log", "wb") as log:
                proc = subprocess.Popen(  # noqa: S603 - our own command line
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            self.procs.append(proc)

    def wait_ready(self, timeout: float = 60) -> None:
        from config.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(proc.poll() is not None for proc in self.procs):
                sys.exit(f"A worker exited at start; see the logs in {self.logs}")
            replies = app.control.ping(destination=self.names, timeout=1.0)
            if len(replies) == len(self.names):
                return
        sys.exit(f"The workers did not answer within {timeout:.0f} s; see the logs in {self.logs}")

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_for(count, target: int, timeout: float, what: str) -> float:
    """Seconds (perf_counter) at which count() first reached target."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if count() >= target:
            return time.perf_counter()
        time.sleep(0.05)
    sys.exit(f"Timed out after {timeout:.0f} s waiting for {what}: {count()} of {target}")


# Phases ----------------------------------------------------------------------------------------------------------


def run_noop(redis, workers: Workers, queue: str, key: str, n: int, timeout: float) -> dict:
    """The workers' ceiling: n no-op tasks, published while the workers do not
    consume (so that publishing from here does not slow them), then timed from
    the moment they are told to consume until the last one has run."""
    from bench.noop_tasks import noop
    from config.celery import app

    app.control.cancel_consumer(queue, destination=workers.names, reply=True, timeout=5)
    start = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for _ in range(n):
            noop.apply_async((key,), producer=producer)
    published = time.perf_counter() - start
    start = time.perf_counter()
    app.control.add_consumer(queue, destination=workers.names, reply=True, timeout=5)
    done = wait_for(lambda: int(redis.get(key) or 0), n, timeout, "no-op tasks")
    return {"seconds": done - start, "published": published, "rate": n / (done - start)}


def run_emails(redis, key: str, n: int, timeout: float) -> dict:
    from django.conf import settings
    from django.db.models import Count

    from reflect.outbox.models import Delivery, DeliveryStatus
    from reflect.reminders.dispatch import reminders_dispatch

    sent = Delivery.objects.filter(status=DeliveryStatus.SENT)
    start = time.perf_counter()
    report = reminders_dispatch()
    dispatched = time.perf_counter() - start
    if report.created != n:
        sys.exit(f"The dispatcher planned {report.created} emails, not {n}: is another schedule due in this database?")
    done = wait_for(sent.count, n, timeout, "ledger rows marked sent")
    statuses = dict(Delivery.objects.values_list("status").annotate(n=Count("id")))
    return {
        "seconds": done - start,
        "dispatch": dispatched,
        "tasks": math.ceil(report.enqueued / settings.OUTBOX_SEND_BATCH),
        "rate": n / (done - start),
        "emails": int(redis.get(key) or 0),
        "statuses": statuses,
    }


def profile_one_email(batch: int, sample: int = 500) -> dict:
    """What one email costs in a worker: queries and time of deliveries_send in
    batches (each query committed, as in a worker), and the share of building the
    messages and of their MIME bytes. Runs in this process, on rows of the run set
    back to pending, after one batch to warm up; locmem stands in for SMTP."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from reflect.outbox.models import Delivery, DeliveryStatus
    from reflect.outbox.sending import deliveries_claim, deliveries_send
    from reflect.reminders.emails import build_message
    from reflect.reminders.lookups import Lookups

    ids = list(Delivery.objects.order_by("id").values_list("id", flat=True)[: batch + 2 * sample])
    Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.PENDING, claimed_at=None)
    warm, timed, built = ids[:batch], ids[batch : batch + sample], ids[batch + sample :]
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        deliveries_send(delivery_ids=warm)
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            for first in range(0, len(timed), batch):
                deliveries_send(delivery_ids=timed[first : first + batch])
            send = time.perf_counter() - start
    claimed = deliveries_claim(delivery_ids=built)
    start = time.perf_counter()
    lookups = Lookups(claimed)
    messages = [build_message(d, lookups) for d in claimed]
    build = time.perf_counter() - start
    start = time.perf_counter()
    for message in messages:
        message.message().as_bytes()
    mime = time.perf_counter() - start
    db_time = sum(float(q["time"]) for q in queries.captured_queries)
    return {
        "queries": len(queries) / len(timed),
        "send_ms": 1000 * send / len(timed),
        "db_ms": 1000 * db_time / len(timed),
        "build_ms": 1000 * build / len(built),
        "mime_ms": 1000 * mime / len(built),
    }


def forget_queue(redis, queue: str, keys: list[str]) -> None:
    from config.celery import app

    redis.delete(*keys)
    with contextlib.suppress(Exception), app.connection_for_write() as conn:
        bound = app.amqp.queues[queue](conn.default_channel)
        bound.declare()
        bound.delete()


def main() -> None:
    args = parse_args()
    database, redis_url = check_environment()
    ensure_database(database)
    setup_django(args.batch)

    import redis as redis_lib
    from django.core.management import call_command

    from config.celery import app

    call_command("migrate", verbosity=0)
    redis = redis_lib.Redis.from_url(redis_url)
    run = uuid.uuid4().hex[:8]
    queue = f"bench-{run}"
    noop_key, warm_key, mail_key = (f"bench:{run}:{name}" for name in ("noop", "warm", "mail"))
    app.conf.task_default_queue = queue

    remove_bench_data()  # anything left by an interrupted run
    load = os.getloadavg()
    start = time.perf_counter()
    create_trainees(run, args.trainees, args.cohorts)
    print(f"Created {args.trainees} trainees in {args.cohorts} cohorts in {time.perf_counter() - start:.1f} s.")

    workers = Workers(args, run, queue, mail_key)
    try:
        workers.wait_ready()
        run_noop(redis, workers, queue, warm_key, 20 * args.workers * args.concurrency, args.timeout)
        noop = run_noop(redis, workers, queue, noop_key, args.trainees, args.timeout)
        emails = run_emails(redis, mail_key, args.trainees, args.timeout)
        time.sleep(0.5)
        emails["emails"] = int(redis.get(mail_key) or 0)
    finally:
        workers.stop()
        forget_queue(redis, queue, [noop_key, warm_key, mail_key])
    cost = profile_one_email(args.batch)
    remove_bench_data()
    if args.drop_db:
        drop_database(database)

    ratio = emails["rate"] / noop["rate"]
    pool = f"{args.workers} x `celery worker --pool={args.pool} --concurrency={args.concurrency}`"
    print(f"\nWorkers: {pool}; OUTBOX_SEND_BATCH={args.batch}; {os.cpu_count()} CPUs")
    print(f"Load average before the run: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    print(f"No-op tasks:  {args.trainees} in {noop['seconds']:.2f} s = {noop['rate']:.0f}/s", end="")
    print(f" (from a full queue; publishing them took {noop['published']:.2f} s before)")
    print(f"Weekly prompt: {args.trainees} emails handed over in {emails['seconds']:.2f} s = {emails['rate']:.0f}/s")
    print(f"  dispatcher {emails['dispatch']:.2f} s, {emails['tasks']} send tasks; ledger {emails['statuses']}")
    print(f"  emails counted by the backend: {emails['emails']} (exactly once: {emails['emails'] == args.trainees})")
    print(f"Ratio to the no-op ceiling: {ratio:.2f}")
    print(
        f"One email in a worker: {cost['queries']:.2f} queries, "
        f"{cost['send_ms']:.2f} ms of which {cost['db_ms']:.2f} ms in the database; "
        f"building {cost['build_ms']:.2f} ms, MIME bytes {cost['mime_ms']:.2f} ms"
    )
    met = emails["seconds"] <= TARGET_SECONDS and ratio >= TARGET_RATIO
    print(f"Target (<= {TARGET_SECONDS:.0f} s and >= {TARGET_RATIO} of the ceiling): {'met' if met else 'MISSED'}")
    sys.exit(0 if met and emails["emails"] == args.trainees else 1)


if __name__ == "__main__":
    main()
