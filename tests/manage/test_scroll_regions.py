"""Every table on a course admin's pages that may scroll sideways is a focusable,
named region, so a keyboard user can scroll it too."""

import re

import pytest
from django.utils import timezone

from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.manage.models import CohortInvitation
from tests.reflect.assessment_factories import make_checkpoint

pytestmark = pytest.mark.django_db

SCROLLER = re.compile(r'<div class="table-responsive[^"]*"[^>]*>')


@pytest.fixture
def filled_cohort(cohort, trainee, tutor, course_admin):
    audit_record(actor=course_admin, action=Action.COHORT_ARCHIVED, cohort=cohort)
    CohortInvitation.objects.create(cohort=cohort, email="new@example.org", sent_at=timezone.now())
    return cohort, make_checkpoint(cohort)


def test_it_makes_each_sideways_scrolling_manage_table_a_keyboard_region(client_for, course_admin, filled_cohort):
    cohort, checkpoint = filled_cohort
    client = client_for(course_admin)
    pages = [
        "/manage/",
        f"/manage/cohorts/{cohort.pk}/members/",
        f"/manage/cohorts/{cohort.pk}/invitations/",
        f"/manage/cohorts/{cohort.pk}/checkpoints/",
        f"/manage/cohorts/{cohort.pk}/checkpoints/{checkpoint.pk}/",
        f"/manage/cohorts/{cohort.pk}/audit/",
        f"/manage/cohorts/{cohort.pk}/report/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        scrollers = SCROLLER.findall(html)
        assert scrollers, url
        for div in scrollers:
            assert 'tabindex="0"' in div and 'role="region"' in div and "aria-label" in div, (url, div)


def test_it_makes_the_cohort_dashboard_and_checkpoint_tables_keyboard_regions(
    client_for, tutor, course_admin, filled_cohort
):
    cohort, checkpoint = filled_cohort
    for user in (tutor, course_admin):
        for url in (f"/cohorts/{cohort.pk}/", f"/checkpoints/{checkpoint.pk}/"):
            html = client_for(user).get(url).content.decode()
            scrollers = SCROLLER.findall(html)
            assert scrollers, url
            for div in scrollers:
                assert 'tabindex="0"' in div and 'role="region"' in div and "aria-label" in div, (url, div)


def test_it_stacks_the_members_table_into_labelled_cards_on_a_phone(client_for, course_admin, cohort, trainee):
    html = client_for(course_admin).get(f"/manage/cohorts/{cohort.pk}/members/").content.decode()
    assert 'class="table table-sm align-middle table-stack"' in html
    assert '<td data-label="Role">' in html
