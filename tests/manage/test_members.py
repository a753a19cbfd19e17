"""/manage/cohorts/<id>/members/: add, remove, change role, assign tutors, move trainees."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reflect.cohorts.models import Cohort, Membership, Role
from reflect.journal.models import JournalEntry
from reflect.manage import services
from reflect.manage.models import CohortInvitation, MembershipMove
from tests.manage.member_helpers import assigned, members_url, membership, tag, trainee_box

pytestmark = pytest.mark.django_db

MARKER = "ZQX-PRIVATE-MARKER"


# --- Access -------------------------------------------------------------------------


def _member_urls(cohort, m) -> list[str]:
    return [
        members_url(cohort),
        members_url(cohort, "add/"),
        members_url(cohort, "assign/"),
        members_url(cohort, f"{m.pk}/remove/"),
        members_url(cohort, f"{m.pk}/role/"),
        members_url(cohort, f"{m.pk}/move/"),
    ]


def test_admin_of_another_programme_gets_404_for_every_member_url(frank, trainee, tutor, cohort, client_for):
    m = membership(trainee, cohort)
    client = client_for(frank)
    for url in _member_urls(cohort, m):
        assert client.get(url).status_code in (404, 405), url
        response = client.post(url, {"email": "frank@example.test", "role": "tutor", "to_cohort": frank.own_cohort.pk})
        assert response.status_code in (404, 405), url
        assert response.status_code == 404 or url == members_url(cohort), url
    assert Membership.objects.filter(pk=m.pk, cohort=cohort, role=Role.TRAINEE).exists()
    assert not Membership.objects.filter(user=frank, cohort=cohort).exists()


def test_membership_of_another_cohort_is_404_through_this_cohort(course_admin, other_tutor, cohort, client_for):
    """A membership id must belong to the cohort in the URL."""
    m = membership(other_tutor, other_tutor.memberships.get().cohort, Role.TUTOR)
    client = client_for(course_admin)
    assert client.get(members_url(cohort, f"{m.pk}/remove/")).status_code == 404
    assert client.post(members_url(cohort, f"{m.pk}/remove/")).status_code == 404
    assert Membership.objects.filter(pk=m.pk).exists()


@pytest.mark.parametrize("persona", ["trainee", "tutor"])
def test_trainee_and_tutor_get_404(persona, request, trainee, cohort, client_for):
    client = client_for(request.getfixturevalue(persona))
    for url in _member_urls(cohort, membership(trainee, cohort)):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code in (404, 405), url


def test_anonymous_is_sent_to_login(trainee, cohort, client):
    response = client.get(members_url(cohort))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- The page -----------------------------------------------------------------------


def test_members_page_shows_roles_tutors_email_problems_and_invitations(
    course_admin, trainee, trainee2, tutor, cohort, client_for, make_entry
):
    membership(tutor, cohort, Role.TUTOR).assigned_trainees.add(trainee)
    trainee2.email_failed_at = timezone.now()
    trainee2.save()
    CohortInvitation.objects.create(cohort=cohort, email="new@example.test")
    CohortInvitation.objects.create(cohort=cohort, email="gone@example.test", revoked_at=timezone.now())
    make_entry(trainee, cohort, title=MARKER, body=MARKER)
    response = client_for(course_admin).get(members_url(cohort))
    body = response.content.decode()
    assert response.status_code == 200
    for text in ["Alice Trainee", "Bob Trainee", "Charlie Tutor", "Erin Admin", "Course admin", "Not delivered"]:
        assert text in body, text
    assert response.context["open_invitations"] == 1
    rows = {m.user_id: m for m in response.context["page"].object_list}
    assert rows[trainee.pk].tutor_names == ["Charlie Tutor"]
    assert rows[trainee2.pk].tutor_names == []
    assert f"/manage/cohorts/{cohort.pk}/import/" in body
    assert MARKER not in body


# --- Add ------------------------------------------------------------------------------


def test_admin_adds_an_existing_person_in_a_role(course_admin, user_factory, cohort, client_for):
    person = user_factory("gwen@example.test", "Gwen")
    response = client_for(course_admin).post(
        members_url(cohort, "add/"), {"email": "GWEN@example.test", "role": "tutor"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, cohort=cohort, role=Role.TUTOR).exists()


def test_adding_an_unknown_email_points_to_import(course_admin, cohort, client_for):
    response = client_for(course_admin).post(
        members_url(cohort, "add/"), {"email": "nobody@example.test", "role": "trainee"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is no account with that email address yet." in body
    assert f'href="{reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})}"' in body
    assert Membership.objects.filter(cohort=cohort).count() == 1  # the admin only


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "alice@example.test", "role": "trainee"}, "already a trainee in this cohort"),
        ({"email": "not-an-email", "role": "trainee"}, "Enter an email address"),
        ({"email": "alice@example.test", "role": "boss"}, "Select a valid choice"),
    ],
)
def test_add_errors(course_admin, trainee, cohort, client_for, data, message):
    response = client_for(course_admin).post(members_url(cohort, "add/"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Membership.objects.filter(user=trainee, cohort=cohort).count() == 1


def test_nothing_can_be_added_to_an_archived_cohort(course_admin, user_factory, cohort, client_for):
    user_factory("gwen@example.test")
    Cohort.objects.filter(pk=cohort.pk).update(archived_at=timezone.now())
    response = client_for(course_admin).post(
        members_url(cohort, "add/"), {"email": "gwen@example.test", "role": "tutor"}
    )
    assert response.status_code == 400
    assert "archived" in response.content.decode()
    assert not Membership.objects.filter(user__email="gwen@example.test").exists()


# --- Remove ---------------------------------------------------------------------------


def test_remove_asks_first_then_removes_and_clears_assignments(course_admin, trainee, tutor, cohort, client_for):
    membership(tutor, cohort, Role.TUTOR).assigned_trainees.add(trainee)
    m = membership(trainee, cohort)
    client = client_for(course_admin)
    page = client.get(members_url(cohort, f"{m.pk}/remove/"))
    assert page.status_code == 200 and "Remove Alice Trainee" in page.content.decode()
    assert Membership.objects.filter(pk=m.pk).exists()
    assert client.post(members_url(cohort, f"{m.pk}/remove/")).status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert assigned(tutor, cohort) == set()


def test_the_last_course_admin_cannot_be_removed(course_admin, cohort, client_for):
    m = membership(course_admin, cohort, Role.COURSE_ADMIN)
    response = client_for(course_admin).post(members_url(cohort, f"{m.pk}/remove/"), follow=True)
    assert "only course admin" in response.content.decode()
    assert Membership.objects.filter(pk=m.pk).exists()


def test_a_course_admin_can_be_removed_when_another_remains(course_admin, user_factory, cohort, client_for):
    other = user_factory("hal@example.test")
    Membership.objects.create(user=other, cohort=cohort, role=Role.COURSE_ADMIN)
    m = membership(course_admin, cohort, Role.COURSE_ADMIN)
    assert client_for(other).post(members_url(cohort, f"{m.pk}/remove/")).status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()


# --- Role -------------------------------------------------------------------------------


def test_a_role_change_that_keeps_every_assignment_applies_at_once(course_admin, trainee, tutor, cohort, client_for):
    m = membership(tutor, cohort, Role.TUTOR)  # a tutor with no assigned trainees
    response = client_for(course_admin).post(members_url(cohort, f"{m.pk}/role/"), {"role": "trainee"})
    assert response.status_code == 302 and response["Location"] == members_url(cohort)
    m.refresh_from_db()
    assert m.role == Role.TRAINEE


def test_a_trainee_losing_their_tutors_is_asked_about_first(course_admin, trainee, tutor, cohort, client_for):
    membership(tutor, cohort, Role.TUTOR).assigned_trainees.add(trainee)
    m = membership(trainee, cohort)
    client = client_for(course_admin)
    response = client.post(members_url(cohort, f"{m.pk}/role/"), {"role": "tutor"}, follow=True)
    body = response.content.decode()
    assert "Make Alice Trainee a tutor instead of a trainee?" in body
    assert "They are unassigned from Charlie Tutor." in body
    m.refresh_from_db()
    assert m.role == Role.TRAINEE and assigned(tutor, cohort) == {trainee.pk}
    response = client.post(members_url(cohort, f"{m.pk}/role/"), {"role": "tutor", "confirm": "1"}, follow=True)
    assert "Alice Trainee is now a tutor." in response.content.decode()
    m.refresh_from_db()
    assert m.role == Role.TUTOR
    assert assigned(tutor, cohort) == set()


def test_a_tutor_losing_assigned_trainees_is_asked_about_first(
    course_admin, trainee, trainee2, tutor, cohort, client_for
):
    t = membership(tutor, cohort, Role.TUTOR)
    t.assigned_trainees.add(trainee, trainee2)
    client = client_for(course_admin)
    response = client.post(members_url(cohort, f"{t.pk}/role/"), {"role": "trainee"})
    assert response.status_code == 302
    assert response["Location"] == members_url(cohort, f"{t.pk}/role/?role=trainee")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "Their 2 assigned trainees are unassigned from them." in body
    assert 'name="confirm" value="1"' in body
    t.refresh_from_db()
    assert t.role == Role.TUTOR and assigned(tutor, cohort) == {trainee.pk, trainee2.pk}
    client.post(members_url(cohort, f"{t.pk}/role/"), {"role": "trainee", "confirm": "1"})
    t.refresh_from_db()
    assert t.role == Role.TRAINEE and not t.assigned_trainees.exists()


def test_changing_your_own_role_is_asked_about_first(course_admin, user_factory, cohort, client_for):
    Membership.objects.create(user=user_factory("hal@example.test"), cohort=cohort, role=Role.COURSE_ADMIN)
    m = membership(course_admin, cohort, Role.COURSE_ADMIN)
    client = client_for(course_admin)
    response = client.post(members_url(cohort, f"{m.pk}/role/"), {"role": "tutor"}, follow=True)
    assert "This is you." in response.content.decode()
    m.refresh_from_db()
    assert m.role == Role.COURSE_ADMIN
    client.post(members_url(cohort, f"{m.pk}/role/"), {"role": "tutor", "confirm": "1"})
    m.refresh_from_db()
    assert m.role == Role.TUTOR


def test_the_sole_course_admin_has_no_working_role_or_remove_controls(course_admin, trainee, cohort, client_for):
    m = membership(course_admin, cohort, Role.COURSE_ADMIN)
    client = client_for(course_admin)
    body = client.get(members_url(cohort)).content.decode()
    assert "The only course admin: add another course admin before changing this role or removing them." in body
    assert "disabled" in tag(body, f'id="role-{m.pk}"')
    assert members_url(cohort, f"{m.pk}/remove/") not in body
    assert members_url(cohort, f"{m.pk}/role/") not in body
    assert "disabled" not in tag(body, f'id="role-{membership(trainee, cohort).pk}"')
    page = client.get(members_url(cohort, f"{m.pk}/remove/")).content.decode()
    assert "they cannot be removed" in page and 'type="submit">Remove</button>' not in page
    response = client.get(members_url(cohort, f"{m.pk}/role/?role=tutor"), follow=True)
    assert "only course admin" in response.content.decode()
    m.refresh_from_db()
    assert m.role == Role.COURSE_ADMIN


def test_with_two_course_admins_both_can_be_changed(course_admin, user_factory, cohort, client_for):
    Membership.objects.create(user=user_factory("hal@example.test"), cohort=cohort, role=Role.COURSE_ADMIN)
    m = membership(course_admin, cohort, Role.COURSE_ADMIN)
    body = client_for(course_admin).get(members_url(cohort)).content.decode()
    assert "The only course admin" not in body
    assert members_url(cohort, f"{m.pk}/remove/") in body


@pytest.mark.parametrize(
    "who, role, message",
    [
        ("course_admin", "tutor", "only course admin"),
        ("trainee", "course_admin", None),
        ("trainee", "wizard", "Choose a role from the list."),
    ],
)
def test_role_change_refusals(course_admin, trainee, cohort, client_for, request, who, role, message):
    user = request.getfixturevalue(who)
    m = Membership.objects.filter(user=user, cohort=cohort).first()
    before = m.role
    if message is None:  # already holds the target role in another membership
        Membership.objects.create(user=trainee, cohort=cohort, role=Role.COURSE_ADMIN)
        message = "already a course admin in this cohort"
    response = client_for(course_admin).post(members_url(cohort, f"{m.pk}/role/"), {"role": role}, follow=True)
    assert message in response.content.decode()
    m.refresh_from_db()
    assert m.role == before


# --- Assign tutors --------------------------------------------------------------------------


def test_assign_one_trainee(course_admin, trainee, trainee2, tutor, cohort, client_for):
    t = membership(tutor, cohort, Role.TUTOR)
    data = {"trainees": [trainee.pk], "tutor": t.pk, "action": "assign"}
    assert client_for(course_admin).post(members_url(cohort, "assign/"), data).status_code == 302
    assert assigned(tutor, cohort) == {trainee.pk}


def test_assign_and_unassign_in_bulk(course_admin, trainee, trainee2, tutor, cohort, client_for):
    t = membership(tutor, cohort, Role.TUTOR)
    client = client_for(course_admin)
    data = {"trainees": [trainee.pk, trainee2.pk], "tutor": t.pk, "action": "assign"}
    response = client.post(members_url(cohort, "assign/"), data, follow=True)
    assert "2 trainees assigned to Charlie Tutor" in response.content.decode()
    assert assigned(tutor, cohort) == {trainee.pk, trainee2.pk}
    data = {"trainees": [trainee2.pk], "tutor": t.pk, "action": "unassign"}
    assert client.post(members_url(cohort, "assign/"), data).status_code == 302
    assert assigned(tutor, cohort) == {trainee.pk}


def test_forged_trainee_from_another_cohort_changes_nothing(
    course_admin, trainee, tutor, other_tutor, user_factory, cohort, other_cohort, client_for
):
    stranger = user_factory("ivy@example.test")
    Membership.objects.create(user=stranger, cohort=other_cohort, role=Role.TRAINEE)
    t = membership(tutor, cohort, Role.TUTOR)
    data = {"trainees": [trainee.pk, stranger.pk], "tutor": t.pk, "action": "assign"}
    response = client_for(course_admin).post(members_url(cohort, "assign/"), data)
    assert response.status_code == 400
    assert "not trainees of this cohort" in response.content.decode()
    assert assigned(tutor, cohort) == set()


def test_tutor_of_another_cohort_changes_nothing(course_admin, trainee, tutor, other_tutor, cohort, client_for):
    foreign = Membership.objects.get(user=other_tutor)
    data = {"trainees": [trainee.pk], "tutor": foreign.pk, "action": "assign"}
    response = client_for(course_admin).post(members_url(cohort, "assign/"), data)
    assert response.status_code == 400
    assert "not a tutor of this cohort" in response.content.decode()
    assert not foreign.assigned_trainees.exists()


def test_assign_needs_trainees_and_a_tutor(course_admin, trainee, tutor, cohort, client_for):
    response = client_for(course_admin).post(members_url(cohort, "assign/"), {"action": "assign"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose at least one trainee." in body and "Choose a tutor." in body


def test_a_failed_assign_keeps_the_ticks_the_action_and_shows_each_error_once(
    course_admin, trainee, trainee2, tutor, cohort, client_for
):
    data = {"trainees": [trainee2.pk], "action": "unassign"}
    response = client_for(course_admin).post(members_url(cohort, "assign/"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert body.count("Choose a tutor.") == 1
    assert "is-invalid" in tag(body, 'name="tutor"')
    assert "checked" in trainee_box(body, trainee2) and "checked" not in trainee_box(body, trainee)
    assert "checked" in tag(body, 'value="unassign"') and "checked" not in tag(body, 'value="assign"')


def test_a_failed_assign_keeps_the_chosen_tutor(course_admin, trainee, tutor, cohort, client_for):
    t = membership(tutor, cohort, Role.TUTOR)
    response = client_for(course_admin).post(members_url(cohort, "assign/"), {"tutor": t.pk, "action": "assign"})
    body = response.content.decode()
    assert body.count("Choose at least one trainee.") == 1
    assert re.search(rf'<option value="{t.pk}"[^>]* selected>Charlie Tutor</option>', body)
    assert "checked" in tag(body, 'value="assign"')


def test_service_refuses_a_non_tutor_membership(trainee, trainee2, cohort):
    with pytest.raises(services.ManageError):
        services.tutors_assign(cohort=cohort, tutor=membership(trainee2, cohort), trainee_ids=[trainee.pk], by=trainee)


# --- Move ----------------------------------------------------------------------------------


def test_move_takes_entries_clears_assignments_and_keeps_history(
    course_admin, trainee, trainee2, tutor, cohort, other_cohort, make_entry, client_for
):
    membership(tutor, cohort, Role.TUTOR).assigned_trainees.add(trainee)
    make_entry(trainee, cohort)
    make_entry(trainee, cohort, draft=True)
    kept = make_entry(trainee2, cohort)
    m = membership(trainee, cohort)
    client = client_for(course_admin)
    assert client.get(members_url(cohort, f"{m.pk}/move/")).status_code == 200
    response = client.post(members_url(cohort, f"{m.pk}/move/"), {"to_cohort": other_cohort.pk}, follow=True)
    assert "moved to Spring, with 2 entries" in response.content.decode()
    m.refresh_from_db()
    assert m.cohort == other_cohort
    assert JournalEntry.objects.filter(author=trainee, cohort=other_cohort).count() == 2
    assert not JournalEntry.objects.filter(author=trainee, cohort=cohort).exists()
    assert JournalEntry.objects.get(pk=kept.pk).cohort == cohort
    assert assigned(tutor, cohort) == set()
    move = MembershipMove.objects.get()
    assert (move.user, move.from_cohort, move.to_cohort, move.moved_by, move.entries_moved) == (
        trainee,
        cohort,
        other_cohort,
        course_admin,
        2,
    )
    for page in (members_url(cohort), members_url(other_cohort)):
        assert list(client.get(page).context["moves"]) == [move]


def test_move_to_a_cohort_the_admin_does_not_run_is_refused(course_admin, frank, trainee, cohort, client_for):
    m = membership(trainee, cohort)
    response = client_for(course_admin).post(members_url(cohort, f"{m.pk}/move/"), {"to_cohort": frank.own_cohort.pk})
    assert response.status_code == 400
    assert "Choose one of the cohorts in the list." in response.content.decode()
    m.refresh_from_db()
    assert m.cohort == cohort and not MembershipMove.objects.exists()


def test_move_to_an_archived_cohort_is_refused(course_admin, trainee, cohort, other_cohort, client_for):
    Cohort.objects.filter(pk=other_cohort.pk).update(archived_at=timezone.now())
    m = membership(trainee, cohort)
    response = client_for(course_admin).post(members_url(cohort, f"{m.pk}/move/"), {"to_cohort": other_cohort.pk})
    assert response.status_code == 400
    assert membership(trainee, cohort)


def test_trainee_already_in_target_is_refused(course_admin, trainee, cohort, other_cohort, client_for, make_entry):
    Membership.objects.create(user=trainee, cohort=other_cohort, role=Role.TRAINEE)
    make_entry(trainee, cohort)
    m = membership(trainee, cohort)
    response = client_for(course_admin).post(members_url(cohort, f"{m.pk}/move/"), {"to_cohort": other_cohort.pk})
    assert response.status_code == 400
    assert "already a trainee in Spring" in response.content.decode()
    assert JournalEntry.objects.filter(author=trainee, cohort=cohort).count() == 1


def test_only_trainees_can_be_moved(course_admin, tutor, cohort, other_cohort, client_for):
    m = membership(tutor, cohort, Role.TUTOR)
    response = client_for(course_admin).post(members_url(cohort, f"{m.pk}/move/"), {"to_cohort": other_cohort.pk})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.cohort == cohort
