"""What the outbox fault tests share: the workers' short timings, "beat" driven
from the test, and the count of emails per recipient at the SMTP server that
every test asserts and records (printed as a table at the end of the run)."""

import datetime
import email
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.utils import timezone

from reflect.outbox.models import Delivery, DeliveryStatus
from reflect.outbox.sweep import outbox_sweep
from reflect.prompts.sync import prompts_sync
from reflect.reminders.models import ReminderSchedule
from tests.reminders.factories import many_trainees
from tests.worker.processes import worker_env

WAIT = 60  # seconds: the longest any single wait may take
DONE = {DeliveryStatus.SENT, DeliveryStatus.FAILED}
RESULTS: list["Tally"] = []  # one row per test, for the table (conftest.pytest_terminal_summary)


@dataclass(frozen=True)
class Timings:
    """Seconds, shared by the workers (as env vars) and the test's own sweeps
    (as settings). As in production, the time limits stay below the claim lease,
    and the lease equals the broker's visibility timeout here so that a killed
    task's message comes back as its claims go stale."""

    lease: int = 5
    soft_limit: int = 3
    hard_limit: int = 4
    retry: float = 0.3
    max_backoff: float = 1
    mark_retry: int = 3
    batch: int = 10

    def apply(self, settings) -> "Timings":
        settings.OUTBOX_CLAIM_LEASE_SECONDS = self.lease
        settings.OUTBOX_SEND_BATCH = self.batch
        settings.OUTBOX_RETRY_SECONDS, settings.OUTBOX_MAX_BACKOFF = self.retry, self.max_backoff
        return self

    def env(self) -> dict[str, str]:
        return {
            "OUTBOX_CLAIM_LEASE_SECONDS": str(self.lease),
            "CELERY_VISIBILITY_TIMEOUT": str(self.lease),
            "OUTBOX_TASK_SOFT_TIME_LIMIT": str(self.soft_limit),
            "OUTBOX_TASK_TIME_LIMIT": str(self.hard_limit),
            "OUTBOX_RETRY_SECONDS": str(self.retry),
            "OUTBOX_MAX_BACKOFF": str(self.max_backoff),
            "OUTBOX_MARK_RETRY_SECONDS": str(self.mark_retry),
            "OUTBOX_SEND_BATCH": str(self.batch),
            "EMAIL_TIMEOUT": "10",
        }


def fault_env(settings, smtp_server, timings: Timings, **extra: str) -> dict[str, str]:
    """A worker subprocess that sends to the test's SMTP server with these timings."""
    return worker_env(settings, **smtp_server.env(), **timings.env(), **extra)


def due_now(cohort) -> None:
    """The cohort's weekly prompt due now, in real time (the workers' claims and
    leases use the real clock)."""
    local = (timezone.now() - datetime.timedelta(minutes=1)).astimezone(cohort.tz)
    cohort.start_date = local.date() - datetime.timedelta(days=30)
    cohort.end_date = local.date() + datetime.timedelta(days=30)
    cohort.save()
    at = local.time().replace(second=0, microsecond=0)
    ReminderSchedule.objects.update_or_create(
        cohort=cohort, defaults={"enabled": True, "weekday": local.weekday(), "local_time": at}
    )


def due_trainees(cohort, count: int) -> list[str]:
    """`count` trainees whose weekly prompt is due now: their addresses."""
    prompts_sync()  # a transactional test empties the tables the migrations filled
    due_now(cohort)
    return [trainee.email for trainee in many_trainees(cohort, count)]


def statuses() -> Counter:
    return Counter(Delivery.objects.values_list("status", flat=True))


def all_done(count: int):
    """Every one of `count` rows sent or refused for good."""
    return lambda: sum(n for status, n in statuses().items() if status in DONE) == count


def drive(done, timeout: float = WAIT, step: float = 0.2) -> bool:
    """Beat, sped up: sweep the outbox until done() (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        outbox_sweep()
        if done():
            return True
        time.sleep(step)
    return bool(done())


def settle(seconds: float = 1.0, step: float = 0.3) -> None:
    """Go on sweeping a little: a duplicate task, a redelivered message or a row
    taken over late must find nothing left to send."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        outbox_sweep()
        time.sleep(step)


def sender_pid(message) -> int:
    """The pid of the process that built the message: Python's make_msgid (which
    Django uses) writes `<time.pid.random@host>`."""
    message_id = email.message_from_bytes(message.content)["Message-ID"]
    return int(re.match(r"<\d+\.(\d+)\.", message_id).group(1))


@dataclass
class Tally:
    fault: str
    recipients: int
    accepted: int  # messages the server accepted, duplicates included
    missing: int
    duplicates: int
    seconds: float
    note: str = ""

    def row(self) -> str:
        return "| " + " | ".join(str(v) for v in asdict(self).values()) + " |"


def tally(fault: str, expected: Iterable[str], counts: Counter, started: float, note: str = "") -> tuple:
    """Count what the server accepted against who should have had one email each;
    record the numbers. Returns (tally, missing addresses, {address: extra copies}),
    where an address nobody expected counts as extra copies."""
    expected = set(expected)
    missing = sorted(a for a in expected if counts[a] == 0)
    extra = {a: n - 1 if a in expected else n for a, n in counts.items() if n > 1 or a not in expected}
    result = Tally(
        fault=fault,
        recipients=len(expected),
        accepted=sum(counts.values()),
        missing=len(missing),
        duplicates=sum(extra.values()),
        seconds=round(time.monotonic() - started, 1),
        note=note,
    )
    RESULTS.append(result)
    return result, missing, extra
