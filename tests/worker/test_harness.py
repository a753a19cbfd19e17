"""The fault tests' building blocks, each on its own: the SMTP server (through
smtplib, and once through Django's SMTP backend), the private Redis, the database
outage and killing a worker's pool child."""

import smtplib
import threading
import time

import psycopg
import pytest
import redis
from django.core.mail import send_mail
from django.db import connection

from tests.worker.broker import wait_until
from tests.worker.outages import database_unavailable, terminate_other_backends
from tests.worker.processes import Workers, children_of, database_url, worker_env

ALICE, BOB = "alice@example.com", "bob@example.com"
MESSAGE = "Subject: Your weekly prompt\r\n\r\nWhat went well this week?\r\n"
WAIT = 10


def send(server, *recipients: str) -> dict:
    with smtplib.SMTP(server.host, server.port, timeout=WAIT) as client:
        return client.sendmail("noreply@reflect.example", list(recipients), MESSAGE)


def rcpt_code(server, recipient: str) -> int | None:
    """The RCPT code that refused recipient, or None when the message was accepted."""
    try:
        send(server, recipient)
    except smtplib.SMTPRecipientsRefused as exc:
        return exc.recipients[recipient][0]
    return None


def data_code(server, recipient: str) -> int | None:
    try:
        send(server, recipient)
    except smtplib.SMTPDataError as exc:
        return exc.smtp_code
    return None


def send_in_background(server, recipient: str) -> tuple[threading.Thread, list]:
    outcome = []

    def run():
        try:
            outcome.append(send(server, recipient))
        except smtplib.SMTPException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_greylisting_refuses_each_address_first_attempt_then_accepts(smtp_server):
    smtp_server.at_rcpt("451 4.7.1 Greylisted, try again later", first_attempts=1)

    assert [rcpt_code(smtp_server, ALICE), rcpt_code(smtp_server, BOB)] == [451, 451]
    assert [rcpt_code(smtp_server, ALICE), rcpt_code(smtp_server, BOB)] == [None, None]
    assert smtp_server.counts() == {ALICE: 1, BOB: 1}
    assert smtp_server.rcpt_attempts() == {ALICE: 2, BOB: 2}


def test_greylisting_for_some_seconds_refuses_until_they_have_passed(smtp_server):
    smtp_server.at_rcpt("451 4.7.1 Greylisted, try again later", for_seconds=0.3)

    assert rcpt_code(smtp_server, ALICE) == 451
    time.sleep(0.35)
    assert rcpt_code(smtp_server, ALICE) is None


def test_550_at_rcpt_refuses_only_the_chosen_address(smtp_server):
    smtp_server.at_rcpt("550 5.1.1 No such user", [BOB])

    assert rcpt_code(smtp_server, BOB) == 550
    assert rcpt_code(smtp_server, BOB) == 550
    assert rcpt_code(smtp_server, ALICE) is None
    # One message to both: smtplib raises nothing and reports the refusal.
    assert send(smtp_server, ALICE, BOB) == {BOB: (550, b"5.1.1 No such user")}
    assert smtp_server.counts() == {ALICE: 2}


@pytest.mark.parametrize("reply", ["452 4.3.1 Insufficient storage", "554 5.6.0 Message rejected"])
def test_a_reply_at_data_refuses_the_message(smtp_server, reply):
    smtp_server.at_data(reply, ALICE)

    assert data_code(smtp_server, ALICE) == int(reply[:3])
    assert data_code(smtp_server, BOB) is None
    assert smtp_server.counts() == {BOB: 1}

    smtp_server.answer_normally()
    assert data_code(smtp_server, ALICE) is None


def test_down_refuses_connections_then_listens_on_the_same_port(smtp_server):
    port = smtp_server.port
    with smtp_server.down():
        with pytest.raises(ConnectionRefusedError):
            send(smtp_server, ALICE)
    assert smtp_server.port == port
    send(smtp_server, ALICE)
    assert smtp_server.counts() == {ALICE: 1}


def test_pause_before_accepting_holds_the_reply_and_records_nothing_until_released(smtp_server):
    smtp_server.pause_before_accepting(2)
    send(smtp_server, ALICE)
    thread, outcome = send_in_background(smtp_server, BOB)

    assert smtp_server.paused.wait(WAIT)
    assert smtp_server.counts() == {ALICE: 1}
    assert thread.is_alive()

    smtp_server.release()
    thread.join(WAIT)
    assert outcome == [{}]
    assert smtp_server.counts() == {ALICE: 1, BOB: 1}


