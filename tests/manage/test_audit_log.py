"""The audit log under /manage/cohorts/<id>/audit/ (and its CSV), and in the Django admin."""

import csv
import io

import pytest
from django.urls import reverse

from reflect.audit.models import Action, AuditEvent
from reflect.audit.services import audit_record
from tests.manage.audit_helpers import BODY_MARKER, TITLE_MARKER, shared_entry

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 6  # session, user, cohort, count, the unread-notices badge, the page of events


def log_url(cohort, **query) -> str:
    url = reverse("reflect:manage-audit-log", kwargs={"pk": cohort.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_url(cohort) -> str:
    return reverse("reflect:manage-audit-log-csv", kwargs={"pk": cohort.pk})


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def listed(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


# Who may read it -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["trainee", "tutor", "frank", "other_tutor"])
def test_only_those_who_run_the_programme_can_open_the_log(persona, request, cohort, client_for, course_admin):
    audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=cohort)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(log_url(cohort)).status_code == 404
    assert client.get(csv_url(cohort)).status_code == 404
    assert AuditEvent.objects.count() == 1  # a refused download is not an export


def test_anonymous_visitors_are_sent_to_sign_in(client, cohort):
    response = client.get(log_url(cohort))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_programme_admin_reads_the_log_of_every_cohort_of_the_programme(
    user_factory, programme, cohort, client_for, course_admin
):
    head = user_factory("pat@example.test", "Pat Head")
    programme.admins.add(head)
    audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=cohort)
    response = client_for(head).get(log_url(cohort))
    assert response.status_code == 200
    assert [e.action for e in listed(response)] == [Action.COHORT_ARCHIVED]


def test_the_log_lists_only_this_cohorts_events_newest_first(admin_client, course_admin, cohort, other_cohort):
    first = audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=cohort)
    audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=other_cohort)
    second = audit_record(actor=course_admin, action=Action.COHORT_UNARCHIVED, cohort=cohort)
    response = admin_client.get(log_url(cohort))
    assert listed(response) == [second, first]


def test_the_cohort_pages_have_an_audit_log_tab(admin_client, cohort):
    page = admin_client.get(reverse("reflect:manage-members", kwargs={"pk": cohort.pk})).content.decode()
    assert f'href="{log_url(cohort)}">Audit log</a>' in page
    page = admin_client.get(log_url(cohort)).content.decode()
    assert f'aria-current="page" href="{log_url(cohort)}">Audit log</a>' in page


def test_the_page_shows_no_journal_text(admin_client, course_admin, trainee, cohort):
    shared_entry(trainee, cohort)
    audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=trainee, detail="as trainee")
    page = admin_client.get(log_url(cohort)).content.decode()
    assert "Alice Trainee" in page
    assert TITLE_MARKER not in page and BODY_MARKER not in page


# Self-appointment ----------------------------------------------------------------------------------------------


def test_a_self_appointed_row_carries_a_badge_in_words(admin_client, course_admin, trainee, cohort):
    audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=course_admin, detail="as tutor")
    audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=trainee, detail="as trainee")
    page = admin_client.get(log_url(cohort)).content.decode()
    assert page.count("gave themselves this role</span>") == 1 + 1  # the row, and the key above the table
    assert page.count("data-self-appointed") == 1


# Filters and pages ---------------------------------------------------------------------------------------------


def test_the_log_filters_by_action(admin_client, course_admin, trainee, cohort):
    audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=trainee)
    removed = audit_record(actor=course_admin, action=Action.MEMBER_REMOVED, cohort=cohort, subject=trainee)
    assert listed(admin_client.get(log_url(cohort, action=Action.MEMBER_REMOVED))) == [removed]


def test_an_unknown_action_filter_is_ignored(admin_client, course_admin, cohort):
    audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=cohort)
    response = admin_client.get(log_url(cohort, action="nonsense"))
    assert response.status_code == 200 and len(listed(response)) == 1


