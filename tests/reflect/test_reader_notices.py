"""No reader is ever silent: every change that gives someone new read access to a
trainee's shared writing tells that trainee in the app, naming the reader and why;
changes that give nobody new access tell nobody."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reflect.access import tutor_readers_in, tutor_readers_of
from reflect.audit.models import AuditEvent
from reflect.cohorts.models import Membership, Role
from reflect.feedback.models import Notification, NotificationKind
from reflect.manage import invitations, roster, services
from reflect.manage.models import CohortInvitation
from tests.manage.audit_helpers import BODY_MARKER, TITLE_MARKER, shared_entry
from tests.manage.roster_helpers import csv_bytes

pytestmark = pytest.mark.django_db

READERS_URL = "/#readers"


@pytest.fixture(autouse=True)
def _journal(trainee, cohort):
    shared_entry(trainee, cohort)


@pytest.fixture(autouse=True)
def _no_journal_text_in_notices():
    yield
    for summary in Notification.objects.values_list("summary", flat=True):
        assert TITLE_MARKER not in summary and BODY_MARKER not in summary, summary


@pytest.fixture
def sam(user_factory):
    return user_factory("sam@example.test", "Sam Tutor")


def reader_notices(user=None) -> list[Notification]:
    notices = Notification.objects.filter(kind=NotificationKind.READER_ADDED)
    return list(notices.filter(user=user) if user else notices)


def summaries(user) -> list[str]:
    return [n.summary for n in reader_notices(user)]


def tutor_membership(user, cohort) -> Membership:
    return Membership.objects.get(user=user, cohort=cohort, role=Role.TUTOR)


# A tutor joins -------------------------------------------------------------------------------------------------


def test_a_tutor_added_to_the_cohort_is_announced_to_the_trainees_they_now_read(
    course_admin, cohort, trainee, trainee2, tutor, sam
):
    tutor_membership(tutor, cohort).assigned_trainees.add(trainee2)  # read by Charlie only, so not by Sam
    services.member_add(cohort=cohort, email=sam.email, role=Role.TUTOR, by=course_admin)
    [notice] = reader_notices(trainee)
    assert notice.summary == (
        "Sam Tutor, a tutor of Autumn, can now read your shared writing there"
        " (you have no assigned tutor in that cohort)."
    )
    assert (notice.actor, notice.url) == (course_admin, READERS_URL)
    assert reverse("reflect:dashboard") + "#readers" == READERS_URL
    assert reader_notices(trainee2) == []


def test_adding_a_trainee_or_a_course_admin_gives_no_notice(course_admin, cohort, trainee, tutor, user_factory):
    services.member_add(cohort=cohort, email=user_factory("t@example.test").email, role=Role.TRAINEE, by=course_admin)
    services.member_add(
        cohort=cohort, email=user_factory("a@example.test").email, role=Role.COURSE_ADMIN, by=course_admin
    )
    assert reader_notices() == []


def test_a_role_change_to_tutor_is_announced_to_the_other_trainees(course_admin, cohort, trainee, trainee2):
    services.member_change_role(
        membership=Membership.objects.get(user=trainee2, cohort=cohort), role=Role.TUTOR, by=course_admin
    )
    assert summaries(trainee) == [
        "Bob Trainee, a tutor of Autumn, can now read your shared writing there"
        " (you have no assigned tutor in that cohort)."
    ]
    assert reader_notices(trainee2) == []


def test_a_role_change_to_course_admin_gives_no_notice(course_admin, cohort, trainee, trainee2, tutor):
    services.member_change_role(
        membership=Membership.objects.get(user=trainee2, cohort=cohort), role=Role.COURSE_ADMIN, by=course_admin
    )
    services.member_change_role(membership=tutor_membership(tutor, cohort), role=Role.COURSE_ADMIN, by=course_admin)
    assert reader_notices() == []


# Assignments ---------------------------------------------------------------------------------------------------


def test_assigning_another_tutor_is_announced_to_the_trainee(course_admin, cohort, trainee, tutor, sam):
    Membership.objects.create(user=sam, cohort=cohort, role=Role.TUTOR)
    tutor_membership(tutor, cohort).assigned_trainees.add(trainee)
    services.tutors_assign(
        cohort=cohort, tutor=tutor_membership(sam, cohort), trainee_ids=[trainee.pk], by=course_admin
    )
    assert summaries(trainee) == ["Sam Tutor is now your assigned tutor in Autumn and can read your shared writing."]


def test_assigning_a_tutor_who_already_reads_the_trainee_gives_no_notice(course_admin, cohort, trainee, tutor, sam):
    """With no assigned tutor every tutor reads the trainee; assigning one narrows that."""
    Membership.objects.create(user=sam, cohort=cohort, role=Role.TUTOR)
    services.tutors_assign(
        cohort=cohort, tutor=tutor_membership(tutor, cohort), trainee_ids=[trainee.pk], by=course_admin
    )
    assert reader_notices() == []


def test_unassigning_a_trainees_only_tutor_opens_them_to_every_tutor_and_says_so(
    course_admin, cohort, trainee, tutor, sam
):
    Membership.objects.create(user=sam, cohort=cohort, role=Role.TUTOR)
    tutor_membership(tutor, cohort).assigned_trainees.add(trainee)
    services.tutors_assign(
        cohort=cohort, tutor=tutor_membership(tutor, cohort), trainee_ids=[trainee.pk], by=course_admin, unassign=True
    )
    assert [n.summary.split(",")[0] for n in reader_notices(trainee)] == ["Sam Tutor"]  # Charlie read them already


def test_removing_a_trainees_only_assigned_tutor_is_announced(course_admin, cohort, trainee, tutor, sam):
    Membership.objects.create(user=sam, cohort=cohort, role=Role.TUTOR)
    tutor_membership(tutor, cohort).assigned_trainees.add(trainee)
    services.member_remove(membership=tutor_membership(tutor, cohort), by=course_admin)
    assert [n.summary.split(",")[0] for n in reader_notices(trainee)] == ["Sam Tutor"]


def test_removing_a_trainee_gives_no_notice(course_admin, cohort, trainee, trainee2, tutor):
    services.member_remove(membership=Membership.objects.get(user=trainee2, cohort=cohort), by=course_admin)
    assert reader_notices() == []


# Moves ---------------------------------------------------------------------------------------------------------


def test_a_moved_trainee_is_told_about_each_new_reader_in_their_new_cohort(
    course_admin, cohort, other_cohort, trainee, tutor, other_tutor
):
    Membership.objects.create(user=tutor, cohort=other_cohort, role=Role.TUTOR)  # reads them in both cohorts
    services.member_move(
        membership=Membership.objects.get(user=trainee, cohort=cohort), to_cohort=other_cohort, by=course_admin
    )
    [notice] = reader_notices(trainee)
    assert (
        notice.summary == "You were moved to Spring: Dana Tutor, a tutor of Spring, can now read your shared writing."
    )
    assert notice.actor == course_admin


# Roster imports ------------------------------------------------------------------------------------------------


def test_a_roster_import_announces_a_new_tutor_to_the_trainees_they_read(course_admin, cohort, trainee, sam):
    roster.roster_apply(cohort=cohort, rows=roster.parse_bytes(csv_bytes(f"{sam.email},,,tutor,")), by=course_admin)
    assert [n.summary.split(",")[0] for n in reader_notices(trainee)] == ["Sam Tutor"]


def test_a_roster_import_that_assigns_a_second_tutor_announces_them(course_admin, cohort, trainee, tutor, sam):
    tutor_membership(tutor, cohort).assigned_trainees.add(trainee)
    rows = roster.parse_bytes(csv_bytes(f"{sam.email},,,tutor,", f"{trainee.email},,,trainee,{sam.email}"))
    roster.roster_apply(cohort=cohort, rows=rows, by=course_admin)
    # The import replaces Charlie with Sam, so Sam is the one new reader.
    assert summaries(trainee) == ["Sam Tutor is now your assigned tutor in Autumn and can read your shared writing."]


def test_a_roster_import_adding_a_course_admin_gives_no_notice(course_admin, cohort, trainee, sam):
    roster.roster_apply(
        cohort=cohort, rows=roster.parse_bytes(csv_bytes(f"{sam.email},,,course admin,")), by=course_admin
    )
    assert Membership.objects.filter(user=sam, cohort=cohort, role=Role.COURSE_ADMIN).exists()
    assert reader_notices() == []


def test_a_roster_import_tells_hundreds_of_trainees_in_a_fixed_number_of_queries(
    course_admin, programme, cohort, other_cohort, user_factory
):
    counts = []
    for target, size in ((cohort, 5), (other_cohort, 120)):
        for n in range(size):
            Membership.objects.create(
                user=user_factory(f"t{n}-{target.pk}@example.test"), cohort=target, role="trainee"
            )
        tutor = user_factory(f"new-tutor-{target.pk}@example.test")
        rows = roster.parse_bytes(csv_bytes(f"{tutor.email},,,tutor,"))
        with CaptureQueriesContext(connection) as queries:
            roster.roster_apply(cohort=target, rows=rows, by=course_admin)
        counts.append(len(queries))
        assert Notification.objects.filter(kind=NotificationKind.READER_ADDED, actor=course_admin).count() >= size
    assert counts[0] == counts[1]


# Invitations ---------------------------------------------------------------------------------------------------


def test_an_invitation_accepted_as_tutor_is_announced_with_the_inviter_as_actor(course_admin, cohort, trainee):
    invitation = CohortInvitation.objects.create(
        cohort=cohort, email="nina@example.org", role=Role.TUTOR, invited_by=course_admin, sent_at=timezone.now()
    )
    invitations.invitation_accept(invitation=invitation, display_name="Nina New", password="tender-harbour-lantern-93")
    [notice] = reader_notices(trainee)
    assert notice.summary.startswith("Nina New, a tutor of Autumn, can now read your shared writing")
    assert notice.actor == course_admin


# Self-appointment ----------------------------------------------------------------------------------------------


def test_a_course_admin_who_makes_themselves_tutor_of_another_cohort_is_marked_and_announced(
    user_factory, cohort, other_cohort, client_for
):
    gail = user_factory("gail@example.test", "Gail Admin")
    Membership.objects.create(user=gail, cohort=cohort, role=Role.COURSE_ADMIN)  # runs the programme, not Spring itself
    tom = user_factory("tom@example.test", "Tom Trainee")
    Membership.objects.create(user=tom, cohort=other_cohort, role=Role.TRAINEE)
    shared_entry(tom, other_cohort)
    client = client_for(gail)
    response = client.post(f"/manage/cohorts/{other_cohort.pk}/members/add/", {"email": gail.email, "role": "tutor"})
    assert response.status_code == 302
    event = AuditEvent.objects.get()
    assert (event.actor, event.subject, event.cohort, event.self_appointed) == (gail, gail, other_cohort, True)
    [notice] = reader_notices(tom)
    assert notice.summary.startswith("Gail Admin, a tutor of Spring, can now read your shared writing")
    assert notice.actor == gail
    page = client.get(f"/manage/cohorts/{other_cohort.pk}/audit/").content.decode()
    assert 'Gail Admin <span class="badge text-bg-warning">gave themselves this role</span>' in page


# The bulk rule ---------------------------------------------------------------------------------------------------


def test_the_bulk_readers_agree_with_the_one_trainee_rule(cohort, trainee, trainee2, tutor, sam):
    Membership.objects.create(user=sam, cohort=cohort, role=Role.TUTOR)
    tutor_membership(sam, cohort).assigned_trainees.add(trainee2)
    bulk = tutor_readers_in(cohort.pk)
    for person in (trainee, trainee2):
        assert set(bulk[person.pk]) == {reader.user.pk for reader in tutor_readers_of(person)}
    assert bulk[trainee.pk] == {tutor.pk: "cohort", sam.pk: "cohort"}
    assert bulk[trainee2.pk] == {sam.pk: "assigned"}
