"""Publishing after the session expired: the sign-in page says nothing was saved and
where the text is."""

import pytest

from tests.reflect.test_journal_editor import form_data

pytestmark = pytest.mark.django_db

NOTICE = "nothing was published or saved"


def test_publishing_after_the_session_expired_says_nothing_was_saved(trainee, cohort, client_for, make_entry):
    entry = make_entry(trainee, cohort)
    response = client_for(None).post(f"/journal/{entry.pk}/edit/", form_data(cohort), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert NOTICE in page and "kept your text in this browser" in page


def test_a_new_entry_posted_after_the_session_expired_gets_the_notice(cohort, client_for):
    response = client_for(None).post("/journal/new/", form_data(cohort), follow=True)
    assert NOTICE in response.content.decode()


@pytest.mark.parametrize("query", ["", "?next=/journal/", "?next=https://evil.example/journal/new/"])
def test_other_sign_ins_carry_no_notice(client_for, query):
    response = client_for(None).get(f"/accounts/login/{query}")
    assert response.status_code == 200
    assert NOTICE not in response.content.decode()
