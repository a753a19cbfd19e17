"""Remove each rule of the outbox in turn and check that a test fails.

    .venv/bin/python bench/mutate_outbox.py [--list] [--only id,...] [--report tests/outbox/mutations.md]

The same machinery as bench/mutate_policy.py (which see), with the outbox's
rules: reading SMTP codes, waiting for a backoff, retrying a mark through a
database outage, expiring per kind, the dispatcher's lease, clearing refused
addresses. It runs the in-process outbox tests; the worker fault tests
(tests/worker/test_outbox_faults*.py) check the same rules end to end."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mutate_policy  # noqa: E402
from mutate_policy import Mutation  # noqa: E402

SMTP = "reflect/outbox/smtp.py"
SENDING = "reflect/outbox/sending.py"
SWEEP = "reflect/outbox/sweep.py"
DISPATCH = "reflect/reminders/dispatch.py"
MAILING = "reflect/manage/mailing.py"
EMAILS = "reflect/reminders/emails.py"

OUTBOX: list[Mutation] = [
    Mutation(
        "smtp.rcpt-4xx-permanent",
        SMTP,
        "permanent = bool(answers) and all(500 <= code < 600 for code, _ in answers)",
        "permanent = bool(answers)",
        "a refusal at RCPT is permanent whatever its code",
    ),
    Mutation(
        "smtp.data-5xx-temporary",
        SMTP,
        "return Refusal(permanent=500 <= exc.smtp_code < 600, reason=",
        "return Refusal(permanent=False, reason=",
        "5xx at DATA is taken as temporary",
    ),
    Mutation(
        "smtp.our-side-blames-recipient",
        SMTP,
        '        return Refusal(permanent=False, reason=f"{exc.smtp_code} {_text(exc.smtp_error)}")',
        '        return Refusal(permanent=exc.smtp_code >= 500, reason=f"{exc.smtp_code} {_text(exc.smtp_error)}")',
        "a 5xx about our own side (sender, auth) marks the recipient",
    ),
    Mutation(
        "sending.claim-ignores-backoff",
        SENDING,
        "due = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))",
        "due = Q(status=DeliveryStatus.PENDING)",
        "a row waiting for its backoff can be claimed early",
    ),
    Mutation(
        "sending.mark-not-retried",
        SENDING,
        "            if time.monotonic() >= deadline:\n                raise",
        "            if True:\n                raise",
        "a database error after the server accepted is not retried",
    ),
    Mutation(
        "sending.unreachable-per-email",
        SENDING,
        "        outcome.unreachable = True\n",
        "",
        "an unreachable server is tried once per email of the batch",
    ),
    Mutation(
        "sending.no-backoff",
        SENDING,
        "status=DeliveryStatus.PENDING, next_attempt_at=due, enqueued_at=None",
        "status=DeliveryStatus.PENDING, next_attempt_at=None, enqueued_at=None",
        "a row refused for now is due again at once",
    ),
    Mutation(
        "sending.address-not-marked",
        SENDING,
        "email_failed_at=timezone.now(), email_failure=refusal.reason[:300]",
        "email_failure=refusal.reason[:300]",
        "a 5xx does not stop emails to that address",
    ),
    Mutation(
        "sweep.never-expires",
        SWEEP,
        "late = Delivery.objects.filter(expires_at__lte=now)",
        "late = Delivery.objects.filter(expires_at__lte=now - datetime.timedelta(days=36500))",
        "rows are never dropped as too late",
    ),
    Mutation(
        "sweep.broker-down-keeps-stamp",
        SWEEP,
        "            Delivery.objects.filter(pk__in=rest, enqueued_at=now).update(enqueued_at=None)\n",
        "",
        "rows whose task could not be published wait for the lease",
    ),
    Mutation(
        "sweep.broker-down-raises",
        SWEEP,
        "        except BROKER_DOWN as exc:",
        "        except ZeroDivisionError as exc:",
        "a broker outage raises into the request",
    ),
    Mutation("dispatch.no-lease", DISPATCH, "    if token is None:", "    if False:", "overlapping runs both plan"),
    Mutation(
        "dispatch.counts-others",
        DISPATCH,
        "Delivery.objects.filter(pk__gt=before, created_at=now).count()",
        "Delivery.objects.filter(pk__gt=before).count()",
        "created counts rows others wrote meanwhile",
    ),
    Mutation(
        "dispatch.prompt-never-expires",
        DISPATCH,
        '_delivery(row["user_id"], DeliveryKind.WEEKLY_PROMPT, period, payload, row["cohort_id"], expires)',
        '_delivery(row["user_id"], DeliveryKind.WEEKLY_PROMPT, period, payload, row["cohort_id"], None)',
        "a weekly prompt has no end of week",
    ),
    Mutation(
        "mailing.resend-does-not-supersede",
        MAILING,
        '        ).update(status=DeliveryStatus.SKIPPED, error="Superseded by a later sending")\n',
        "        )\n",
        "a resend leaves the earlier sending due (two emails)",
    ),
    Mutation(
        "mailing.greylisted-called-refused",
        MAILING,
        "        DeliveryStatus.PENDING: NOT_YET.format(reason=error),",
        "        DeliveryStatus.PENDING: REFUSED.format(reason=error),",
        "an invitation refused for now says the address is wrong",
    ),
    Mutation(
        "emails.notifications-marked-on-retry",
        EMAILS,
        "    if status not in (DeliveryStatus.SENT, DeliveryStatus.SKIPPED):\n        return 0\n",
        "",
        "notices are marked emailed when their email only failed for now",
    ),
    Mutation(
        "account.link-kept",
        "reflect/outbox/account_mail.py",
        "    if status != DeliveryStatus.PENDING:\n        Delivery.objects.filter(pk=delivery.pk).update(payload={})",
        "    pass",
        "an account email's text (a reset link) stays in the row once sent",
    ),
    Mutation(
        "email-status.signals-off",
        "accounts/email_status.py",
        "    email_confirmed.connect(",
        "    (lambda *a, **k: None)(",
        "confirming an address does not clear its mark",
    ),
    Mutation(
        "schedule.clear-anyone",
        "reflect/reminders/schedule_views.py",
        "User.objects.filter(memberships__cohort=cohort).distinct()",
        "User.objects.all()",
        "a course admin clears the mark of someone outside the cohort",
    ),
]

mutate_policy.MUTATIONS = OUTBOX
mutate_policy.TESTS = [
    "tests/outbox",
    "tests/manage/test_mailing.py",
    "tests/reminders/test_delivery.py",
    "tests/reminders/test_dispatch.py",
    "tests/reflect/test_notification_privacy.py",
]

if __name__ == "__main__":
    sys.exit(mutate_policy.main())
