"""What a mail server's answer means for a row, read from its reply code.

smtplib raises SMTPRecipientsRefused for 4xx at RCPT as well as 5xx, so the
exception class says nothing about whether trying again can help: the code does.
4xx anywhere is "not now" (greylisting, a full mailbox, a busy server); 5xx at
RCPT or DATA is "never, for this address". Anything about our own side (the
sender refused, authentication, no connection) is "not now": a misconfigured
server must not mark every recipient as refusing email."""

import smtplib
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    permanent: bool
    reason: str  # the server's answer, code first, for logs and course admins


def _text(message) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    return " ".join(str(message).split())


def classify(exc: Exception) -> Refusal:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values())
        permanent = bool(answers) and all(500 <= code < 600 for code, _ in answers)
        reason = "; ".join(f"{code} {_text(message)}" for code, message in answers) or "Recipient refused"
        return Refusal(permanent=permanent, reason=reason)
    if isinstance(exc, smtplib.SMTPDataError):
        return Refusal(permanent=500 <= exc.smtp_code < 600, reason=f"{exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return Refusal(permanent=False, reason=f"{exc.smtp_code} {_text(exc.smtp_error)}")
    return Refusal(permanent=False, reason=_text(exc) or exc.__class__.__name__)
