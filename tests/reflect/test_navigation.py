"""The menu: each person sees what their roles use (the union when they hold several), at
most seven items, with the rest under the account menu; and /favicon.ico answers."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from reflect.cohorts.models import Membership, Programme, Role

pytestmark = pytest.mark.django_db

ACCOUNT_MENU = ["Email settings", "Account", "Sign out"]


@pytest.fixture
def programme_admin(user_factory, programme):
    """Runs the programme through Programme.admins, with no membership anywhere."""
    user = user_factory("grace@example.test", "Grace Programme")
    programme.admins.add(user)
    return user


def _nav(page: str) -> str:
    return page[page.index('<nav class="navbar') : page.index("</nav>")]


def menu(client, path: str = "/") -> tuple[list[str], list[str]]:
    """(the items on the bar, the items under the account menu) of a page."""
    nav = _nav(client.get(path).content.decode())
    bar = [
        re.sub(r"<.*", "", text, flags=re.S).strip()
        for text in re.findall(r'class="nav-link[^"]*"[^>]*>(.*?)</a>', nav)
    ]
    account = [text.strip() for text in re.findall(r'class="dropdown-item"[^>]*>([^<]+)<', nav)]
    return bar, account


def test_a_trainee_gets_the_journal_and_no_rubrics_or_manage(trainee, client_for):
    bar, account = menu(client_for(trainee))

    assert bar == ["Home", "Journal", "New entry", "Portfolio", "Notifications"]
    assert account == ["Trash", *ACCOUNT_MENU]


def test_a_tutor_gets_no_journal_new_entry_or_trash(tutor, client_for):
    bar, account = menu(client_for(tutor))

    assert bar == ["Home", "Portfolio", "Rubrics", "Notifications"]
    assert account == ACCOUNT_MENU


@pytest.mark.parametrize("persona", ["course_admin", "programme_admin"])
def test_people_who_run_a_programme_get_rubrics_and_manage_but_no_journal(persona, request, client_for):
    bar, account = menu(client_for(request.getfixturevalue(persona)))

    assert bar == ["Home", "Portfolio", "Rubrics", "Manage", "Notifications"]
    assert account == ACCOUNT_MENU


def test_several_roles_see_the_union_and_never_more_than_seven(trainee, cohort, other_cohort, client_for):
    Membership.objects.create(user=trainee, cohort=other_cohort, role=Role.TUTOR)
    Programme.objects.create(name="Another Diploma").admins.add(trainee)

    bar, account = menu(client_for(trainee))

    assert bar == ["Home", "Journal", "New entry", "Portfolio", "Rubrics", "Manage", "Notifications"]
    assert account == ["Trash", *ACCOUNT_MENU]


def test_a_trainee_of_an_archived_cohort_still_reaches_their_journal(trainee, cohort, client_for):
    cohort.archived_at = timezone.now()
    cohort.save(update_fields=["archived_at"])

    assert menu(client_for(trainee))[0] == ["Home", "Journal", "New entry", "Portfolio", "Notifications"]


def test_someone_with_no_role_yet_gets_home_and_notifications(user_factory, client_for):
    bar, account = menu(client_for(user_factory("nobody@example.test")))

    assert bar == ["Home", "Notifications"]
    assert account == ACCOUNT_MENU


def test_a_site_operator_gets_manage_to_create_programmes_and_the_site_admin(user_factory, client_for):
    operator = user_factory("ops@example.test", is_staff=True, is_superuser=True)

    bar, account = menu(client_for(operator))

    assert bar == ["Home", "Manage", "Notifications"]
    assert account == ["Email settings", "Account", "Site administration", "Sign out"]


def test_the_account_menu_is_a_dropdown_button_with_the_person_named(trainee, client_for):
    nav = _nav(client_for(trainee).get("/").content.decode())

    toggle = re.search(r"<button[^>]*data-bs-toggle=\"dropdown\"[^>]*>(.*?)</button>", nav, flags=re.S)
    assert toggle and 'aria-expanded="false"' in toggle.group(0) and 'type="button"' in toggle.group(0)
    assert "Alice Trainee" in toggle.group(1)
    assert 'aria-labelledby="account-menu"' in nav
    # Sign out stays a POST, inside the menu.
    assert re.search(r'<form method="post" action="/accounts/logout/">.*?Sign out', nav, flags=re.S)
    # The collapsed (phone) menu still has its toggler for the whole bar.
    assert 'data-bs-target="#nav"' in nav and 'id="nav"' in nav


@pytest.mark.parametrize(
    ("path", "current"),
    [("/", "Home"), ("/journal/", "Journal"), ("/journal/new/", "New entry"), ("/checkpoints/", "Portfolio")],
)
def test_the_page_you_are_on_is_marked_in_the_menu(trainee, client_for, path, current):
    nav = _nav(client_for(trainee).get(path).content.decode())

    assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == [current]


def test_a_course_admin_opening_new_entry_is_not_told_to_ask_a_course_admin(course_admin, client_for):
    page = client_for(course_admin).get("/journal/new/").content.decode()

    assert "Your course admin can add you" not in page
    assert "Journals in Reflect are kept by trainees" in page


def test_someone_with_no_role_is_told_who_can_add_them(user_factory, client_for):
    page = client_for(user_factory("nobody@example.test")).get("/journal/new/").content.decode()

    assert "Your course admin can add you" in page


def test_favicon_is_linked_and_served(client, settings, trainee, client_for):
    settings.WHITENOISE_USE_FINDERS = True  # serve static files from static/ without collectstatic
    page = client_for(trainee).get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in page
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page

    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [("/static/favicon.ico", 302)]
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert finders.find("favicon.svg")


def test_a_trainee_whose_cohort_was_archived_is_told_so_on_new_entry(trainee, cohort, client_for):
    cohort.archived_at = timezone.now()
    cohort.save(update_fields=["archived_at"])

    page = client_for(trainee).get("/journal/new/").content.decode()

    assert "Your cohort has been archived, so new entries can't be written." in page
