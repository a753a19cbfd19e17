"""Roster import: applying a preview, once, and what it writes and sends."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reflect.cohorts.models import Cohort, Membership, Role
from reflect.feedback.models import Notification, NotificationKind
from reflect.manage import roster
from reflect.manage.models import CohortInvitation
from reflect.manage.roster_views import SESSION_KEY
from tests.manage.roster_helpers import apply, csv_bytes, import_file, preview_key, result_url, upload

pytestmark = pytest.mark.django_db


# Applying ------------------------------------------------------------------------------------------------------


def test_apply_invites_new_people_adds_existing_ones_and_assigns_tutors(
    admin_client, course_admin, cohort, trainee, tutor, user_factory, committed
):
    olga = user_factory("olga@example.test", "Olga Onsite")
    data = csv_bytes(
        "new@example.org,Nina,New,trainee,charlie@example.test",
        "tom@example.org,Tom,Tutor,tutor,",
        "amy@example.org,Amy,Ash,trainee,tom@example.org",
        "olga@example.test,Olga,Onsite,trainee,charlie@example.test",
        "alice@example.test,Alice,Trainee,trainee,charlie@example.test",
        "bad-email,,,,",
    )
    with committed():
        response = import_file(admin_client, cohort, data)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result["invited"], result["added"], result["updated"], result["unchanged"]) == (3, 1, 1, 0)
    assert [row["line"] for row in result["errors"]] == [7]
    assert "bad-email" in response.content.decode()

    invitations = {i.email: i for i in CohortInvitation.objects.filter(cohort=cohort)}
    assert set(invitations) == {"new@example.org", "tom@example.org", "amy@example.org"}
    assert invitations["amy@example.org"].tutor_email == "tom@example.org"
    assert invitations["tom@example.org"].role == Role.TUTOR
    assert all(i.sent_at and i.invited_by == course_admin for i in invitations.values())

    assert Membership.objects.filter(user=olga, cohort=cohort, role=Role.TRAINEE).exists()
    tutor_membership = Membership.objects.get(user=tutor, cohort=cohort, role=Role.TUTOR)
    assert set(tutor_membership.assigned_trainees.all()) == {olga, trainee}

    assert sorted(message.to[0] for message in mail.outbox) == [
        "amy@example.org",
        "new@example.org",
        "olga@example.test",
        "tom@example.org",
    ]
    added = next(message for message in mail.outbox if message.to == ["olga@example.test"])
    assert added.subject == "You've been added to Autumn on Reflect"
    assert "as a trainee" in added.body
    invitation_mail = next(message for message in mail.outbox if message.to == ["new@example.org"])
    assert "/invite/" in invitation_mail.body
    assert invitation_mail.alternatives[0][1] == "text/html"


def test_apply_notifies_people_added_in_app_but_not_the_admin_who_added_themselves(
    admin_client, course_admin, cohort, user_factory, committed
):
    olga = user_factory("olga@example.test", "Olga Onsite")
    with committed():
        import_file(admin_client, cohort, csv_bytes("olga@example.test,,,trainee,", "erin@example.test,,,tutor,"))
    (notice,) = Notification.objects.filter(kind=NotificationKind.COHORT_ADDED)
    assert notice.user == olga and notice.summary == "You were added to Autumn as a trainee"
    assert notice.emailed_at is not None  # its email is the "added" one, not a second digest
    assert [message.to for message in mail.outbox] == [["olga@example.test"]]


def test_emails_go_out_only_once_the_import_is_committed(admin_client, cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        import_file(admin_client, cohort, csv_bytes("new@example.org,,,trainee,"))
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [message.to for message in mail.outbox] == [["new@example.org"]]


def test_a_role_change_replaces_the_old_role_but_keeps_course_admins(admin_client, course_admin, cohort, trainee):
    import_file(admin_client, cohort, csv_bytes("alice@example.test,,,tutor,", "erin@example.test,,,tutor,"))
    assert set(Membership.objects.filter(cohort=cohort, user=trainee).values_list("role", flat=True)) == {Role.TUTOR}
    roles = set(Membership.objects.filter(cohort=cohort, user=course_admin).values_list("role", flat=True))
    assert roles == {Role.COURSE_ADMIN, Role.TUTOR}


def test_a_trainee_made_tutor_leaves_every_tutors_list(admin_client, cohort, trainee, tutor):
    Membership.objects.get(user=tutor, cohort=cohort, role=Role.TUTOR).assigned_trainees.add(trainee)
    import_file(admin_client, cohort, csv_bytes("alice@example.test,,,tutor,"))
    assert not Membership.assigned_trainees.through.objects.filter(user=trainee).exists()


def test_an_account_is_found_however_its_address_was_typed(admin_client, cohort, user_factory):
    max_ = user_factory("Mixed.Case@Example.test", "Max Mixed")
    key = preview_key(upload(admin_client, cohort, csv_bytes("mixed.case@example.test,,,trainee,")))
    preview = admin_client.get(reverse("reflect:manage-roster-preview", kwargs={"pk": cohort.pk, "key": key}))
    assert preview.context["counts"]["new"] == 0
    apply(admin_client, cohort, key)
    assert not CohortInvitation.objects.exists()
    assert Membership.objects.filter(cohort=cohort, user=max_, role=Role.TRAINEE).exists()


def test_reimporting_the_same_file_changes_nothing(admin_client, cohort, trainee, tutor, user_factory, committed):
    user_factory("olga@example.test", "Olga Onsite")
    data = csv_bytes(
        "new@example.org,Nina,New,trainee,tom@example.org",
        "tom@example.org,Tom,Tutor,tutor,",
        "olga@example.test,Olga,Onsite,trainee,charlie@example.test",
        "alice@example.test,Alice,Trainee,tutor,",
        "bad-email,,,,",
    )
    with committed():
        import_file(admin_client, cohort, data)
    memberships = list(Membership.objects.order_by("pk").values_list("pk", "user_id", "cohort_id", "role"))
    assignments = list(Membership.assigned_trainees.through.objects.order_by("pk").values_list("pk", flat=True))
    invitations = list(CohortInvitation.objects.order_by("pk").values_list("pk", "sent_at", "role", "tutor_email"))
    sent = len(mail.outbox)
    assert sent == 3  # two invitations, and Olga told she was added

    key = preview_key(upload(admin_client, cohort, data))
    preview = admin_client.get(reverse("reflect:manage-roster-preview", kwargs={"pk": cohort.pk, "key": key}))
    assert preview.context["counts"] == {"new": 0, "member": 4, "updated": 0, "error": 1}
    assert "There is nothing to change" in preview.content.decode()
    with committed():
        result = apply(admin_client, cohort, key, follow=True).context["result"]

    assert (result["invited"], result["added"], result["updated"], result["unchanged"]) == (0, 0, 0, 4)
    assert list(Membership.objects.order_by("pk").values_list("pk", "user_id", "cohort_id", "role")) == memberships
    assert list(Membership.assigned_trainees.through.objects.order_by("pk").values_list("pk", flat=True)) == assignments
    assert (
        list(CohortInvitation.objects.order_by("pk").values_list("pk", "sent_at", "role", "tutor_email")) == invitations
    )
    assert len(mail.outbox) == sent


def test_a_changed_row_updates_an_open_invitation_without_a_new_email(admin_client, cohort, tutor, committed):
    with committed():
        import_file(admin_client, cohort, csv_bytes("new@example.org,,,trainee,"))
        import_file(admin_client, cohort, csv_bytes("new@example.org,,,trainee,charlie@example.test"))
    invitation = CohortInvitation.objects.get()
    assert invitation.tutor_email == "charlie@example.test"
    assert len(mail.outbox) == 1


def test_apply_redirects_to_a_result_page_that_survives_a_reload(admin_client, cohort):
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,", "bad-email,,,,")))
    response = apply(admin_client, cohort, key)
    assert response.status_code == 302
    assert response.url == result_url(cohort, key)
    for _ in range(2):  # the page, then a reload
        page = admin_client.get(result_url(cohort, key))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Import applied to Autumn" in text
        assert "1 person invited by email" in text
        assert "1 row skipped because of an error" in text and "bad-email" in text
        assert "already been applied or has expired" not in text
    assert CohortInvitation.objects.count() == 1


def test_an_applied_preview_cannot_be_applied_twice(admin_client, cohort, committed):
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    with committed():
        apply(admin_client, cohort, key)
        response = apply(admin_client, cohort, key, follow=True)
    assert response.redirect_chain == [(result_url(cohort, key), 302)]
    text = response.content.decode()
    assert "This import had already been applied, so nothing was done twice." in text
    assert "1 person invited by email" in text
    assert CohortInvitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_second_submit_that_read_the_session_before_the_first_was_saved_does_not_apply(
    admin_client, cohort, monkeypatch
):
    """A double click: both requests may load the session before the first one takes the key out."""
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    stale = admin_client.session[SESSION_KEY]
    calls = []
    real_apply = roster.roster_apply
    monkeypatch.setattr(roster, "roster_apply", lambda **kwargs: calls.append(1) or real_apply(**kwargs))
    apply(admin_client, cohort, key)
    session = admin_client.session
    session[SESSION_KEY] = stale  # what the second request read
    session.save()
    response = apply(admin_client, cohort, key, follow=True)
    assert len(calls) == 1
    assert response.redirect_chain == [(reverse("reflect:manage-invitations", kwargs={"pk": cohort.pk}), 302)]
    assert "This import is already being applied, so it was not applied a second time." in response.content.decode()
    assert CohortInvitation.objects.count() == 1


def test_the_preview_of_an_applied_import_shows_its_result(admin_client, cohort):
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    apply(admin_client, cohort, key)
    response = admin_client.get(reverse("reflect:manage-roster-preview", kwargs={"pk": cohort.pk, "key": key}))
    assert response.status_code == 302 and response.url == result_url(cohort, key)


def test_a_result_from_another_session_or_cohort_is_not_shown(
    client_for, course_admin, admin_client, cohort, other_cohort
):
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    apply(admin_client, cohort, key)
    assert admin_client.get(result_url(other_cohort, key)).url == reverse(
        "reflect:manage-roster-import", kwargs={"pk": other_cohort.pk}
    )
    response = client_for(course_admin).get(result_url(cohort, key))  # a fresh session
    assert response.status_code == 302
    assert response.url == reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})


def test_the_result_lists_the_first_100_skipped_rows_and_counts_the_rest(admin_client, cohort):
    data = csv_bytes("new@example.org,,,,", *(f"bad-{n},,,," for n in range(130)))
    response = import_file(admin_client, cohort, data)
    text = response.content.decode()
    assert "130 rows skipped because of an error" in text
    assert len(response.context["result"]["errors"]) == 100
    assert "bad-99" in text and "bad-100" not in text
    assert "The first 100 of 130 rows skipped" in text
    assert "… and 30 more rows with an error, not listed here." in text
    assert "Fix them in your spreadsheet, then import the whole file again" in text


def test_a_few_skipped_rows_are_all_listed(admin_client, cohort):
    text = import_file(admin_client, cohort, csv_bytes("new@example.org,,,,", "bad-1,,,,")).content.decode()
    assert "bad-1" in text and "more rows with an error" not in text


def test_a_preview_key_is_bound_to_its_cohort(admin_client, cohort, other_cohort):
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    response = apply(admin_client, other_cohort, key)
    assert response.status_code == 302
    assert not CohortInvitation.objects.exists()


def _big_file(count: int) -> list[roster.Row]:
    return roster.parse_bytes(csv_bytes(*(f"person{n}@example.org,First{n},Last{n},trainee," for n in range(count))))


def test_apply_runs_a_fixed_number_of_queries_per_chunk(course_admin, cohort, programme):
    # SQLite caps the parameters of one INSERT, so bulk inserts there go ~70 rows at a
    # time; below that the count must not depend on the number of rows at all.
    second = Cohort.objects.create(
        programme=programme, name="Second", start_date=cohort.start_date, end_date=cohort.end_date
    )
    counts = []
    for target, size in ((cohort, 10), (second, 60)):
        with CaptureQueriesContext(connection) as queries:
            roster.roster_apply(cohort=target, rows=_big_file(size), by=course_admin)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] < 12


def test_a_1000_row_file_applies_in_a_few_dozen_queries(course_admin, cohort):
    with CaptureQueriesContext(connection) as queries:
        roster.roster_apply(cohort=cohort, rows=_big_file(1000), by=course_admin)
    assert len(queries) < 40
