"""The members list: search, filters, pages, ticking, move history, and its cost."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reflect.cohorts.models import Cohort, Membership, Role
from reflect.manage import member_views
from reflect.manage.models import MembershipMove
from tests.manage.member_helpers import members_url, membership, people_listed, tag

pytestmark = pytest.mark.django_db


# --- Search, filters and pages -------------------------------------------------------------


def test_search_by_name_or_email(course_admin, trainee, trainee2, tutor, cohort, client_for):
    client = client_for(course_admin)
    assert people_listed(client.get(members_url(cohort), {"q": "alice"})) == {"alice@example.test"}
    response = client.get(members_url(cohort), {"q": "BOB@example"})
    assert people_listed(response) == {"bob@example.test"}
    assert "<strong>1</strong> of 4 members matches." in response.content.decode()
    assert "Nobody matches this search" in client.get(members_url(cohort), {"q": "zed"}).content.decode()


def test_filter_by_role_and_trainees_without_a_tutor(course_admin, trainee, trainee2, tutor, cohort, client_for):
    membership(tutor, cohort, Role.TUTOR).assigned_trainees.add(trainee)
    client = client_for(course_admin)
    assert people_listed(client.get(members_url(cohort), {"show": "no_tutor"})) == {"bob@example.test"}
    assert people_listed(client.get(members_url(cohort), {"show": "trainee"})) == {trainee.email, trainee2.email}
    assert people_listed(client.get(members_url(cohort), {"show": "tutor"})) == {"charlie@example.test"}
    response = client.get(members_url(cohort), {"show": "boss"})
    assert response.status_code == 200 and "Choose one of the options in the list." in response.content.decode()
    assert len(people_listed(response)) == 4


def test_page_links_keep_the_search_and_filter(course_admin, trainee, trainee2, cohort, client_for, monkeypatch):
    monkeypatch.setattr(member_views, "PAGE_SIZE", 1)
    body = client_for(course_admin).get(members_url(cohort), {"q": "trainee", "show": "trainee"}).content.decode()
    assert f'href="{members_url(cohort)}?q=trainee&amp;show=trainee&amp;page=2"' in body


def test_page_links_after_a_failed_form_point_at_the_members_page(
    course_admin, trainee, trainee2, tutor, cohort, client_for, monkeypatch
):
    monkeypatch.setattr(member_views, "PAGE_SIZE", 2)
    client = client_for(course_admin)
    body = client.post(members_url(cohort, "add/"), {"email": "nobody@example.test"}).content.decode()
    assert f'href="{members_url(cohort)}?page=2"' in body and 'href="?page=2"' not in body
    data = {"action": "assign", "q": "trainee", "page": "1"}  # the list state the assign form carries
    body = client.post(members_url(cohort, "assign/"), data).content.decode()
    assert 'href="?' not in body
    assert people_listed(client.post(members_url(cohort, "assign/"), data)) == {trainee.email, trainee2.email}


def test_a_successful_assign_returns_to_the_same_filtered_list(course_admin, trainee, tutor, cohort, client_for):
    data = {"trainees": [trainee.pk], "tutor": membership(tutor, cohort, Role.TUTOR).pk, "action": "assign"}
    response = client_for(course_admin).post(members_url(cohort, "assign/"), {**data, "show": "no_tutor"})
    assert response["Location"] == members_url(cohort, "?show=no_tutor")


def test_trainees_on_a_page_can_all_be_ticked_at_once(course_admin, trainee, tutor, cohort, client_for):
    body = client_for(course_admin).get(members_url(cohort)).content.decode()
    assert 'aria-label="Tick every trainee on this page"' in tag(body, 'id="pick-all"')
    assert "js/pick-all.js" in body
    script = Path(finders.find("js/pick-all.js")).read_text()
    assert 'getElementById("pick-all")' in script


def test_page_url_tag_links_to_the_current_or_a_given_page():
    tags = "{% page_url '' 2 %} {% page_url 'q=a' 3 %} {% page_url 'q=a' 4 '/m/' %} "
    tags += "{% page_url '' 5 '/m/' 'moves_page' %}"
    html = Template("{% load reflect_tags %}" + tags).render(Context())
    assert html == "?page=2 ?q=a&amp;page=3 /m/?q=a&amp;page=4 /m/?moves_page=5"


# --- Moves history, details and cost -------------------------------------------------------


def test_every_past_move_can_be_reached(course_admin, trainee, cohort, other_cohort, client_for, monkeypatch):
    monkeypatch.setattr(member_views, "MOVES_PAGE_SIZE", 2)
    moves = [
        MembershipMove.objects.create(user=trainee, from_cohort=cohort, to_cohort=other_cohort, entries_moved=n)
        for n in range(3)
    ]
    client = client_for(course_admin)
    first = client.get(members_url(cohort))
    assert list(first.context["moves"]) == [moves[2], moves[1]]
    assert f'href="{members_url(cohort)}?moves_page=2"' in first.content.decode()
    assert list(client.get(members_url(cohort), {"moves_page": 2}).context["moves"]) == [moves[0]]


def test_small_details(course_admin, trainee, tutor, cohort, client_for):
    client = client_for(course_admin)
    body = client.get(members_url(cohort)).content.decode()
    assert '<th scope="col">Email delivery</th>' in body and "Tick trainees, then assign" in body
    crumbs = client.get(members_url(cohort, f"{membership(trainee, cohort).pk}/remove/")).content.decode()
    assert f'<a href="{members_url(cohort)}">Autumn</a></li>' in crumbs and 'aria-label="breadcrumb"' in crumbs
    Cohort.objects.filter(pk=cohort.pk).update(archived_at=timezone.now())
    body = client.get(members_url(cohort)).content.decode()
    assert "Tick trainees" not in body and 'name="trainees"' not in body


def test_members_page_queries_do_not_grow(course_admin, tutor, user_factory, cohort, other_cohort, client_for):
    client = client_for(course_admin)
    t = membership(tutor, cohort, Role.TUTOR)

    def queries() -> int:
        person = user_factory(f"p{Membership.objects.count()}@example.test")
        Membership.objects.create(user=person, cohort=cohort, role=Role.TRAINEE)
        t.assigned_trainees.add(person)
        MembershipMove.objects.create(user=person, from_cohort=other_cohort, to_cohort=cohort, entries_moved=1)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(members_url(cohort)).status_code == 200
        return len(captured)

    assert queries() == queries() == queries()
