"""Roster import: the pages, the preview, and who may use them."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from reflect.cohorts.models import Cohort, Membership
from reflect.manage import roster
from reflect.manage.models import CohortInvitation
from reflect.manage.roster_views import SESSION_KEY
from tests.manage.roster_helpers import (
    csv_bytes,
    import_file,
    nothing_written,
    preview_key,
    upload,
)

pytestmark = pytest.mark.django_db


# The pages -----------------------------------------------------------------------------------------------------


def test_the_import_page_documents_the_columns_and_links_the_template(admin_client, cohort):
    response = admin_client.get(reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("reflect:manage-roster-template") in page
    assert "alex.trainee@example.org" in page


def test_the_template_downloads_as_csv(admin_client):
    response = admin_client.get(reverse("reflect:manage-roster-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="reflect-roster-template.csv"'
    assert response.content.decode().startswith("email,first name,last name,role,tutor email\r\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,role\r\nAmy,trainee\r\n", "The file needs an email column"),
        (b"PK\x03\x04\x00\x00binary", "doesn&#x27;t look like a CSV file"),
        (b'email\r\n"amy@example.org\r\n', "Line 2: a quotation mark"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(admin_client, cohort, data, message):
    response = upload(admin_client, cohort, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert SESSION_KEY not in admin_client.session
    nothing_written()


def test_a_file_over_10_mb_is_refused_before_reading(admin_client, cohort):
    data = csv_bytes("amy@example.org,,,,") + b"x" * (10 * 1024 * 1024)
    response = upload(admin_client, cohort, data)
    assert response.status_code == 400
    assert "the largest we can import is 10 MB" in response.content.decode()
    nothing_written()


def test_a_file_of_5001_rows_is_refused(admin_client, cohort):
    response = upload(admin_client, cohort, csv_bytes(*(f"p{n}@example.org,,,," for n in range(5001))))
    assert response.status_code == 400
    assert "more than 5,000 people" in response.content.decode()
    nothing_written()


def test_the_preview_marks_every_row_and_writes_nothing(admin_client, cohort, trainee, trainee2, tutor, user_factory):
    user_factory("olga@example.test", "Olga Onsite")
    data = csv_bytes(
        "new@example.org,Nina,New,trainee,charlie@example.test",
        "alice@example.test,Alice,Trainee,trainee,",
        "bob@example.test,Bob,Trainee,tutor,",
        "olga@example.test,Olga,Onsite,trainee,",
        "bad-email,Bad,Email,trainee,",
        "role@example.org,Role,Unknown,wizard,",
        "lost@example.org,Lost,Trainee,trainee,nobody@example.org",
        "new@example.org,Nina,Again,trainee,",
        ",No,Email,trainee,",
    )
    response = admin_client.get(
        reverse(
            "reflect:manage-roster-preview",
            kwargs={"pk": cohort.pk, "key": preview_key(upload(admin_client, cohort, data))},
        )
    )
    assert response.status_code == 200
    rows = {row.line: row for row in response.context["page"].object_list}
    assert {line: row.status for line, row in rows.items()} == {
        2: "new",
        3: "member",
        4: "updated",
        5: "updated",
        6: "error",
        7: "error",
        8: "error",
        9: "error",
        10: "error",
    }
    assert rows[4].detail == "Role changes from trainee to tutor."
    assert "will be added to the cohort" in rows[5].detail
    assert "not a valid email address" in rows[6].detail
    assert "Unknown role" in rows[7].detail
    assert "nobody@example.org is not a tutor in this cohort" in rows[8].detail
    assert "Duplicate row" in rows[9].detail
    assert rows[10].detail == "No email address."
    assert response.context["counts"] == {"new": 1, "member": 1, "updated": 2, "error": 5}
    page = response.content.decode()
    assert "Apply 3 changes, skip 5 rows in error" in page
    nothing_written()
    assert not Membership.objects.filter(user__email="olga@example.test").exists()


def test_the_filters_show_counts_and_a_summary_links_to_the_rows_in_error(admin_client, cohort):
    """Two bad rows at the end of a long file: the first page shows none of them, so the top says so."""
    data = csv_bytes(*(f"p{n}@example.org,,,," for n in range(150)), "bad-email,,,,", "p1@example.org,,,,")
    url = reverse(
        "reflect:manage-roster-preview",
        kwargs={"pk": cohort.pk, "key": preview_key(upload(admin_client, cohort, data))},
    )
    response = admin_client.get(url)
    text = " ".join(response.content.decode().split())
    assert all(row.status == "new" for row in response.context["page"].object_list)
    assert "2 rows of 152 have errors and will be skipped." in text
    assert '<a href="?status=error">Show the rows with errors</a>' in text
    for label, count in [("All", 152), ("New", 150), ("Already a member", 0), ("Updated", 0), ("Error", 2)]:
        assert re.search(rf'>{label} <span class="badge [^"]*">{count}</span></a>', text), label
    errors = admin_client.get(url, {"status": "error"})
    assert [row.line for row in errors.context["page"].object_list] == [152, 153]
    assert "Show the rows with errors" not in errors.content.decode()


def test_a_file_without_errors_has_no_error_summary(admin_client, cohort):
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    response = admin_client.get(reverse("reflect:manage-roster-preview", kwargs={"pk": cohort.pk, "key": key}))
    assert "will be skipped." not in response.content.decode()


def test_the_check_and_apply_buttons_show_progress(admin_client, cohort):
    page = admin_client.get(reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})).content.decode()
    assert 'data-busy-label="Checking…"' in page
    assert '<script src="/static/js/busy-forms.js"></script>' in page
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    preview = admin_client.get(reverse("reflect:manage-roster-preview", kwargs={"pk": cohort.pk, "key": key}))
    assert 'data-busy-label="Applying…"' in preview.content.decode()
    assert '<script src="/static/js/busy-forms.js"></script>' in preview.content.decode()
    assert finders.find("js/busy-forms.js")


def test_a_tutor_row_in_the_same_file_counts_as_a_tutor_in_the_cohort(cohort):
    rows = roster.parse_bytes(csv_bytes("amy@example.org,,,trainee,tom@example.org", "tom@example.org,,,tutor,"))
    assert [row.status for row in roster.classify(cohort, rows)] == ["new", "new"]


# Access --------------------------------------------------------------------------------------------------------


def _urls(cohort, key="abc"):
    return [
        ("get", reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})),
        ("post", reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})),
        ("get", reverse("reflect:manage-roster-preview", kwargs={"pk": cohort.pk, "key": key})),
        ("post", reverse("reflect:manage-roster-apply", kwargs={"pk": cohort.pk, "key": key})),
        ("get", reverse("reflect:manage-roster-result", kwargs={"pk": cohort.pk, "key": key})),
    ]


@pytest.mark.parametrize("persona", ["outsider", "trainee", "tutor"])
def test_people_who_do_not_run_the_programme_get_404(request, client_for, course_admin, cohort, persona):
    admin_client = client_for(course_admin)
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    client = client_for(request.getfixturevalue(persona))
    for method, url in _urls(cohort, key):
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{persona} {method} {url}: {response.status_code}"
    assert not CohortInvitation.objects.exists()


@pytest.mark.parametrize("persona", ["trainee", "tutor"])
def test_only_people_who_run_a_programme_get_the_template(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("reflect:manage-roster-template"))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, cohort):
    for method, url in [*_urls(cohort), ("get", reverse("reflect:manage-roster-template"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_an_archived_cohort_takes_no_imports_and_sends_its_admin_to_the_invitations(admin_client, cohort):
    key = preview_key(upload(admin_client, cohort, csv_bytes("new@example.org,,,,")))
    Cohort.objects.filter(pk=cohort.pk).update(archived_at="2026-10-01T00:00:00Z")
    invitations_url = reverse("reflect:manage-invitations", kwargs={"pk": cohort.pk})
    for method, url in _urls(cohort, key):
        response = getattr(admin_client, method)(url, follow=True)
        assert response.redirect_chain == [(invitations_url, 302)], f"{method} {url}"
        assert "Autumn is archived, so nobody can be imported into it." in response.content.decode()
    nothing_written()


def test_outsiders_still_get_404_for_an_archived_cohort(client_for, outsider, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(archived_at="2026-10-01T00:00:00Z")
    assert (
        client_for(outsider).get(reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})).status_code == 404
    )


def test_a_programme_admin_without_a_membership_can_import(client_for, user_factory, programme, cohort):
    admin = user_factory("pat@example.test", "Pat Programme")
    programme.admins.add(admin)
    response = import_file(client_for(admin), cohort, csv_bytes("new@example.org,,,,"))
    assert response.status_code == 200 and "1 person invited by email" in response.content.decode()
    assert CohortInvitation.objects.get().invited_by == admin