def test_pause_after_accepting_records_the_message_before_the_250(smtp_server):
    smtp_server.pause_after_accepting()
    thread, outcome = send_in_background(smtp_server, BOB)

    assert smtp_server.paused.wait(WAIT)
    assert smtp_server.counts() == {BOB: 1}
    assert outcome == []

    smtp_server.release()
    thread.join(WAIT)
    assert outcome == [{}]
    assert smtp_server.counts() == {BOB: 1}


def hang_up_while_paused(server, recipient: str) -> None:
    """Send up to the end of the data, then close the socket, as a killed worker's
    kernel would, while the server holds its reply."""
    client = smtplib.SMTP(server.host, server.port, timeout=WAIT)
    client.ehlo()
    client.mail("noreply@reflect.example")
    client.rcpt(recipient)
    client.putcmd("data")
    assert client.getreply()[0] == 354
    client.send(MESSAGE.encode() + b".\r\n")
    assert server.paused.wait(WAIT)
    client.close()
    assert server.abandoned.wait(WAIT)
    server.release()


@pytest.mark.parametrize(("pause", "counted"), [("pause_before_accepting", 0), ("pause_after_accepting", 1)])
def test_a_sender_gone_during_the_pause_leaves_the_message_counted_only_after_accepting(smtp_server, pause, counted):
    getattr(smtp_server, pause)()
    hang_up_while_paused(smtp_server, BOB)

    send(smtp_server, ALICE)  # the server is still serving
    assert smtp_server.counts()[BOB] == counted
    assert smtp_server.counts()[ALICE] == 1


def test_counts_are_per_envelope_recipient_and_reset_forgets_them(smtp_server):
    send(smtp_server, ALICE, BOB)
    send(smtp_server, ALICE)

    assert smtp_server.counts() == {ALICE: 2, BOB: 1}
    assert smtp_server.total == 3
    assert [m.rcpt_tos for m in smtp_server.messages] == [(ALICE, BOB), (ALICE,)]
    assert b"What went well this week?" in smtp_server.messages[0].content

    smtp_server.reset()
    assert (smtp_server.counts(), smtp_server.total, smtp_server.messages) == ({}, 0, [])


def test_django_smtp_backend_sends_to_the_server_with_its_env(smtp_server, settings):
    env = smtp_server.env()
    settings.EMAIL_BACKEND = env["EMAIL_BACKEND"]
    settings.EMAIL_HOST, settings.EMAIL_PORT = env["EMAIL_HOST"], int(env["EMAIL_PORT"])
    settings.EMAIL_USE_TLS = False

    assert send_mail("Weekly prompt", "What went well?", None, [ALICE]) == 1
    assert smtp_server.counts() == {ALICE: 1}


def test_private_redis_loses_its_keys_when_killed_and_comes_back_on_the_same_url(private_redis):
    client = redis.Redis.from_url(private_redis.url, socket_timeout=WAIT)
    client.set("claimed", "1")

    private_redis.kill()
    with pytest.raises(redis.ConnectionError):
        client.ping()
    private_redis.restart()

    assert client.ping()  # redis-py reconnects by itself
    assert client.get("claimed") is None


@pytest.fixture
def postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run in CI")


def test_database_unavailable_refuses_new_connections_until_it_ends(postgresql):
    other = psycopg.connect(database_url())
    with database_unavailable():
        with pytest.raises(psycopg.OperationalError, match="not currently accepting connections"):
            psycopg.connect(database_url())
        with pytest.raises(psycopg.OperationalError):
            other.execute("SELECT 1")  # ended
        with connection.cursor() as cursor:  # the test's own connection stays
            cursor.execute("SELECT 1")
    with psycopg.connect(database_url()) as again:
        assert again.execute("SELECT 1").fetchone() == (1,)


def test_terminate_other_backends_ends_every_session_but_the_tests(postgresql):
    other = psycopg.connect(database_url())

    assert terminate_other_backends() == 1
    with pytest.raises(psycopg.OperationalError):
        other.execute("SELECT 1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_a_killed_pool_child_is_replaced_while_the_worker_lives(private_redis, settings, tmp_path):
    workers = Workers("test-harness", tmp_path, worker_env(settings, REDIS_URL=private_redis.url))
    proc = workers.start("pool")
    try:
        assert workers.wait_ready("pool", WAIT), workers.logs()
        killed = workers.kill_child(proc)
        assert wait_until(lambda: children_of(proc.pid) not in ([], [killed]), WAIT), workers.logs()
        assert proc.poll() is None
    finally:
        workers.kill_all()
    assert children_of(proc.pid) == []
