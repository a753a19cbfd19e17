"""Email backends for the worker tests and the benchmark, never for production.

- FlakyBackend: Django's locmem outbox (shared by an in-process worker thread),
  refusing chosen addresses: once with a transient SMTP error, or for good.
- PausingFileBackend: one file per message in $REFLECT_TEST_MAIL_DIR, so worker
  PROCESSES can be counted from outside; it can stop before the Nth message
  ($REFLECT_TEST_PAUSE_AT) so that a test can SIGKILL the worker mid-batch.
- RedisCountingBackend: builds each message's bytes as SMTP would, then only
  counts it in Redis (INCR $REFLECT_MAIL_COUNT_KEY): the benchmark's mail server.
"""

import fcntl
import os
import smtplib
import threading
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Addresses in `transient` fail once with SMTPServerDisconnected (then are
    removed from the set); addresses in `refused` always fail with
    SMTPRecipientsRefused. Tests set both with monkeypatch."""

    transient: set[str] = set()
    refused: set[str] = set()
    _lock = threading.Lock()

    def send_messages(self, messages):
        for message in messages:
            for recipient in message.recipients():
                with self._lock:
                    if recipient in self.transient:
                        self.transient.discard(recipient)
                        raise smtplib.SMTPServerDisconnected(f"Connection lost while sending to {recipient}")
                if recipient in self.refused:
                    raise smtplib.SMTPRecipientsRefused({recipient: (550, b"5.1.1 No such user")})
        return super().send_messages(messages)


PAUSE_SECONDS = 60


class PausingFileBackend(BaseEmailBackend):
    """Writes each message to `<recipient>--<uuid>.eml` in $REFLECT_TEST_MAIL_DIR.

    With $REFLECT_TEST_PAUSE_AT=N, messages are counted (in a counter file in the
    same folder, under a lock) and the Nth one, before anything is written, creates
    the file `paused` and sleeps PAUSE_SECONDS: the test kills the process then."""

    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.folder = Path(os.environ["REFLECT_TEST_MAIL_DIR"])
        self.pause_at = int(os.environ.get("REFLECT_TEST_PAUSE_AT") or 0)

    def send_messages(self, messages):
        for message in messages:
            if self.pause_at and self._count() == self.pause_at:
                (self.folder / "paused").write_text(str(os.getpid()))
                time.sleep(PAUSE_SECONDS)
            data = message.message().as_bytes()
            for recipient in message.recipients():
                name = f"{recipient}--{uuid.uuid4().hex}.eml"
                partial = self.folder / f".{name}.part"
                partial.write_bytes(data)
                partial.rename(self.folder / name)  # appears whole, or not at all
        return len(messages)

    def _count(self) -> int:
        with open(self.folder / ".count", "a+") as counter:
            fcntl.flock(counter, fcntl.LOCK_EX)
            counter.seek(0)
            count = int(counter.read() or 0) + 1
            counter.seek(0)
            counter.truncate()
            counter.write(str(count))
            return count


_redis = {}


def redis_client():
    import redis

    pid = os.getpid()  # a client must not be shared across a fork
    if pid not in _redis:
        _redis[pid] = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _redis[pid]


class RedisCountingBackend(BaseEmailBackend):
    """Serialises each message to MIME bytes (the work an SMTP backend does before
    talking to the server) and counts it in Redis, key $REFLECT_MAIL_COUNT_KEY."""

    def send_messages(self, messages):
        for message in messages:
            message.message().as_bytes()
        redis_client().incrby(os.environ["REFLECT_MAIL_COUNT_KEY"], len(messages))
        return len(messages)
