"""Reading a roster file: CSV bytes in, one Row per person out, each row checked
on its own (email, role, tutor, duplicates) with the reason in plain words. A
file that can't be read at all raises RosterError; nothing is written."""

import csv
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from reflect.cohorts.models import Role

MAX_ROWS = 5_000
MAX_BYTES = 10 * 1024 * 1024

NEW, MEMBER, UPDATED, ERROR = "new", "member", "updated", "error"
STATUS_LABELS = {NEW: "New", MEMBER: "Already a member", UPDATED: "Updated", ERROR: "Error"}

# Header names, compared lower-case without spaces, underscores or hyphens.
COLUMNS = {
    "email": "email",
    "emailaddress": "email",
    "firstname": "first_name",
    "givenname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "role": "role",
    "tutoremail": "tutor_email",
    "tutor": "tutor_email",
}
ROLES = {
    "trainee": Role.TRAINEE,
    "tutor": Role.TUTOR,
    "courseadmin": Role.COURSE_ADMIN,
    "admin": Role.COURSE_ADMIN,
}
TEMPLATE_ROWS = [
    ["email", "first name", "last name", "role", "tutor email"],
    ["sam.tutor@example.org", "Sam", "Okafor", "tutor", ""],
    ["alex.trainee@example.org", "Alex", "Morgan", "trainee", "sam.tutor@example.org"],
]


class RosterError(Exception):
    """The file can't be imported at all; the message says why, in plain words."""


@dataclass
class Row:
    line: int
    email: str
    first_name: str = ""
    last_name: str = ""
    role: str = Role.TRAINEE
    tutor_email: str = ""
    error: str = ""
    # Filled in by classify():
    status: str = ""
    detail: str = ""

    def to_list(self) -> list:
        return [self.line, self.email, self.first_name, self.last_name, self.role, self.tutor_email, self.error]

    @classmethod
    def from_list(cls, values: list) -> "Row":
        return cls(*values)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "")

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role


# Reading the file ----------------------------------------------------------------------------------------------


def parse_upload(upload) -> list[Row]:
    """Rows of an uploaded file (a Django UploadedFile). Raises RosterError."""
    if upload.size > MAX_BYTES:
        raise RosterError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; the largest we can import is 10 MB. "
            "Split it into smaller files."
        )
    return parse_bytes(upload.read())


def parse_bytes(data: bytes) -> list[Row]:
    if len(data) > MAX_BYTES:
        raise RosterError("The file is larger than 10 MB. Split it into smaller files.")
    return parse_text(decode(data))


def decode(data: bytes) -> str:
    """UTF-8 (with or without Excel's byte-order mark), else Windows-1252, which older
    Excel versions save. A binary file (a spreadsheet workbook, an image) is refused,
    and so is a file that mixes the two (lines pasted from different sources):
    decoding it either way would garble some names without anyone noticing."""
    if b"\x00" in data:
        raise RosterError(_not_csv())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _refuse_mixed(data)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise RosterError(_not_csv()) from None
    if any(ord(char) < 32 and char not in "\t\r\n" for char in text):
        raise RosterError(_not_csv())
    return text


def _refuse_mixed(data: bytes) -> None:
    """Raise if some lines are UTF-8 with accented letters and others are not UTF-8."""
    utf8_accented, not_utf8 = False, []
    for number, line in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        try:
            utf8_accented |= not line.decode("utf-8").isascii()
        except UnicodeDecodeError:
            not_utf8.append(number)
    if utf8_accented and not_utf8:
        shown = ", ".join(str(n) for n in not_utf8[:5]) + (" and more" if len(not_utf8) > 5 else "")
        raise RosterError(
            f"This file mixes two text encodings: {'lines' if len(not_utf8) > 1 else 'line'} {shown} "
            f"{'are' if len(not_utf8) > 1 else 'is'} saved differently from the rest, so names with accents "
            "would come out garbled "
            "(“JosÃ©” instead of “José”). Check the names on those lines, then in your spreadsheet "
            "choose File → Save As → “CSV UTF-8 (comma delimited)” and upload that file."
        )


