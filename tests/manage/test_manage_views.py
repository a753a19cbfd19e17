"""/manage/: the course admin's home, programmes, cohorts and archiving."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from reflect.assessment.models import Submission, SubmissionStatus
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.journal.models import JournalEntry, Status, Visibility
from reflect.manage.views import cohort_figures
from reflect.reminders.models import ReminderSchedule
from tests.reflect.assessment_factories import make_checkpoint, make_rubric

pytestmark = pytest.mark.django_db

MARKER = "ZQX-PRIVATE-MARKER"
# Session, user, the menu (unread notifications, runs a programme); programmes, cohorts,
# role counts, journaled counts, checkpoint counts.
HOME_QUERIES = 8


@pytest.fixture
def staff(user_factory):
    return user_factory("sam@example.test", "Sam Staff", is_staff=True)


def cohort_data(**overrides) -> dict:
    data = {
        "name": "Winter",
        "start_date": "2027-01-10",
        "end_date": "2027-12-10",
        "time_zone": "Europe/Berlin",
        "reminder_weekday": "2",
        "reminder_time": "19:30",
    }
    data.update(overrides)
    return data


def object_urls(programme, cohort) -> list[str]:
    return [
        f"/manage/programmes/{programme.pk}/edit/",
        f"/manage/programmes/{programme.pk}/cohorts/new/",
        f"/manage/cohorts/{cohort.pk}/edit/",
        f"/manage/cohorts/{cohort.pk}/archive/",
        f"/manage/cohorts/{cohort.pk}/members/",
    ]


# --- Access -----------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, programme, cohort):
    for url in ["/manage/", "/manage/programmes/new/", *object_urls(programme, cohort)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_admin_of_another_programme_gets_404_everywhere(frank, programme, cohort, client_for):
    client = client_for(frank)
    for url in object_urls(programme, cohort):
        assert client.get(url).status_code == 404, url
        if not url.endswith("/members/"):  # GET only; its actions are tested in test_members
            assert client.post(url, cohort_data()).status_code == 404, url
    assert client.post(f"/manage/cohorts/{cohort.pk}/unarchive/").status_code == 404
    cohort.refresh_from_db()
    assert cohort.archived_at is None and cohort.name == "Autumn"


@pytest.mark.parametrize("persona", ["trainee", "tutor"])
def test_trainee_and_tutor_get_404_for_objects_and_a_friendly_home(persona, request, programme, cohort, client_for):
    client = client_for(request.getfixturevalue(persona))
    for url in ["/manage/programmes/new/", *object_urls(programme, cohort)]:
        assert client.get(url).status_code == 404, url
    response = client.get("/manage/")
    assert response.status_code == 200
    assert "You have no programmes to manage" in response.content.decode()
    assert "Create a programme" not in response.content.decode()


def test_staff_with_no_programmes_sees_empty_state(staff, client_for):
    response = client_for(staff).get("/manage/")
    assert response.status_code == 200
    assert "No programmes yet" in response.content.decode()
    assert "/manage/programmes/new/" in response.content.decode()


# --- Home and figures -----------------------------------------------------------


def test_home_lists_programmes_and_cohorts_with_figures(
    course_admin, trainee, trainee2, tutor, cohort, other_cohort, make_entry, client_for
):
    make_entry(trainee, cohort)
    make_entry(trainee2, cohort, draft=True)
    response = client_for(course_admin).get("/manage/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Test Diploma in Counselling" in body and "Autumn" in body and "Spring" in body
    figures = response.context["programmes"][0].active_cohorts
    autumn = next(c for c in figures if c.pk == cohort.pk)
    assert autumn.figures["trainees"] == 2
    assert autumn.figures["tutors"] == 1
    assert autumn.figures["journaled_pct"] == 50
    assert "How the figures are counted" in body


def test_figures_count_outstanding_and_overdue_submissions(trainee, trainee2, cohort):
    rubric = make_rubric(cohort.programme)
    past = make_checkpoint(cohort, rubric, due_in_days=-3, title="Past")
    future = make_checkpoint(cohort, rubric, due_in_days=10, title="Future")
    Submission.objects.create(checkpoint=past, trainee=trainee, status=SubmissionStatus.SUBMITTED)
    Submission.objects.create(checkpoint=future, trainee=trainee, status=SubmissionStatus.DRAFT)
    Submission.objects.create(checkpoint=future, trainee=trainee2, status=SubmissionStatus.SUBMITTED)
    fig = cohort_figures([cohort.pk])[cohort.pk]
    # Past: trainee2 missing (overdue). Future: trainee missing (draft does not count).
    assert fig["outstanding"] == 2
    assert fig["overdue"] == 1


def test_journaled_share_ignores_old_entries_and_non_trainees(trainee, trainee2, tutor, cohort, make_entry):
    old = make_entry(trainee, cohort)
    JournalEntry.objects.filter(pk=old.pk).update(published_at=timezone.now() - datetime.timedelta(days=8))
    make_entry(tutor, cohort)
    fig = cohort_figures([cohort.pk])[cohort.pk]
    assert fig["journaled"] == 0 and fig["journaled_pct"] == 0


def test_archived_cohorts_are_in_a_collapsed_section(course_admin, other_cohort, client_for):
    other_cohort.archived_at = timezone.now()
    other_cohort.save()
    response = client_for(course_admin).get("/manage/")
    programme = response.context["programmes"][0]
    assert [c.name for c in programme.active_cohorts] == ["Autumn"]
    assert [c.name for c in programme.archived_cohorts] == ["Spring"]
    assert "<details" in response.content.decode()


def _fill_cohort(cohort, size: int) -> None:
    User = get_user_model()
    users = User.objects.bulk_create(
        User(email=f"t{cohort.pk}-{n}@example.test", display_name=f"Trainee {n}") for n in range(size)
    )
    Membership.objects.bulk_create(Membership(user=u, cohort=cohort, role=Role.TRAINEE) for u in users)
    now = timezone.now()
    JournalEntry.objects.bulk_create(
        JournalEntry(author=u, cohort=cohort, title=MARKER, body=MARKER, status=Status.PUBLISHED, published_at=now)
        for u in users[::2]
    )
    checkpoint = make_checkpoint(cohort, due_in_days=-1)
    Submission.objects.bulk_create(
        Submission(checkpoint=checkpoint, trainee=u, status=SubmissionStatus.SUBMITTED, summary=MARKER)
        for u in users[::3]
    )


@pytest.mark.parametrize("size", [10, 200])
def test_home_queries_do_not_grow(course_admin, cohort, other_cohort, client_for, django_assert_num_queries, size):
    _fill_cohort(cohort, size)
    _fill_cohort(other_cohort, size)
    client = client_for(course_admin)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/manage/")
    assert response.status_code == 200
    fig = response.context["programmes"][0].active_cohorts[0].figures
    assert fig["trainees"] == size
    assert fig["journaled"] == len(range(0, size, 2))
    assert fig["overdue"] == size - len(range(0, size, 3))
    assert MARKER not in response.content.decode()


# --- Programmes -------------------------------------------------------------------


PROGRAMME = {"name": "MA Psychotherapy", "required_client_hours": 100, "required_personal_therapy_hours": 40}


def test_staff_creates_a_programme_and_becomes_its_admin(staff, client_for):
    response = client_for(staff).post("/manage/programmes/new/", PROGRAMME)
    programme = Programme.objects.get(name="MA Psychotherapy")
    assert response.status_code == 302
    assert response["Location"] == f"/manage/programmes/{programme.pk}/cohorts/new/"
    assert list(programme.admins.all()) == [staff]


def test_admin_may_create_another_programme(course_admin, client_for):
    client = client_for(course_admin)
    assert client.get("/manage/programmes/new/").status_code == 200
    data = {"name": "Second", "required_client_hours": 50, "required_personal_therapy_hours": 20}
    assert client.post("/manage/programmes/new/", data).status_code == 302
    assert course_admin in Programme.objects.get(name="Second").admins.all()


def test_duplicate_programme_name_is_refused(course_admin, programme, client_for):
    data = {"name": programme.name, "required_client_hours": 1, "required_personal_therapy_hours": 1}
    response = client_for(course_admin).post("/manage/programmes/new/", data)
    assert response.status_code == 400
    assert "There is already a programme with this name" in response.content.decode()


def test_admin_edits_programme(course_admin, programme, client_for):
    data = {"name": "Renamed", "required_client_hours": 120, "required_personal_therapy_hours": 40}
    response = client_for(course_admin).post(f"/manage/programmes/{programme.pk}/edit/", data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Renamed" and programme.required_client_hours == 120


# --- Cohorts ------------------------------------------------------------------------


def test_admin_creates_cohort_with_schedule_and_becomes_its_course_admin(course_admin, programme, client_for):
    response = client_for(course_admin).post(f"/manage/programmes/{programme.pk}/cohorts/new/", cohort_data())
    cohort = Cohort.objects.get(name="Winter")
    assert response.status_code == 302
    assert response["Location"] == f"/manage/cohorts/{cohort.pk}/members/"
    assert cohort.time_zone == "Europe/Berlin"
    assert Membership.objects.filter(user=course_admin, cohort=cohort, role=Role.COURSE_ADMIN).exists()
    schedule = ReminderSchedule.objects.get(cohort=cohort)
    assert (schedule.weekday, schedule.local_time) == (2, datetime.time(19, 30))


def test_named_programme_admin_without_cohorts_can_add_one(user_factory, client_for):
    admin = user_factory("gill@example.test")
    programme = Programme.objects.create(name="New course")
    programme.admins.add(admin)
    response = client_for(admin).post(f"/manage/programmes/{programme.pk}/cohorts/new/", cohort_data())
    assert response.status_code == 302
    assert programme.cohorts.count() == 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"end_date": "2027-01-01"}, "The end date must be after the start date."),
        ({"end_date": "2027-01-10"}, "The end date must be after the start date."),
        ({"time_zone": "Mars/Olympus"}, "Choose a time zone from the list"),
        ({"name": "autumn"}, "already has a cohort called"),
        ({"start_date": "soon"}, "Enter a date such as"),
        ({"reminder_time": "evening"}, "Enter a time such as 18:00."),
    ],
)
def test_cohort_form_messages(course_admin, programme, cohort, client_for, overrides, message):
    response = client_for(course_admin).post(
        f"/manage/programmes/{programme.pk}/cohorts/new/", cohort_data(**overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Cohort.objects.filter(name="Winter").exists()


def test_admin_edits_cohort_and_schedule(course_admin, cohort, client_for):
    ReminderSchedule.objects.create(cohort=cohort)
    client = client_for(course_admin)
    page = client.get(f"/manage/cohorts/{cohort.pk}/edit/")
    assert page.status_code == 200
    data = cohort_data(name="Autumn 2026", time_zone="Europe/Dublin", reminder_weekday="0", reminder_time="07:15")
    assert client.post(f"/manage/cohorts/{cohort.pk}/edit/", data).status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.time_zone) == ("Autumn 2026", "Europe/Dublin")
    schedule = ReminderSchedule.objects.get(cohort=cohort)
    assert (schedule.weekday, schedule.local_time) == (0, datetime.time(7, 15))
    assert ReminderSchedule.objects.filter(cohort=cohort).count() == 1


def test_keeping_a_cohort_name_on_edit_is_not_a_duplicate(course_admin, cohort, client_for):
    data = cohort_data(name="Autumn")
    assert client_for(course_admin).post(f"/manage/cohorts/{cohort.pk}/edit/", data).status_code == 302


def test_archive_needs_confirmation_then_unarchive(course_admin, cohort, trainee, client_for):
    client = client_for(course_admin)
    page = client.get(f"/manage/cohorts/{cohort.pk}/archive/")
    assert page.status_code == 200
    assert "read-only for everyone" in page.content.decode()
    cohort.refresh_from_db()
    assert cohort.archived_at is None

    assert client.post(f"/manage/cohorts/{cohort.pk}/archive/").status_code == 302
    cohort.refresh_from_db()
    assert cohort.archived_at is not None
    assert Membership.objects.filter(cohort=cohort, user=trainee).exists()  # data kept
    assert client.get(f"/manage/cohorts/{cohort.pk}/edit/").status_code == 302  # archived: not editable

    assert client.post(f"/manage/cohorts/{cohort.pk}/unarchive/").status_code == 302
    cohort.refresh_from_db()
    assert cohort.archived_at is None


def test_unarchive_is_post_only(course_admin, cohort, client_for):
    assert client_for(course_admin).get(f"/manage/cohorts/{cohort.pk}/unarchive/").status_code == 405


# --- Privacy ------------------------------------------------------------------------


def test_no_entry_text_on_any_manage_page(course_admin, trainee, tutor, cohort, programme, make_entry, client_for):
    make_entry(trainee, cohort, title=MARKER, body=MARKER, body_note=MARKER, visibility=Visibility.SHARED)
    checkpoint = make_checkpoint(cohort, due_in_days=-1)
    Submission.objects.create(checkpoint=checkpoint, trainee=trainee, summary=MARKER, status=SubmissionStatus.SUBMITTED)
    membership = Membership.objects.get(user=trainee, cohort=cohort)
    client = client_for(course_admin)
    urls = [
        "/manage/",
        "/manage/programmes/new/",
        *object_urls(programme, cohort),
        f"/manage/cohorts/{cohort.pk}/members/{membership.pk}/remove/",
        f"/manage/cohorts/{cohort.pk}/members/{membership.pk}/move/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode(), url


@pytest.mark.parametrize(
    ("persona", "shown"), [("course_admin", True), ("frank", True), ("tutor", False), ("trainee", False)]
)
def test_the_menu_offers_manage_to_people_who_run_a_programme(request, client_for, persona, shown):
    page = client_for(request.getfixturevalue(persona)).get("/").content.decode()
    assert ('href="/manage/">Manage</a>' in page) is shown
