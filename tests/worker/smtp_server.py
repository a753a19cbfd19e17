"""A real SMTP server for the fault tests: aiosmtpd on 127.0.0.1, in a thread of
the test process, that worker subprocesses reach through Django's SMTP backend
(`server.env()`). The test changes, while it runs, how it answers:

- `at_rcpt` / `at_data`: a reply such as "451 4.7.1 Greylisted, try again later"
  for chosen addresses or all, optionally only for each address's first N
  attempts or first N seconds (greylisting). The latest matching rule wins.
- `stop()` / `start()` / `with server.down():`: connections refused, then the
  server listens again on the SAME port; state and rules survive.
- two pauses inside DATA, on the Nth message that is to be accepted, with the
  message's data already received and no reply sent yet:
  `pause_before_accepting(n)`: not yet recorded. Released, it is recorded and
      answered 250. If the client goes away meanwhile it is never recorded: the
      server did not accept it.
  `pause_after_accepting(n)`: recorded (counted) first. The server HAS accepted
      it; only the 250 is outstanding, so a sender killed now never learns it.
  The test waits on `server.paused` (a threading.Event) and calls `release()`;
  `server.abandoned` is set if the paused client went away instead. N counts
  from the call: `pause_after_accepting(3)` holds the third message from now.
  `server.held` is the paused message (its Message-ID names the sender's pid).
"""

import asyncio
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.worker.processes import free_port

Addresses = str | Iterable[str] | None  # one address, several, or every one

PAUSE_LIMIT = 60  # seconds: a pause nobody releases ends by itself


@dataclass
class Rule:
    """A reply for `addresses` (None: every address), while the address is within
    its first `first_attempts` attempts and its first `for_seconds` seconds (from
    its first attempt under this rule), for whichever limits are given."""

    reply: str
    addresses: frozenset[str] | None = None
    first_attempts: int | None = None
    for_seconds: float | None = None
    attempts: Counter = field(default_factory=Counter)
    first_seen: dict[str, float] = field(default_factory=dict)

    def answers(self, address: str) -> bool:
        if self.addresses is not None and address not in self.addresses:
            return False
        self.attempts[address] += 1
        first = self.first_seen.setdefault(address, time.monotonic())
        if self.first_attempts is not None and self.attempts[address] > self.first_attempts:
            return False
        return self.for_seconds is None or time.monotonic() - first < self.for_seconds


@dataclass(frozen=True)
class Message:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes


class SmtpServer:
    """aiosmtpd's handler (the `handle_*` coroutines run in the server's thread),
    plus the controls and the record the test reads. One lock guards all state."""

    def __init__(self, host: str = "127.0.0.1", port: int | None = None):
        self.host, self.port = host, port or free_port()
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self.paused, self.abandoned, self._released = threading.Event(), threading.Event(), threading.Event()
        self.held: Message | None = None
        self.reset()
        self.answer_normally()

    # Listening.

    def start(self) -> None:
        # A stopped Controller has closed its event loop: each start needs a new one.
        self._controller = Controller(self, hostname=self.host, port=self.port, server_hostname="localhost")
        self._controller.start()

    def stop(self) -> None:
        """Stop listening; open connections are closed. Idempotent."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @contextlib.contextmanager
    def down(self):
        self.stop()
        try:
            yield self
        finally:
            self.start()

    def env(self) -> dict[str, str]:
        """Settings (environment variables) for a worker subprocess to send here."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
        }

    # How to answer.

    def at_rcpt(self, reply: str, addresses: Addresses = None, *, first_attempts=None, for_seconds=None) -> None:
        rule = Rule(reply, _addresses(addresses), first_attempts, for_seconds)
        with self._lock:
            self._rcpt_rules.append(rule)

    def at_data(self, reply: str, addresses: Addresses = None, *, first_attempts=None, for_seconds=None) -> None:
        """The reply to a message's DATA when any of its recipients matches."""
        rule = Rule(reply, _addresses(addresses), first_attempts, for_seconds)
        with self._lock:
            self._data_rules.append(rule)

    def pause_before_accepting(self, nth: int = 1) -> None:
        self._pause(nth, after_recording=False)

    def pause_after_accepting(self, nth: int = 1) -> None:
        self._pause(nth, after_recording=True)

    def release(self) -> None:
        self._released.set()

    def answer_normally(self) -> None:
        """Forget every rule and pause (what has been recorded stays)."""
        with self._lock:
            self._rcpt_rules: list[Rule] = []
            self._data_rules: list[Rule] = []
            self._pause_at, self._after_recording = 0, False
        self._released.set()

    def _pause(self, nth: int, *, after_recording: bool) -> None:
        with self._lock:
            self._pause_at, self._after_recording = self._to_accept + nth, after_recording
            self.paused.clear()
            self.abandoned.clear()
            self._released.clear()

    # What was accepted.

    def counts(self) -> Counter:
        """Accepted messages per envelope recipient."""
        with self._lock:
            return Counter(self._counts)

    @property
    def total(self) -> int:
        """Accepted (recipient, message) pairs: a message to two recipients counts two."""
        return sum(self.counts().values())

    @property
    def messages(self) -> list[Message]:
        with self._lock:
            return list(self._messages)

    def rcpt_attempts(self) -> Counter:
        """Every RCPT per address, refused or not: how often a sender tried."""
        with self._lock:
            return Counter(self._rcpt_attempts)

    def reset(self) -> None:
        """Forget what was accepted and attempted (rules stay)."""
        with self._lock:
            self._counts, self._rcpt_attempts, self._messages = Counter(), Counter(), []
            self._to_accept = 0  # messages that reached DATA and were not refused there

    # aiosmtpd's handler hooks.

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            self._rcpt_attempts[address] += 1
            reply = _first_answer(self._rcpt_rules, [address])
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            reply = _first_answer(self._data_rules, envelope.rcpt_tos)
            if reply:
                return reply
            self._to_accept += 1
            pause = self._to_accept == self._pause_at
            after_recording = self._after_recording
        message = Message(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content or b"")
        if pause and after_recording:
            self._record(message)
        if pause:
            self.held = message
            self.paused.set()
            try:
                await _wait(self._released, PAUSE_LIMIT)
            except asyncio.CancelledError:
                # aiosmtpd cancels the session when the client goes away (or on
                # stop()): a message paused before recording is then lost.
                self.abandoned.set()
                raise
        if not (pause and after_recording):
            self._record(message)
        return "250 OK: queued"

    def _record(self, message: Message) -> None:
        with self._lock:
            self._messages.append(message)
            self._counts.update(message.rcpt_tos)


def _addresses(addresses: Addresses) -> frozenset[str] | None:
    if addresses is None:
        return None
    return frozenset([addresses] if isinstance(addresses, str) else addresses)


def _first_answer(rules: list[Rule], addresses: list[str]) -> str | None:
    for rule in reversed(rules):
        if [a for a in addresses if rule.answers(a)]:  # a list: every address counts an attempt
            return rule.reply
    return None


async def _wait(event: threading.Event, timeout: float) -> None:
    # Polls rather than blocking the server's event loop, which other
    # connections (and stop()) share.
    deadline = time.monotonic() + timeout
    while not event.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
