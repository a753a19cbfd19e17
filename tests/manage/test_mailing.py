"""The emails a roster change sends: through a Celery task, once committed, with
retries for a mail server that is down and a note for an address it refuses."""

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
from reflect.manage.tasks import MAX_RETRIES, send_cohort_emails

pytestmark = pytest.mark.django_db

LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


@pytest.fixture(autouse=True)
def _retry_at_once(settings):
    settings.REMINDER_MAX_BACKOFF = 0


def invite(cohort, course_admin, email: str) -> CohortInvitation:
    return CohortInvitation.objects.create(
        cohort=cohort, email=email, role=Role.TRAINEE, invited_by=course_admin, sent_at=timezone.now()
    )


def failing_for(address: str, error: Exception, times: int = 1_000):
    """A locmem send that raises `error` for `address`, `times` times."""
    send, left = LocmemBackend.send_messages, [times]

    def fake(self, messages):
        if messages[0].to == [address] and left[0] > 0:
            left[0] -= 1
            raise error
        return send(self, messages)

    return fake


def test_a_refused_address_is_noted_on_the_invitation_and_the_rest_go(cohort, course_admin, client_for, monkeypatch):
    bad, good = invite(cohort, course_admin, "typo@example"), invite(cohort, course_admin, "nina@example.org")
    refused = smtplib.SMTPRecipientsRefused({"typo@example": (550, b"5.1.1 No such user")})
    monkeypatch.setattr(LOCMEM_SEND, failing_for("typo@example", refused))
    send_cohort_emails.delay(cohort.pk, [bad.pk, good.pk], [])
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
    bad.refresh_from_db()
    assert bad.send_error == mailing.REFUSED
    page = client_for(course_admin).get(reverse("reflect:manage-invitations", kwargs={"pk": cohort.pk}))
    assert "Email not delivered." in page.content.decode() and "typing errors" in page.content.decode()


def test_a_mail_server_that_is_down_for_a_while_is_tried_again(cohort, course_admin, monkeypatch):
    invitation = invite(cohort, course_admin, "nina@example.org")
    down = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    monkeypatch.setattr(LOCMEM_SEND, failing_for("nina@example.org", down, times=2))
    send_cohort_emails.delay(cohort.pk, [invitation.pk], [])
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
    invitation.refresh_from_db()
    assert invitation.send_error == ""


def test_after_the_last_retry_the_invitation_says_it_has_not_gone(cohort, course_admin, monkeypatch):
    invitation = invite(cohort, course_admin, "nina@example.org")
    down = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    monkeypatch.setattr(LOCMEM_SEND, failing_for("nina@example.org", down, times=MAX_RETRIES + 1))
    send_cohort_emails.delay(cohort.pk, [invitation.pk], [])
    assert mail.outbox == []
    invitation.refresh_from_db()
    assert invitation.send_error == mailing.NOT_REACHED


def test_a_withdrawn_invitation_or_a_removed_member_gets_no_email(cohort, course_admin, trainee):
    invitation = invite(cohort, course_admin, "nina@example.org")
    CohortInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    send_cohort_emails.delay(cohort.pk, [invitation.pk], [[trainee.pk, Role.TUTOR]])  # she is a trainee, not a tutor
    assert mail.outbox == []


def test_resending_notes_a_refused_address_and_clears_it_once_it_goes(cohort, course_admin, client_for, monkeypatch):
    invitation = invite(cohort, course_admin, "nina@example.org")
    url = reverse("reflect:manage-invitation-resend", kwargs={"pk": invitation.pk})
    refused = smtplib.SMTPRecipientsRefused({"nina@example.org": (550, b"5.1.1 No such user")})
    monkeypatch.setattr(LOCMEM_SEND, failing_for("nina@example.org", refused, times=1))
    client_for(course_admin).post(url)
    invitation.refresh_from_db()
    assert invitation.send_error == mailing.REFUSED and mail.outbox == []
    client_for(course_admin).post(url)
    invitation.refresh_from_db()
    assert invitation.send_error == "" and len(mail.outbox) == 1


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


def test_emails_are_sent_in_batches_of_a_hundred(cohort, course_admin, django_capture_on_commit_callbacks):
    ids = [invite(cohort, course_admin, f"p{n}@example.org").pk for n in range(120)]
    with django_capture_on_commit_callbacks() as callbacks:
        mailing.cohort_emails_enqueue(cohort=cohort, invitation_ids=ids, added=[(1, Role.TRAINEE)] * 40)
    assert len(callbacks) == 2
