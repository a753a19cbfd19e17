"""A roster that mixes two text encodings is refused in the browser, with the lines
named and nothing written; never shown garbled. The same names saved as UTF-8 preview
spelled as typed."""

import re

import pytest
from playwright.sync_api import expect

from reflect.cohorts.models import Membership
from reflect.manage.models import CohortInvitation
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

HEADER = "Email,First name,Last name,Role\r\n"
JOSE = "jose.muller@example.org,José,Müller,trainee\r\n"
ZOE = "zoe.bronte@example.org,Zoë,Brontë,trainee\r\n"
PLAIN = "sam.smith@example.org,Sam,Smith,trainee\r\n"
# The one garbled name the refusal itself quotes, as an example of what it prevents.
EXAMPLE_IN_MESSAGE = "“JosÃ©”"


def _check_the_file(page, path) -> None:
    page.locator("input[name=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()


def _no_mojibake(text: str) -> None:
    text = text.replace(EXAMPLE_IN_MESSAGE, "")
    for garbled in ("Ã", "Â", "\ufffd"):
        assert garbled not in text, f"garbled text {garbled!r} on the page"


def test_a_mixed_encoding_roster_is_refused_then_a_utf8_one_previews_the_names(
    new_context, course_admin, cohort, tmp_path
):
    page = new_context().new_page()
    sign_in(page, course_admin.email)
    members_before = Membership.objects.filter(cohort=cohort).count()

    mixed = tmp_path / "mixed.csv"
    # Lines 1-2 and 4 UTF-8 (one with accents), line 3 pasted in from a Latin-1 file.
    mixed.write_bytes((HEADER + JOSE).encode("utf-8") + ZOE.encode("latin-1") + PLAIN.encode("utf-8"))
    page.goto(f"/manage/cohorts/{cohort.pk}/import/")
    _check_the_file(page, mixed)

    # Still on the upload page, told why and where.
    expect(page).to_have_url(re.compile(rf"/manage/cohorts/{cohort.pk}/import/$"))
    error = page.locator("main").get_by_text("This file mixes two text encodings")
    expect(error).to_be_visible()
    expect(error).to_contain_text("line 3 is saved differently")
    expect(error).to_contain_text("CSV UTF-8")
    expect(page.get_by_test_id("roster-preview")).to_have_count(0)
    _no_mojibake(page.locator("body").inner_text())
    page_text = page.locator("body").inner_text()
    assert "Müller" not in page_text and "Bront" not in page_text  # no half-decoded rows shown either
    # Nothing written.
    assert not CohortInvitation.objects.filter(cohort=cohort).exists()
    assert Membership.objects.filter(cohort=cohort).count() == members_before

    clean = tmp_path / "clean.csv"
    clean.write_bytes((HEADER + JOSE + ZOE + PLAIN).encode("utf-8"))
    _check_the_file(page, clean)
    preview = page.get_by_test_id("roster-preview")
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview).to_contain_text("José Müller")
    expect(preview).to_contain_text("Zoë Brontë")
    _no_mojibake(page.locator("body").inner_text())
    # A preview writes nothing yet either.
    assert not CohortInvitation.objects.filter(cohort=cohort).exists()
    assert Membership.objects.filter(cohort=cohort).count() == members_before
