"""What the mail server's answer means, read from its code: 4xx is "not now"
wherever it comes, 5xx at RCPT or DATA is "never, for this address", and our own
side's problems (sender refused, no connection) never blame the recipient."""

import smtplib

import pytest

from reflect.outbox.smtp import classify


@pytest.mark.parametrize(
    ("exc", "permanent", "reason"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.test": (451, b"4.7.1 Greylisted")}), False, "451 4.7.1 Greylisted"),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (452, b"4.2.2 Mailbox full")}), False, "452 4.2.2 Mailbox full"),
        (smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"5.1.1 No such user")}), True, "550 5.1.1 No such user"),
        (smtplib.SMTPDataError(452, b"4.3.1 Insufficient storage"), False, "452 4.3.1 Insufficient storage"),
        (smtplib.SMTPDataError(554, b"5.6.0 Message rejected"), True, "554 5.6.0 Message rejected"),
        (smtplib.SMTPSenderRefused(550, b"5.7.1 Sender not allowed", "noreply@reflect.example"), False, "550"),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), False, "535"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False, "Connection unexpectedly closed"),
        (ConnectionRefusedError(111, "Connection refused"), False, "Connection refused"),
        (TimeoutError("timed out"), False, "timed out"),
    ],
)
def test_answers_are_classified_by_code(exc, permanent, reason):
    refusal = classify(exc)
    assert refusal.permanent is permanent
    assert refusal.reason.startswith(reason) or reason in refusal.reason


def test_a_refusal_with_a_temporary_code_for_any_recipient_is_temporary():
    mixed = smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"No such user"), "b@x.test": (451, b"Later")})
    assert classify(mixed).permanent is False
