"""/manage/cohorts/<id>/members/invite/: invite one person from the members page, as a
roster import of one row would (an invitation and its email in the outbox), or add them
at once when their address has an account."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from reflect.audit.models import Action, AuditEvent
from reflect.cohorts.models import Membership, Role
from reflect.feedback.models import Notification, NotificationKind
from reflect.manage.models import CohortInvitation
from reflect.outbox.models import Delivery, DeliveryKind
from tests.manage.member_helpers import members_url, membership

pytestmark = pytest.mark.django_db


def invite_url(cohort) -> str:
    return members_url(cohort, "invite/")


def person(**overrides) -> dict:
    """The invite form's fields (named with its prefix, `invite-`)."""
    data = {"first_name": "Priya", "last_name": "Patel", "email": "Priya.Patel@Example.org", "role": "trainee"}
    return {f"invite-{name}": value for name, value in (data | overrides).items()}


def test_it_invites_a_new_person_with_their_tutor_and_emails_them_once_committed(
    admin_client, course_admin, cohort, tutor, committed
):
    tutor_membership = membership(tutor, cohort, Role.TUTOR)

    with committed():
        response = admin_client.post(invite_url(cohort), person(tutor=tutor_membership.pk))

    assert response.status_code == 302 and response["Location"] == members_url(cohort)
    invitation = CohortInvitation.objects.get(cohort=cohort)
    assert (invitation.email, invitation.first_name, invitation.last_name) == (
        "priya.patel@example.org",
        "Priya",
        "Patel",
    )
    assert (invitation.role, invitation.tutor_email, invitation.invited_by) == ("trainee", tutor.email, course_admin)
    assert invitation.sent_at is not None and invitation.is_open
    # The same outbox row a roster import writes, sent once the request's transaction committed.
    delivery = Delivery.objects.get(kind=DeliveryKind.INVITATION)
    assert (delivery.to, delivery.payload) == ("priya.patel@example.org", {"invitation_id": invitation.pk})
    assert [m.to for m in mail.outbox] == [["priya.patel@example.org"]]
    assert "/invite/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action=Action.INVITATION_SENT)
    assert (event.actor, event.cohort) == (course_admin, cohort)
    assert event.detail == f"invited priya.patel@example.org as trainee, tutor {tutor.email}, from the members page"
    assert not Membership.objects.filter(user__email__iexact="priya.patel@example.org").exists()


def test_the_members_page_lists_the_invited_person_and_says_what_happened(admin_client, cohort):
    page = admin_client.post(invite_url(cohort), person(), follow=True).content.decode()

    assert "Invitation to join as a trainee emailed to Priya Patel." in page
    waiting = page[page.index('data-testid="waiting-list"') :]
    assert "Priya Patel" in waiting and "priya.patel@example.org" in waiting
    assert "Invited, not joined yet (1)" in page


def test_an_address_with_an_account_is_added_at_once_and_told(
    admin_client, course_admin, cohort, tutor, user_factory, committed
):
    olga = user_factory("olga@example.test", "Olga Onsite")
    tutor_membership = membership(tutor, cohort, Role.TUTOR)

    with committed():
        response = admin_client.post(
            invite_url(cohort), person(email="OLGA@example.test", tutor=tutor_membership.pk), follow=True
        )

    assert "Olga Onsite already had an account, so they were added as a trainee and told by email." in (
        response.content.decode()
    )
    assert not CohortInvitation.objects.exists()
    assert Membership.objects.filter(user=olga, cohort=cohort, role=Role.TRAINEE).exists()
    assert set(tutor_membership.assigned_trainees.all()) == {olga}
    assert Notification.objects.filter(user=olga, kind=NotificationKind.COHORT_ADDED).exists()
    assert Delivery.objects.get(kind=DeliveryKind.COHORT_ADDED).user == olga
    assert [m.to for m in mail.outbox] == [["olga@example.test"]]
    event = AuditEvent.objects.get(action=Action.MEMBER_ADDED)
    assert (event.actor, event.subject) == (course_admin, olga)
    assert event.detail == f"as trainee, tutor {tutor.email}, from the members page"


