"""The emails a roster change sends: outbox rows written with the change and sent
once it commits; an address refused for good is noted on the invitation, one
refused for now (greylisting, a server that is down) is tried again until the
invitation expires."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from reflect.cohorts.models import Role
from reflect.feedback.models import Notification, NotificationKind
from reflect.manage import mailing
from reflect.manage.models import CohortInvitation
from reflect.outbox.models import Delivery, DeliveryKind, DeliveryStatus
from reflect.outbox.sweep import outbox_sweep

pytestmark = pytest.mark.django_db

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def invite(cohort, course_admin, email: str) -> CohortInvitation:
    return CohortInvitation.objects.create(
        cohort=cohort, email=email, role=Role.TRAINEE, invited_by=course_admin, sent_at=timezone.now()
    )


def send(committed, cohort, invitations=(), added=()) -> None:
    with committed():
        mailing.cohort_emails_enqueue(
            cohort=cohort, invitation_ids=[i.pk for i in invitations], added=[(u.pk, r) for u, r in added]
        )


def retry_now() -> None:
    """As if each waiting row's backoff had passed, then beat's sweep."""
    Delivery.objects.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=timezone.now())
    outbox_sweep()


def failing_for(address: str, error: Exception, times: int = 1_000):
    """A locmem send that raises `error` for `address`, `times` times."""
    real, left = LocmemBackend.send_messages, [times]

    def fake(self, messages):
        if messages[0].to == [address] and left[0] > 0:
            left[0] -= 1
            raise error
        return real(self, messages)

    return fake


def test_a_refused_address_is_noted_on_the_invitation_and_the_rest_go(
    cohort, course_admin, client_for, monkeypatch, committed
):
    bad, good = invite(cohort, course_admin, "typo@example"), invite(cohort, course_admin, "nina@example.org")
    refused = smtplib.SMTPRecipientsRefused({"typo@example": (550, b"5.1.1 No such user")})
    monkeypatch.setattr(LOCMEM_SEND, failing_for("typo@example", refused))
    send(committed, cohort, [bad, good])
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
    bad.refresh_from_db()
    assert bad.send_error == mailing.REFUSED.format(reason="550 5.1.1 No such user")
    page = client_for(course_admin).get(reverse("reflect:manage-invitations", kwargs={"pk": cohort.pk}))
    assert "Email not delivered." in page.content.decode() and "typing errors" in page.content.decode()
    retry_now()
    assert len(mail.outbox) == 1  # refused for good: never tried again


def test_a_greylisted_invitation_is_not_called_refused_and_goes_on_a_later_try(
    cohort, course_admin, client_for, monkeypatch, committed
):
    invitation = invite(cohort, course_admin, "nina@example.org")
    greylisted = smtplib.SMTPRecipientsRefused({"nina@example.org": (451, b"4.7.1 Greylisted, try again later")})
    monkeypatch.setattr(LOCMEM_SEND, failing_for("nina@example.org", greylisted, times=1))
    send(committed, cohort, [invitation])
    invitation.refresh_from_db()
    assert mail.outbox == []
    assert invitation.send_error.startswith("The mail server could not take it yet")
    assert "451 4.7.1" in invitation.send_error
    assert "typing errors" not in invitation.send_error
    page = client_for(course_admin).get(reverse("reflect:manage-invitations", kwargs={"pk": cohort.pk}))
    assert "Email not delivered yet." in page.content.decode()
    retry_now()
    invitation.refresh_from_db()
    assert [m.to for m in mail.outbox] == [["nina@example.org"]] and invitation.send_error == ""


def test_a_mail_server_down_for_longer_than_any_retry_budget_loses_nothing(
    cohort, course_admin, monkeypatch, committed
):
    invitation = invite(cohort, course_admin, "nina@example.org")
    down = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    monkeypatch.setattr(LOCMEM_SEND, failing_for("nina@example.org", down, times=8))
    send(committed, cohort, [invitation])
    for _ in range(8):  # eight failed tries; the old budget was six
        retry_now()
    retry_now()
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
    row = Delivery.objects.get(kind=DeliveryKind.INVITATION)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 9)


def test_an_invitation_still_unsent_when_it_expires_is_dropped_and_says_so(
    cohort, course_admin, monkeypatch, committed
):
    invitation = invite(cohort, course_admin, "nina@example.org")
    monkeypatch.setattr(LOCMEM_SEND, failing_for("nina@example.org", ConnectionRefusedError(111, "refused")))
    send(committed, cohort, [invitation])
    outbox_sweep(now=invitation.expires_at + datetime.timedelta(minutes=1))
    invitation.refresh_from_db()
    assert invitation.send_error == mailing.TOO_LATE
    assert Delivery.objects.get().status == DeliveryStatus.EXPIRED


def test_a_withdrawn_invitation_or_a_removed_member_gets_no_email(cohort, course_admin, trainee, committed):
    invitation = invite(cohort, course_admin, "nina@example.org")
    CohortInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    send(committed, cohort, [invitation], added=[(trainee, Role.TUTOR)])  # she is a trainee, not a tutor
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SKIPPED}


def test_resending_notes_a_refused_address_and_clears_it_once_it_goes(cohort, course_admin, client_for, monkeypatch):
    invitation = invite(cohort, course_admin, "nina@example.org")
    url = reverse("reflect:manage-invitation-resend", kwargs={"pk": invitation.pk})
    refused = smtplib.SMTPRecipientsRefused({"nina@example.org": (550, b"5.1.1 No such user")})
    monkeypatch.setattr(LOCMEM_SEND, failing_for("nina@example.org", refused, times=1))
    client_for(course_admin).post(url)
    invitation.refresh_from_db()
    assert "refused this address" in invitation.send_error and mail.outbox == []
    client_for(course_admin).post(url)
    invitation.refresh_from_db()
    assert invitation.send_error == "" and len(mail.outbox) == 1


def test_resending_supersedes_a_sending_still_waiting_so_one_email_goes(
    cohort, course_admin, client_for, monkeypatch, committed
):
    invitation = invite(cohort, course_admin, "nina@example.org")
    down = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    monkeypatch.setattr(LOCMEM_SEND, failing_for("nina@example.org", down, times=1))
    send(committed, cohort, [invitation])
    client_for(course_admin).post(reverse("reflect:manage-invitation-resend", kwargs={"pk": invitation.pk}))
    retry_now()
    assert len(mail.outbox) == 1


def test_adding_a_member_by_hand_tells_them_in_the_app_and_by_email(
    cohort, course_admin, client_for, user_factory, committed
):
    olga = user_factory("olga@example.test", "Olga Onsite")
    url = reverse("reflect:manage-member-add", kwargs={"pk": cohort.pk})
    with committed():
        response = client_for(course_admin).post(url, {"email": "olga@example.test", "role": Role.TUTOR})
    assert response.status_code == 302
    notice = Notification.objects.get(user=olga, kind=NotificationKind.COHORT_ADDED)
    assert notice.summary == "You were added to Autumn as a tutor"
    (message,) = mail.outbox
    assert message.to == ["olga@example.test"] and "as a tutor" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert Delivery.objects.get(user=olga).status == DeliveryStatus.SENT


def test_emails_are_sent_in_batches_of_a_hundred(cohort, course_admin, committed, settings, monkeypatch):
    from reflect.outbox import tasks

    batches = []
    monkeypatch.setattr(tasks.send_deliveries, "delay", lambda ids: batches.append(ids))
    invitations = [invite(cohort, course_admin, f"p{n}@example.org") for n in range(120)]
    send(committed, cohort, invitations)
    assert [len(batch) for batch in batches] == [settings.OUTBOX_SEND_BATCH, 20]
