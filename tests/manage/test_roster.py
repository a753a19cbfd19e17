"""Roster import: reading CSV files, the preview, applying it, and who may do it."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.feedback.models import Notification, NotificationKind
from reflect.manage import roster
from reflect.manage.models import CohortInvitation
from reflect.manage.roster_views import SESSION_KEY

pytestmark = pytest.mark.django_db

HEADER = "email,first name,last name,role,tutor email\r\n"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\r\n" for line in lines)).encode()


def upload(client, cohort, data: bytes, name: str = "roster.csv"):
    url = reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def preview_key(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url.rstrip("/").rsplit("/", 1)[-1]


def apply(client, cohort, key, **kwargs):
    return client.post(reverse("reflect:manage-roster-apply", kwargs={"pk": cohort.pk, "key": key}), **kwargs)


def result_url(cohort, key) -> str:
    return reverse("reflect:manage-roster-result", kwargs={"pk": cohort.pk, "key": key})


def import_file(client, cohort, data: bytes):
    """Upload, apply, and follow the redirect to the result page."""
    return apply(client, cohort, preview_key(upload(client, cohort, data)), follow=True)


def nothing_written():
    assert not CohortInvitation.objects.exists()
    assert mail.outbox == []


@pytest.fixture
def admin_client(client_for, course_admin):
    return client_for(course_admin)


@pytest.fixture
def outsider(user_factory):
    """Runs a different programme."""
    user = user_factory("frank@example.test", "Frank Elsewhere")
    Programme.objects.create(name="Another Programme").admins.add(user)
    return user


# Parsing -------------------------------------------------------------------------------------------------------


def test_it_reads_a_plain_file():
    rows = roster.parse_bytes(
        csv_bytes("Amy@Example.org,Amy,Ash,trainee,tom@example.org", "tom@example.org,Tom,,tutor,")
    )
    assert [(r.line, r.email, r.first_name, r.last_name, r.role, r.tutor_email, r.error) for r in rows] == [
        (2, "amy@example.org", "Amy", "Ash", Role.TRAINEE, "tom@example.org", ""),
        (3, "tom@example.org", "Tom", "", Role.TUTOR, "", ""),
    ]


def test_it_handles_a_utf8_bom_and_accents():
    data = "\ufeffEmail,First Name,Last Name\r\nzoe@example.org,Zoë,Brontë\r\n".encode()
    (row,) = roster.parse_bytes(data)
    assert (row.email, row.first_name, row.last_name, row.role) == ("zoe@example.org", "Zoë", "Brontë", Role.TRAINEE)


def test_it_handles_semicolons_and_excel_quoting():
    data = (
        'E-mail;First_Name;LAST NAME;Role;Tutor_Email\r\n"zoe@example.org";"Zoë; ""Zed""";"O\'Neil\r\nSmith";'
        "Trainee;\r\n;;;;\r\n"
    ).encode("cp1252")
    (row,) = roster.parse_bytes(data)
    assert row.first_name == 'Zoë; "Zed"'
    assert row.last_name == "O'Neil\r\nSmith"
    assert row.error == ""


def test_it_follows_excels_sep_line():
    data = b"sep=;\r\nemail;first name\r\nzoe@example.org;Zoe, Z.\r\n"
    (row,) = roster.parse_bytes(data)
    assert (row.email, row.first_name, row.error) == ("zoe@example.org", "Zoe, Z.", "")


@pytest.mark.parametrize(
    "header",
    [
        "email,first name,last name,role,tutor email",
        "EMAIL,FIRST_NAME,LAST_NAME,ROLE,TUTOR_EMAIL",
        "Email,FirstName,LastName,Role,TutorEmail",
    ],
)
def test_it_matches_header_variants(header):
    (row,) = roster.parse_bytes(csv_bytes("amy@example.org,Amy,Ash,Tutor,", header=header + "\n"))
    assert (row.email, row.first_name, row.last_name, row.role) == ("amy@example.org", "Amy", "Ash", Role.TUTOR)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("trainee", Role.TRAINEE),
        ("TUTOR", Role.TUTOR),
        ("Course Admin", Role.COURSE_ADMIN),
        ("admin", Role.COURSE_ADMIN),
        ("", Role.TRAINEE),
    ],
)
def test_it_accepts_roles_in_any_case(text, role):
    (row,) = roster.parse_bytes(csv_bytes(f"amy@example.org,,,{text},"))
    assert (row.role, row.error) == (role, "")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not-an-email,Amy,Ash,trainee,", "“not-an-email” is not a valid email address."),
        (",Amy,Ash,trainee,", "No email address."),
        ("amy@example.org,Amy,Ash,student,", "Unknown role “student”: use trainee, tutor or course admin."),
        ("amy@example.org,Amy,Ash,trainee,nobody", "The tutor email “nobody” is not a valid email address."),
        ("amy@example.org,Amy,Ash,tutor,tom@example.org", "Only a trainee can be given a tutor"),
    ],
)
def test_it_marks_bad_rows_with_plain_reasons(line, message):
    (row,) = roster.parse_bytes(csv_bytes(line))
    assert message in row.error


def test_it_marks_the_second_of_two_rows_with_the_same_email():
    rows = roster.parse_bytes(csv_bytes("amy@example.org,Amy,,,", "AMY@example.org,Amy again,,,"))
    assert rows[0].error == ""
    assert rows[1].error == "Duplicate row: amy@example.org is already on line 2."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,role\r\nAmy,trainee\r\n", "The file needs an email column"),
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", "doesn't look like a CSV file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "doesn't look like a CSV file"),
        (b"", "The file is empty"),
        (b"email\r\n", "nobody below it"),
        (b'email,first name\r\namy@example.org,Amy\r\nbob@example.org,"Bob\r\ncat@example.org,Cat\r\n', "Line 3"),
    ],
)
def test_it_refuses_files_it_cannot_read(data, message):
    with pytest.raises(roster.RosterError, match=message):
        roster.parse_bytes(data)


def test_an_unclosed_quote_names_its_line():
    data = b'email,first name\r\namy@example.org,Amy\r\nbob@example.org,"Bob\r\ncat@example.org,Cat\r\n'
    with pytest.raises(roster.RosterError) as error:
        roster.parse_bytes(data)
    assert str(error.value).startswith('Line 3: a quotation mark (") opens a value that never closes.')


def test_it_refuses_more_than_5000_rows():
    data = csv_bytes(*(f"p{n}@example.org,,,," for n in range(5001)))
    with pytest.raises(roster.RosterError, match="more than 5,000 people"):
        roster.parse_bytes(data)
    assert len(roster.parse_bytes(csv_bytes(*(f"p{n}@example.org,,,," for n in range(5000))))) == 5000


def test_the_template_is_a_valid_roster():
    rows = roster.parse_bytes(roster.template_csv().encode())
    assert [row.error for row in rows] == ["", ""]


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