def test_a_second_invitation_to_a_waiting_address_is_a_plain_message(admin_client, cohort, committed):
    with committed():
        admin_client.post(invite_url(cohort), person())

    response = admin_client.post(invite_url(cohort), person(email="priya.patel@example.org", role="tutor"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "priya.patel@example.org has already been invited to this cohort and hasn&#x27;t joined yet." in page
    assert CohortInvitation.objects.get().role == Role.TRAINEE
    assert Delivery.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.INVITATION_SENT).count() == 1


def test_someone_already_in_the_cohort_is_not_invited_again(admin_client, cohort, trainee):
    response = admin_client.post(invite_url(cohort), person(email=trainee.email, role="tutor"))

    assert response.status_code == 400
    assert "Alice Trainee is already a trainee in this cohort." in response.content.decode()
    assert set(Membership.objects.filter(user=trainee).values_list("role", flat=True)) == {Role.TRAINEE}
    assert not Delivery.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"email": "not-an-address"}, "email", "Enter an email address such as name@example.com."),
        ({"email": ""}, "email", "Enter their email address."),
        ({"first_name": ""}, "first_name", "Enter their first name."),
        ({"role": "boss"}, "role", "Choose a role from the list."),
        ({"role": "tutor", "tutor": "@tutor"}, "tutor", "Only a trainee has a tutor"),
        ({"email": "charlie@example.test", "tutor": "@tutor"}, "tutor", "A trainee can&#x27;t be their own tutor."),
        ({"tutor": "@other_tutor"}, "tutor", "Choose one of this cohort&#x27;s tutors"),
    ],
)
def test_errors_are_shown_with_the_form_and_what_was_typed_is_kept(
    admin_client, cohort, tutor, other_tutor, data, field, error
):
    tutors = {"@tutor": membership(tutor, cohort, Role.TUTOR).pk, "@other_tutor": other_tutor.memberships.get().pk}
    data = {k: tutors.get(v, v) for k, v in data.items()}

    response = admin_client.post(invite_url(cohort), person(**data))

    assert response.status_code == 400
    form = response.context["invite_form"]
    assert field in form.errors
    page = response.content.decode()
    assert error in page
    kept = page[page.index('data-testid="invite-form"') :]
    assert 'value="Priya"' in kept or field == "first_name"
    assert 'value="Patel"' in kept
    assert not CohortInvitation.objects.exists() and not Delivery.objects.exists()


def test_an_archived_cohort_refuses_it_and_shows_no_form(admin_client, cohort):
    cohort.archived_at = timezone.now()
    cohort.save(update_fields=["archived_at"])

    response = admin_client.post(invite_url(cohort), person())

    assert response.status_code == 400
    assert "so its members cannot be changed" in response.content.decode()
    assert 'data-testid="invite-form"' not in response.content.decode()
    assert not CohortInvitation.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize("persona", ["trainee", "tutor", "frank", "other_tutor"])
def test_anyone_who_does_not_run_the_cohort_gets_404_and_nothing_is_written(persona, request, cohort, client_for):
    client = client_for(request.getfixturevalue(persona))

    assert client.post(invite_url(cohort), person()).status_code == 404
    assert client.get(invite_url(cohort)).status_code in (404, 405)
    assert not CohortInvitation.objects.exists() and not Delivery.objects.exists()


def test_a_programme_admin_without_a_membership_may_invite(programme_admin, cohort, client_for):
    response = client_for(programme_admin).post(invite_url(cohort), person())

    assert response.status_code == 302
    assert CohortInvitation.objects.get().invited_by == programme_admin


def test_adding_an_unknown_address_leads_to_the_invite_form_with_it_filled_in(admin_client, cohort):
    response = admin_client.post(members_url(cohort, "add/"), {"email": "new.person@example.org", "role": "tutor"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#invite-heading">Invite them</a> below.' in page
    assert "Invite them with a roster import" not in page
    assert response.context["invite_form"].initial == {"email": "new.person@example.org", "role": "tutor"}


def test_the_members_page_has_each_id_once_with_both_tutor_lists(admin_client, cohort, tutor, trainee):
    """The invite form and the assign form both choose a tutor: labels must point at their own."""
    page = admin_client.get(members_url(cohort)).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert 'for="id_invite-tutor"' in page and 'id="id_invite-tutor"' in page