@pytest.mark.parametrize(
    "search, expected",
    [
        ("Erin admin", {"d1"}),  # the actor's name
        ("erin@", {"d1"}),  # the actor's email
        ("Alice Trainee", {"d2"}),  # the subject's name ("Trainee" is in no email)
        ("bob@example", {"d3"}),  # the subject's email
        ("nina@", {"invitation to nina@example.org"}),  # an invitee with no account, in the detail
    ],
)
def test_the_log_filters_by_person_acting_or_acted_on(
    search, expected, admin_client, course_admin, trainee, trainee2, tutor, cohort
):
    audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=cohort, detail="d1")
    audit_record(actor=tutor, action=Action.FEEDBACK_RELEASED, cohort=cohort, subject=trainee, detail="d2")
    audit_record(actor=tutor, action=Action.FEEDBACK_RELEASED, cohort=cohort, subject=trainee2, detail="d3")
    audit_record(actor=tutor, action=Action.INVITATION_SENT, cohort=cohort, detail="invitation to nina@example.org")
    found = {e.detail for e in listed(admin_client.get(log_url(cohort, person=search)))}
    assert found == expected


def test_the_log_is_paged_fifty_at_a_time_newest_first(admin_client, course_admin, cohort):
    events = [
        audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=cohort, detail=f"event {n}")
        for n in range(51)
    ]
    first = admin_client.get(log_url(cohort))
    assert listed(first) == events[::-1][:50]
    second = admin_client.get(log_url(cohort, page=2, action=Action.COHORT_ARCHIVED))
    assert listed(second) == [events[0]]
    assert "action=cohort_archived&amp;page=1" in second.content.decode()


@pytest.mark.parametrize("size", [5, 60])
def test_the_page_costs_the_same_queries_whatever_the_size(
    size, admin_client, course_admin, trainee, cohort, django_assert_num_queries
):
    for n in range(size):
        audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=trainee, detail=str(n))
    with django_assert_num_queries(PAGE_QUERIES):
        response = admin_client.get(log_url(cohort, person="alice"))
    assert len(listed(response)) == min(size, 50)


# CSV -----------------------------------------------------------------------------------------------------------


def test_the_csv_has_every_matching_event_with_its_people(admin_client, course_admin, trainee, cohort):
    audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=trainee, detail="as trainee")
    audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=course_admin, detail="as tutor")
    response = admin_client.get(csv_url(cohort))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="autumn-audit-log.csv"'
    header, *rows = read_csv(response)
    assert header == ["When (UTC)", "Action", "By", "By email", "Person", "Person email", "Self-appointed", "Detail"]
    assert [row[1:] for row in rows] == [
        [
            "Member added",
            "Erin Admin",
            "erin@example.test",
            "Erin Admin",
            "erin@example.test",
            "yes: gave themselves this role",
            "as tutor",
        ],
        ["Member added", "Erin Admin", "erin@example.test", "Alice Trainee", "alice@example.test", "", "as trainee"],
    ]


def test_the_csv_keeps_the_filters_and_is_itself_recorded_as_an_export(admin_client, course_admin, trainee, cohort):
    audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=trainee)
    audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=cohort)
    rows = read_csv(admin_client.get(csv_url(cohort) + "?action=member_added"))
    assert [row[1] for row in rows[1:]] == ["Member added"]
    export = AuditEvent.objects.get(action=Action.EXPORTED)
    assert (export.actor, export.cohort) == (course_admin, cohort)
    assert export.detail == "audit log CSV, 1 rows, filtered by action “member_added”"
    assert AuditEvent.objects.count() == 3


def test_a_name_typed_as_a_formula_is_text_in_the_csv(admin_client, course_admin, user_factory, cohort):
    sly = user_factory("sly@example.test", "=HYPERLINK(1)")
    audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=sly)
    rows = read_csv(admin_client.get(csv_url(cohort)))
    assert rows[1][4] == "'=HYPERLINK(1)"


# Django admin --------------------------------------------------------------------------------------------------


@pytest.fixture
def operator_client(client_for, django_user_model):
    return client_for(django_user_model.objects.create_superuser(email="root@example.test", password="a-long-pw-42"))


def test_the_django_admin_lists_the_log_but_cannot_change_it(operator_client, course_admin, trainee, cohort):
    event = audit_record(actor=course_admin, action=Action.MEMBER_ADDED, cohort=cohort, subject=trainee, detail="x")
    changelist = operator_client.get(reverse("admin:reflect_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "Alice Trainee" in changelist.content.decode()
    assert operator_client.get(reverse("admin:reflect_auditevent_add")).status_code == 403
    change_url = reverse("admin:reflect_auditevent_change", args=[event.pk])
    view = operator_client.get(change_url)
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()
    assert operator_client.post(change_url, {"detail": "rewritten"}).status_code == 403
    delete_url = reverse("admin:reflect_auditevent_delete", args=[event.pk])
    assert operator_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).detail == "x"
