"""Every staff action writes exactly one audit event, naming who did it, to whom and
where, and never any journal text; the log cannot be changed or deleted."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reflect.assessment import services as assessment_services
from reflect.audit.models import Action, AuditEvent
from reflect.audit.services import audit_record
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.manage import invitations
from reflect.manage.models import CohortInvitation
from tests.manage.audit_helpers import assert_no_journal_text, only_event, shared_entry
from tests.manage.member_helpers import members_url, membership
from tests.manage.roster_helpers import csv_bytes, import_file
from tests.reflect.assessment_factories import make_checkpoint, make_submission, mark

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _journal(trainee, cohort):
    """Every test runs with shared writing in the cohort, which must never reach the log."""
    shared_entry(trainee, cohort)


@pytest.fixture
def sam(user_factory):
    return user_factory("sam@example.test", "Sam Tutor")


# Members -------------------------------------------------------------------------------------------------------


def test_adding_a_member_records_who_added_whom_as_what(admin_client, course_admin, cohort, sam):
    admin_client.post(members_url(cohort, "add/"), {"email": sam.email, "role": Role.TUTOR})
    event = only_event(action=Action.MEMBER_ADDED, actor=course_admin, subject=sam, cohort=cohort)
    assert event.detail == "as tutor"
    assert not event.self_appointed


def test_a_refused_add_records_nothing(admin_client, cohort, trainee):
    response = admin_client.post(members_url(cohort, "add/"), {"email": trainee.email, "role": Role.TRAINEE})
    assert response.status_code == 400
    assert not AuditEvent.objects.exists()


def test_removing_a_member_records_their_old_role(admin_client, course_admin, cohort, tutor):
    admin_client.post(members_url(cohort, f"{membership(tutor, cohort, Role.TUTOR).pk}/remove/"))
    event = only_event(action=Action.MEMBER_REMOVED, actor=course_admin, subject=tutor, cohort=cohort)
    assert event.detail == "was tutor"


def test_changing_a_role_records_from_and_to(admin_client, course_admin, cohort, trainee2):
    url = members_url(cohort, f"{membership(trainee2, cohort).pk}/role/")
    admin_client.post(url, {"role": Role.TUTOR, "confirm": "1"})
    event = only_event(action=Action.ROLE_CHANGED, actor=course_admin, subject=trainee2, cohort=cohort)
    assert event.detail == "from trainee to tutor"


def test_assigning_trainees_records_the_tutor_and_the_trainees(admin_client, course_admin, cohort, tutor, trainee):
    data = {"tutor": membership(tutor, cohort, Role.TUTOR).pk, "trainees": [trainee.pk], "action": "assign"}
    admin_client.post(members_url(cohort, "assign/"), data)
    event = only_event(action=Action.ASSIGNMENT_CHANGED, actor=course_admin, subject=tutor, cohort=cohort)
    assert event.detail == "1 trainee assigned to Charlie Tutor: Alice Trainee"


def test_unassigning_is_recorded_too(admin_client, course_admin, cohort, tutor, trainee, trainee2):
    tutor_membership = membership(tutor, cohort, Role.TUTOR)
    tutor_membership.assigned_trainees.add(trainee, trainee2)
    data = {"tutor": tutor_membership.pk, "trainees": [trainee.pk, trainee2.pk], "action": "unassign"}
    admin_client.post(members_url(cohort, "assign/"), data)
    event = only_event(action=Action.ASSIGNMENT_CHANGED, actor=course_admin, subject=tutor)
    assert event.detail == "2 trainees unassigned from Charlie Tutor: Alice Trainee, Bob Trainee"


def test_moving_a_trainee_is_recorded_in_the_cohort_they_join(
    admin_client, course_admin, cohort, other_cohort, trainee
):
    url = members_url(cohort, f"{membership(trainee, cohort).pk}/move/")
    admin_client.post(url, {"to_cohort": other_cohort.pk})
    event = only_event(action=Action.TRAINEE_MOVED, actor=course_admin, subject=trainee, cohort=other_cohort)
    assert event.detail == "from Autumn to Spring, with 1 entry"


# Roster imports ------------------------------------------------------------------------------------------------


def test_an_import_of_new_people_is_one_event_with_its_counts(admin_client, course_admin, cohort):
    import_file(admin_client, cohort, csv_bytes("new1@example.org,,,,", "new2@example.org,,,,", "bad,,,,"))
    event = only_event(action=Action.ROSTER_IMPORTED, actor=course_admin, cohort=cohort, subject=None)
    assert event.detail == "2 invited, 0 added, 0 updated, 0 unchanged, 1 skipped with errors"


def test_an_import_also_records_each_person_added_or_given_a_new_role(
    admin_client, course_admin, cohort, sam, trainee2
):
    import_file(admin_client, cohort, csv_bytes(f"{sam.email},,,tutor,", f"{trainee2.email},,,tutor,"))
    imported = AuditEvent.objects.get(action=Action.ROSTER_IMPORTED)
    assert imported.detail == "0 invited, 1 added, 1 updated, 0 unchanged, 0 skipped with errors"
    added = AuditEvent.objects.get(action=Action.MEMBER_ADDED)
    assert (added.actor, added.subject, added.cohort) == (course_admin, sam, cohort)
    assert added.detail == "as tutor, by import"
    changed = AuditEvent.objects.get(action=Action.ROLE_CHANGED)
    assert (changed.subject, changed.detail) == (trainee2, "from trainee to tutor, by import")
    assert AuditEvent.objects.count() == 3
    assert_no_journal_text()


def test_a_course_admin_who_imports_themselves_as_tutor_is_marked_self_appointed(admin_client, course_admin, cohort):
    import_file(admin_client, cohort, csv_bytes(f"{course_admin.email},,,tutor,"))
    event = AuditEvent.objects.get(action=Action.ROLE_CHANGED)
    assert event.subject == course_admin and event.self_appointed
    assert event.detail == "also tutor, by import"


# Invitations ---------------------------------------------------------------------------------------------------


@pytest.fixture
def invitation(cohort, course_admin):
    return CohortInvitation.objects.create(
        cohort=cohort, email="nina@example.org", role=Role.TUTOR, invited_by=course_admin, sent_at=timezone.now()
    )


def test_sending_an_invitation_again_is_recorded(admin_client, course_admin, cohort, invitation):
    admin_client.post(reverse("reflect:manage-invitation-resend", kwargs={"pk": invitation.pk}))
    event = only_event(action=Action.INVITATION_SENT, actor=course_admin, cohort=cohort, subject=None)
    assert event.detail == "sent again to nina@example.org as tutor"


def test_withdrawing_an_invitation_is_recorded(admin_client, course_admin, cohort, invitation):
    admin_client.post(reverse("reflect:manage-invitation-revoke", kwargs={"pk": invitation.pk}))
    event = only_event(action=Action.INVITATION_WITHDRAWN, actor=course_admin, cohort=cohort)
    assert event.detail == "withdrawn for nina@example.org as tutor"


def test_withdrawing_a_closed_invitation_records_nothing(admin_client, invitation):
    CohortInvitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    admin_client.post(reverse("reflect:manage-invitation-revoke", kwargs={"pk": invitation.pk}))
    assert not AuditEvent.objects.exists()


def test_an_accepted_invitation_records_the_member_added_by_the_inviter(client, course_admin, cohort, invitation):
    token = invitations.invitation_token(invitation)
    password = "tender-harbour-lantern-93"
    data = {"display_name": "Nina", "password1": password, "password2": password}
    client.post(reverse("reflect:invitation-accept", kwargs={"token": token}), data)
    nina = Membership.objects.get(cohort=cohort, role=Role.TUTOR, user__email="nina@example.org").user
    event = only_event(action=Action.MEMBER_ADDED, actor=course_admin, subject=nina, cohort=cohort)
    assert event.detail == "as tutor, by accepting an invitation"
    assert not event.self_appointed


# Feedback, archiving, exports ----------------------------------------------------------------------------------


def test_releasing_feedback_is_recorded_with_the_checkpoint_and_outcome(tutor, trainee, cohort):
    submission = make_submission(make_checkpoint(cohort), trainee)
    assessment = mark(submission, tutor, feedback="qzAudBody feedback")
    assessment_services.assessment_release(assessment=assessment, by=tutor)
    event = only_event(action=Action.FEEDBACK_RELEASED, actor=tutor, subject=trainee, cohort=cohort)
    assert event.detail == "for “First portfolio”, attempt 1: Pass"


def test_archiving_and_unarchiving_are_recorded(admin_client, course_admin, cohort):
    admin_client.post(reverse("reflect:manage-cohort-archive", kwargs={"pk": cohort.pk}))
    only_event(action=Action.COHORT_ARCHIVED, actor=course_admin, cohort=cohort)
    admin_client.post(reverse("reflect:manage-cohort-archive", kwargs={"pk": cohort.pk}))  # already archived
    assert AuditEvent.objects.count() == 1
    admin_client.post(reverse("reflect:manage-cohort-unarchive", kwargs={"pk": cohort.pk}))
    unarchived = AuditEvent.objects.get(action=Action.COHORT_UNARCHIVED)
    assert (unarchived.actor, unarchived.cohort) == (course_admin, cohort)
    assert Cohort.objects.get(pk=cohort.pk).archived_at is None


def test_downloading_the_engagement_report_is_recorded_as_an_export(admin_client, course_admin, cohort):
    response = admin_client.get(reverse("reflect:manage-report-csv", kwargs={"pk": cohort.pk}))
    assert response.status_code == 200
    event = only_event(action=Action.EXPORTED, actor=course_admin, cohort=cohort)
    assert event.detail == "engagement report CSV, 1 trainee"


# Append-only ---------------------------------------------------------------------------------------------------


@pytest.fixture
def event(course_admin, cohort, trainee):
    return audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=trainee)


def test_an_event_cannot_be_saved_again(event):
    event.detail = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(TypeError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_log_cannot_be_updated_or_deleted_in_bulk(event):
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_someone_acting_on_themselves_is_marked_self_appointed(course_admin, cohort, trainee):
    assert audit_record(actor=course_admin, action=Action.MEMBER_ADDED, subject=course_admin).self_appointed
    assert not audit_record(actor=course_admin, action=Action.MEMBER_ADDED, subject=trainee).self_appointed
