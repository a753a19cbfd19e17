"""Roster import: reading CSV files into rows, with plain-words errors."""

import pytest

from reflect.cohorts.models import Role
from reflect.manage import roster
from tests.manage.roster_helpers import csv_bytes

pytestmark = pytest.mark.django_db


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


def test_it_refuses_a_file_that_mixes_encodings_and_names_the_lines():
    header_and_utf8 = "email,first name,last name\r\njose@example.org,José,Müller\r\n".encode()
    cp1252_line = "zoe@example.org,Zoë,Brontë\r\n".encode("cp1252")
    with pytest.raises(roster.RosterError) as refused:
        roster.parse_bytes(header_and_utf8 + cp1252_line)
    assert "mixes two text encodings: line 3 is saved differently" in str(refused.value)
    assert "CSV UTF-8" in str(refused.value)


def test_a_file_all_in_windows_1252_is_still_read():
    data = "email,first name\r\njose@example.org,José\r\nzoe@example.org,Zoë\r\n".encode("cp1252")
    assert [row.first_name for row in roster.parse_bytes(data)] == ["José", "Zoë"]


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
