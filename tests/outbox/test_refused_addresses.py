"""An address refused for good is shown with the server's answer, and the mark can
be cleared by the person (asking to try again, or changing or confirming their
address) and by a course admin of one of their cohorts."""

import pytest
from allauth.account.signals import email_changed, email_confirmed
from django.urls import reverse
from django.utils import timezone

from reflect.outbox.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

ANSWER = "550 5.1.1 No such user"


@pytest.fixture
def refused(trainee):
    trainee.email_failed_at, trainee.email_failure = timezone.now(), ANSWER
    trainee.save()
    return trainee


def test_the_person_sees_the_servers_answer_and_can_ask_to_be_emailed_again(refused, client_for):
    client = client_for(refused)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert ANSWER in page and "My address is right: email me again" in page
    response = client.post(reverse("accounts:email-try-again"), follow=True)
    refused.refresh_from_db()
    assert refused.email_failed_at is None and refused.email_failure == ""
    assert "Reflect will email" in response.content.decode() and ANSWER not in response.content.decode()


@pytest.mark.parametrize("signal", ["confirmed", "changed"])
def test_confirming_or_changing_the_address_clears_the_mark(refused, signal):
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.get(user=refused)
    if signal == "confirmed":
        email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    else:
        email_changed.send(
            sender=type(refused), request=None, user=refused, from_email_address=address, to_email_address=address
        )
    refused.refresh_from_db()
    assert refused.email_failed_at is None


def test_the_course_admin_sees_the_answer_and_counts_and_can_clear_the_mark(refused, cohort, course_admin, client_for):
    Delivery.objects.create(user=refused, kind="weekly_prompt", period="w", cohort=cohort, status=DeliveryStatus.FAILED)
    Delivery.objects.create(user=refused, kind="digest", period="d", cohort=cohort, status=DeliveryStatus.EXPIRED)
    Delivery.objects.create(user=refused, kind="deadlines", period="x", cohort=cohort, attempts=2, error="451 Later")
    client = client_for(course_admin)
    page = client.get(reverse("reflect:cohort-schedule", kwargs={"pk": cohort.pk})).content.decode()
    assert ANSWER in page
    counts = page[page.index('data-testid="delivery-counts"') :]
    for label, number in [("Waiting to be tried again", 1), ("Refused by the mail server", 1), ("too late", 1)]:
        assert f'{label}</dt><dd class="col-4 text-end">{number}<' in counts.replace(
            "Not sent: too late to be useful", "too late"
        )
    url = reverse("reflect:cohort-email-try-again", kwargs={"pk": cohort.pk, "user_pk": refused.pk})
    assert client.post(url).status_code == 302
    refused.refresh_from_db()
    assert refused.email_failed_at is None


def test_a_course_admin_cannot_clear_the_mark_of_someone_outside_the_cohort(
    refused, other_cohort, course_admin, client_for
):
    url = reverse("reflect:cohort-email-try-again", kwargs={"pk": other_cohort.pk, "user_pk": refused.pk})
    assert client_for(course_admin).post(url).status_code == 404
    refused.refresh_from_db()
    assert refused.email_failed_at is not None
