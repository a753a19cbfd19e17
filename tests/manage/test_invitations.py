"""Cohort invitations: the link, accepting it, expiry, resending and revoking."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.manage import invitations
from reflect.manage.models import CohortInvitation
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "tender-harbour-lantern-93"


@pytest.fixture
def invitation(cohort, course_admin):
    return CohortInvitation.objects.create(
        cohort=cohort,
        email="nina@example.org",
        first_name="Nina",
        last_name="New",
        role=Role.TRAINEE,
        invited_by=course_admin,
        sent_at=timezone.now(),
    )


def accept_url(invitation) -> str:
    return reverse("reflect:invitation-accept", kwargs={"token": invitations.invitation_token(invitation)})


def accept(client, invitation, **overrides):
    data = {"display_name": "Nina N.", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **overrides}
    return client.post(accept_url(invitation), data)


def age(invitation, days: float) -> None:
    CohortInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - datetime.timedelta(days=days))
    invitation.refresh_from_db()


# Accepting -----------------------------------------------------------------------------------------------------


def test_the_page_shows_the_cohort_and_prefills_the_name(client, invitation):
    response = client.get(accept_url(invitation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Join Autumn" in page
    assert "Test Diploma in Counselling" in page
    assert response.context["form"].initial["display_name"] == "Nina New"


def test_accepting_creates_a_verified_account_in_the_cohort_and_signs_in(client, invitation):
    response = accept(client, invitation)
    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get(email="nina@example.org")
    assert user.display_name == "Nina N."
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("nina@example.org", True, True)
    assert Membership.objects.filter(user=user, cohort=invitation.cohort, role=Role.TRAINEE).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.user == user
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/").status_code == 200


def test_a_trainee_joins_their_named_tutor(client, invitation, tutor):
    CohortInvitation.objects.filter(pk=invitation.pk).update(tutor_email=tutor.email)
    accept(client, invitation)
    membership = Membership.objects.get(user=tutor, cohort=invitation.cohort, role=Role.TUTOR)
    assert list(membership.assigned_trainees.values_list("email", flat=True)) == ["nina@example.org"]


def test_a_tutor_who_joins_later_picks_up_the_trainees_who_named_them(client, client_for, invitation, course_admin):
    CohortInvitation.objects.filter(pk=invitation.pk).update(tutor_email="tom@example.org")
    tutor_invitation = CohortInvitation.objects.create(
        cohort=invitation.cohort, email="tom@example.org", role=Role.TUTOR, sent_at=timezone.now()
    )
    accept(client, invitation)
    accept(client_for(None), tutor_invitation, display_name="Tom")
    membership = Membership.objects.get(user__email="tom@example.org", role=Role.TUTOR)
    assert list(membership.assigned_trainees.values_list("email", flat=True)) == ["nina@example.org"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-entirely-7"}, "The two passwords don&#x27;t match"),
        ({"password1": "short", "password2": "short"}, "This password is too short"),
        ({"password1": "password123", "password2": "password123"}, "This password is too common"),
        ({"display_name": ""}, "This field is required"),
    ],
)
def test_a_weak_or_mismatched_password_is_refused(client, invitation, overrides, message):
    response = accept(client, invitation, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()


def test_a_short_password_typed_differently_twice_gets_both_messages_at_once(client, invitation):
    body = accept(client, invitation, password1="short", password2="shorter").content.decode()
    assert "The two passwords don&#x27;t match" in body and "This password is too short" in body


def test_a_person_with_an_account_joins_with_one_click_then_signs_in(client, invitation, user_factory):
    nina = user_factory("nina@example.org", "Nina Already")
    page = client.get(accept_url(invitation))
    assert "There is already an account" in page.content.decode()
    assert not Membership.objects.filter(user=nina).exists()
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Membership.objects.filter(user=nina, cohort=invitation.cohort, role=Role.TRAINEE).exists()
    assert nina.check_password(PASSWORD)  # their password is left alone
    assert "_auth_user_id" not in client.session


# Closed links --------------------------------------------------------------------------------------------------


def test_a_link_expires_14_days_after_it_was_sent(client, invitation):
    age(invitation, 13.9)
    assert client.get(accept_url(invitation)).status_code == 200
    age(invitation, 15)
    response = accept(client, invitation)
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()
    assert CohortInvitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_used_link_cannot_be_used_again(client, client_for, invitation):
    accept(client, invitation)
    response = accept(client_for(None), invitation, display_name="Someone else")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.get(email="nina@example.org").display_name == "Nina N."


def test_a_revoked_link_is_refused(client, invitation):
    invitations.invitation_revoke(invitation=invitation, by=invitation.invited_by)
    response = accept(client, invitation)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()


def test_a_forged_link_is_not_found(client, invitation):
    token = invitations.invitation_token(invitation)
    response = client.get(reverse("reflect:invitation-accept", kwargs={"token": token[:-2] + "xx"}))
    assert response.status_code == 404
    assert "isn&#x27;t valid" in response.content.decode()


def test_an_archived_cohort_cannot_be_joined(client, invitation):
    Cohort.objects.filter(pk=invitation.cohort_id).update(archived_at=timezone.now())
    response = accept(client, invitation)
    assert response.status_code == 410
    assert not User.objects.filter(email="nina@example.org").exists()


# The course admin's list ---------------------------------------------------------------------------------------


def test_the_list_shows_who_has_not_accepted_with_expired_badges(client_for, course_admin, invitation, cohort):
    old = CohortInvitation.objects.create(
        cohort=cohort, email="old@example.org", first_name="Olly", sent_at=timezone.now() - datetime.timedelta(days=20)
    )
    CohortInvitation.objects.create(cohort=cohort, email="done@example.org", accepted_at=timezone.now())
    response = client_for(course_admin).get(reverse("reflect:manage-invitations", kwargs={"pk": cohort.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "nina@example.org" in page and "Nina New" in page
    assert "old@example.org" in page
    assert "done@example.org" not in page
    assert page.count("Expired</span>") == 1
    assert set(response.context["page"].object_list) == {invitation, old}


def list_url(cohort) -> str:
    return reverse("reflect:manage-invitations", kwargs={"pk": cohort.pk})


def listed(response) -> list[str]:
    return [invitation.email for invitation in response.context["page"].object_list]


def test_the_list_has_an_empty_state(client_for, course_admin, cohort):
    response = client_for(course_admin).get(reverse("reflect:manage-invitations", kwargs={"pk": cohort.pk}))
    assert "no one has been invited yet" in response.content.decode()


def test_resending_gives_a_fresh_14_days_and_a_new_email(client_for, course_admin, invitation):
    age(invitation, 20)
    response = client_for(course_admin).post(reverse("reflect:manage-invitation-resend", kwargs={"pk": invitation.pk}))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=13)
    (message,) = mail.outbox
    assert message.to == ["nina@example.org"]
    assert message.subject == "You're invited to join Autumn on Reflect"
    link = re.search(r"http\S+/invite/\S+/", message.body).group(0)
    assert client_for(None).get(link.removeprefix(settings.SITE_URL)).status_code == 200


def test_revoking_asks_first_then_closes_the_link(client_for, course_admin, invitation):
    client = client_for(course_admin)
    url = reverse("reflect:manage-invitation-revoke", kwargs={"pk": invitation.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Withdraw the invitation for nina@example.org?" in confirm.content.decode()
    assert CohortInvitation.objects.get(pk=invitation.pk).revoked_at is None
    response = client.post(url)
    assert response.status_code == 302
    assert CohortInvitation.objects.get(pk=invitation.pk).revoked_at is not None
    again = client.post(url, follow=True)  # a second click, or an old tab
    assert again.redirect_chain == [(list_url(invitation.cohort), 302)]
    assert "was withdrawn in the meantime, so there is nothing to withdraw" in again.content.decode()


def test_the_email_carries_the_link_in_text_and_html(invitation):
    message = invitations.invitation_message(invitation)
    url = invitations.invitation_url(invitation)
    assert url in message.body
    assert "Erin Admin has invited you" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and url in html
    assert "unsubscribe" not in message.body.lower()


@pytest.mark.parametrize(
    ("close", "message"),
    [
        ({"accepted_at": timezone.now()}, "nina@example.org accepted their invitation in the meantime"),
        ({"revoked_at": timezone.now()}, "The invitation for nina@example.org was withdrawn in the meantime"),
    ],
)
def test_sending_again_an_invitation_closed_meanwhile_says_so(client_for, course_admin, invitation, close, message):
    CohortInvitation.objects.filter(pk=invitation.pk).update(**close)
    url = reverse("reflect:manage-invitation-resend", kwargs={"pk": invitation.pk})
    response = client_for(course_admin).post(url, follow=True)
    assert response.redirect_chain == [(list_url(invitation.cohort), 302)]
    assert message in response.content.decode()
    assert mail.outbox == []


def test_an_invitation_accepted_while_it_is_being_sent_again_says_so(client_for, course_admin, invitation, monkeypatch):
    real_resend = invitations.invitation_resend

    def accepted_first(*, invitation, by):
        CohortInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
        return real_resend(invitation=invitation, by=by)

    monkeypatch.setattr(invitations, "invitation_resend", accepted_first)
    url = reverse("reflect:manage-invitation-resend", kwargs={"pk": invitation.pk})
    response = client_for(course_admin).post(url, follow=True)
    assert "accepted their invitation in the meantime, so there is nothing to send again" in response.content.decode()
    assert mail.outbox == []


def test_the_list_calls_the_start_of_the_14_days_invited(client_for, course_admin, invitation, cohort):
    page = client_for(course_admin).get(list_url(cohort)).content.decode()
    assert '<th scope="col">Invited</th>' in page
    assert '<th scope="col">Sent</th>' not in page


def test_an_archived_cohorts_list_offers_no_changes(client_for, course_admin, invitation, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(archived_at=timezone.now())
    response = client_for(course_admin).get(list_url(cohort))
    page = response.content.decode()
    assert "nina@example.org" in page
    assert "This cohort is archived" in page
    assert "Send again" not in page and "Withdraw" not in page
    assert reverse("reflect:manage-invitation-revoke", kwargs={"pk": invitation.pk}) not in page
    assert "Import a roster to invite more people" not in page


@pytest.mark.parametrize("name", ["manage-invitation-resend", "manage-invitation-revoke"])
def test_an_archived_cohorts_invitations_cannot_be_sent_again_or_withdrawn(
    client_for, course_admin, invitation, cohort, name
):
    Cohort.objects.filter(pk=cohort.pk).update(archived_at=timezone.now())
    response = client_for(course_admin).post(reverse(f"reflect:{name}", kwargs={"pk": invitation.pk}), follow=True)
    assert response.redirect_chain == [(list_url(cohort), 302)]
    assert "This cohort is archived, so its invitations can no longer be sent again or withdrawn." in (
        response.content.decode()
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert mail.outbox == []


@pytest.fixture
def crowd(cohort, invitation):
    """Nina (sent today), Olly (expired), and Pat whose email did not go."""
    now = timezone.now()
    CohortInvitation.objects.create(
        cohort=cohort,
        email="olly@example.org",
        first_name="Olly",
        last_name="Old",
        sent_at=now - datetime.timedelta(days=20),
    )
    CohortInvitation.objects.create(
        cohort=cohort, email="pat@example.net", first_name="Pat", last_name="Typo", sent_at=now, send_error="Refused."
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "nina"}, ["nina@example.org"]),
        ({"q": "NEW"}, ["nina@example.org"]),
        ({"q": "Nina New"}, ["nina@example.org"]),
        ({"q": "example.net"}, ["pat@example.net"]),
        ({"q": "nobody"}, []),
        ({"show": "undelivered"}, ["pat@example.net"]),
        ({"show": "expired"}, ["olly@example.org"]),
        ({"q": "example.org", "show": "expired"}, ["olly@example.org"]),
        ({"show": "nonsense"}, ["nina@example.org", "olly@example.org", "pat@example.net"]),
    ],
)
def test_the_list_can_be_searched_and_filtered(client_for, course_admin, cohort, crowd, query, expected):
    response = client_for(course_admin).get(list_url(cohort), query)
    assert response.status_code == 200
    assert sorted(listed(response)) == expected
    if not expected:
        assert "No invitations match." in response.content.decode()


def test_the_filters_show_how_many_need_attention(client_for, course_admin, cohort, crowd):
    page = " ".join(client_for(course_admin).get(list_url(cohort), {"q": "nina"}).content.decode().split())
    assert "Invitations not yet accepted (3)" in page
    assert (
        'href="?q=nina&amp;show=undelivered">Email not delivered <span class="badge text-bg-warning">1</span>' in page
    )
    assert 'href="?q=nina&amp;show=expired">Expired <span class="badge text-bg-warning">1</span>' in page
    assert "1 invitation matches “nina”." in page


def test_search_and_filter_are_kept_across_pages(client_for, course_admin, cohort):
    CohortInvitation.objects.bulk_create(
        CohortInvitation(cohort=cohort, email=f"p{n:02}@example.org", sent_at=timezone.now(), send_error="Refused.")
        for n in range(60)
    )
    CohortInvitation.objects.create(cohort=cohort, email="p99@example.com", sent_at=timezone.now(), send_error="No.")
    client = client_for(course_admin)
    first = client.get(list_url(cohort), {"q": "example.org", "show": "undelivered"})
    assert len(listed(first)) == 50
    assert 'href="?q=example.org&amp;show=undelivered&amp;page=2"' in first.content.decode()
    second = client.get(list_url(cohort), {"q": "example.org", "show": "undelivered", "page": 2})
    assert len(listed(second)) == 10
    assert "p99@example.com" not in listed(first) + listed(second)


# Access --------------------------------------------------------------------------------------------------------


def _admin_urls(invitation):
    return [
        ("get", reverse("reflect:manage-invitations", kwargs={"pk": invitation.cohort_id})),
        ("post", reverse("reflect:manage-invitation-resend", kwargs={"pk": invitation.pk})),
        ("get", reverse("reflect:manage-invitation-revoke", kwargs={"pk": invitation.pk})),
        ("post", reverse("reflect:manage-invitation-revoke", kwargs={"pk": invitation.pk})),
    ]


@pytest.mark.parametrize("persona", ["outsider", "trainee", "tutor"])
def test_people_who_do_not_run_the_programme_get_404(request, client_for, invitation, persona):
    client = client_for(request.getfixturevalue(persona))
    for method, url in _admin_urls(invitation):
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{persona} {method} {url}: {response.status_code}"
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert mail.outbox == []


def test_anonymous_visitors_are_sent_to_sign_in(client, invitation):
    for method, url in _admin_urls(invitation):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