def _not_csv() -> str:
    return (
        "This doesn't look like a CSV file: it contains binary data (an Excel workbook, perhaps). "
        "In your spreadsheet, choose File → Save As → “CSV UTF-8 (comma delimited)” and upload that file."
    )


def parse_text(text: str) -> list[Row]:
    text = text.lstrip("\r\n")
    first_line = text.split("\n", 1)[0]
    declared = re.fullmatch(r"sep=(.)\s*", first_line.strip("\r"))  # Excel's "sep=;" line
    if declared:
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise RosterError("The file is empty. The first line should name the columns, with one person on each line.")
    if declared:
        delimiter = declared.group(1)
    else:
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns = _columns(_next(reader))
    rows: list[Row] = []
    while True:
        start = reader.line_num + 1
        record = _next(reader, start)
        if record is None:
            break
        if not any(value.strip() for value in record):
            continue  # blank lines, including Excel's trailing ";;;;"
        if len(rows) == MAX_ROWS:
            raise RosterError(f"The file has more than {MAX_ROWS:,} people. Split it into smaller files.")
        rows.append(_row(start, record, columns))
    if not rows:
        raise RosterError("The file has a header line but nobody below it.")
    _mark_duplicates(rows)
    return rows


def _next(reader, start: int = 1) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        if "end of data" in str(error) or "unexpected end" in str(error):
            raise RosterError(
                f'Line {start}: a quotation mark (") opens a value that never closes. '
                "Check that line for a stray quotation mark."
            ) from None
        raise RosterError(
            f"Line {start} can't be read ({error}). Check that line for a stray quotation mark."
        ) from None


def _columns(header: list[str] | None) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header or []):
        key = "".join(name.lower().split()).replace("_", "").replace("-", "")
        if key in COLUMNS and COLUMNS[key] not in columns:
            columns[COLUMNS[key]] = index
    if "email" not in columns:
        raise RosterError(
            "The file needs an email column. Its first line should name the columns: "
            "email, first name, last name, role, tutor email (download the template to see an example)."
        )
    return columns


def _row(line: int, record: list[str], columns: dict[str, int]) -> Row:
    def value(name: str) -> str:
        index = columns.get(name)
        return record[index].strip() if index is not None and index < len(record) else ""

    row = Row(
        line=line,
        email=value("email").lower(),
        first_name=value("first_name")[:80],
        last_name=value("last_name")[:80],
        tutor_email=value("tutor_email").lower(),
    )
    role = value("role")
    row.role = ROLES.get("".join(role.lower().split()).replace("_", "").replace("-", "") or "trainee", "")
    row.error = row_error(row, role)
    if not row.role:
        row.role = role
    return row


def row_error(row: Row, role_text: str) -> str:
    """What is wrong with this row on its own, in plain words ("" when nothing)."""
    if not row.email:
        return "No email address."
    if not _is_email(row.email):
        return f"“{row.email}” is not a valid email address."
    if not row.role:
        return f"Unknown role “{role_text}”: use trainee, tutor or course admin."
    if row.tutor_email:
        if not _is_email(row.tutor_email):
            return f"The tutor email “{row.tutor_email}” is not a valid email address."
        if row.role != Role.TRAINEE:
            return "Only a trainee can be given a tutor: leave the tutor email empty for this role."
        if row.tutor_email == row.email:
            return "A trainee can't be their own tutor."
    return ""


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return len(value) <= 254


def _mark_duplicates(rows: list[Row]) -> None:
    first_line: dict[str, int] = {}
    for row in rows:
        if not row.email:
            continue
        if row.email in first_line:
            row.error = row.error or f"Duplicate row: {row.email} is already on line {first_line[row.email]}."
        else:
            first_line[row.email] = row.line


def template_csv() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(TEMPLATE_ROWS)
    return buffer.getvalue()
