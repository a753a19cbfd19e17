"""/manage/cohorts/<id>/checkpoints/: list, create, edit, close and reopen a cohort's checkpoints."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reflect.assessment import services
from reflect.assessment.checkpoints import checkpoint_close, checkpoint_create, checkpoint_update
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Checkpoint
from reflect.audit.models import Action, AuditEvent
from reflect.cohorts.models import Membership
from tests.reflect.assessment_factories import make_checkpoint, make_rubric, make_submission, mark

pytestmark = pytest.mark.django_db

MARKER = "Qz9PRIVATEzq"


def list_url(cohort) -> str:
    return reverse("reflect:manage-checkpoints", args=[cohort.pk])


def create_url(cohort) -> str:
    return reverse("reflect:manage-checkpoint-create", args=[cohort.pk])


def url(name: str, checkpoint) -> str:
    return reverse(f"reflect:manage-checkpoint{name}", args=[checkpoint.cohort_id, checkpoint.pk])


def form_data(rubric, **overrides) -> dict:
    data = {
        "title": "End of first term",
        "instructions": "Choose **three** entries.",
        "due_date": "2030-07-01",
        "due_time": "17:00",
        "rubric": str(rubric.pk),
        "reminder_days": "7, 1",
        "second_marker": "",
        "moderator": "",
    }
    data.update(overrides)
    return data


def audit_details(cohort) -> list[str]:
    return list(
        AuditEvent.objects.filter(cohort=cohort, action=Action.CHECKPOINT_CHANGED)
        .order_by("id")
        .values_list("detail", flat=True)
    )


# --- Who may -------------------------------------------------------------------------------


def test_course_admin_sees_the_empty_state_with_a_call_to_action(admin_client, cohort):
    response = admin_client.get(list_url(cohort))
    text = response.content.decode()
    assert response.status_code == 200
    assert "No checkpoints yet" in text and create_url(cohort) in text


def test_the_members_page_has_a_checkpoints_tab(admin_client, cohort):
    text = admin_client.get(reverse("reflect:manage-members", args=[cohort.pk])).content.decode()
    assert f'href="{list_url(cohort)}">Checkpoints</a>' in text


def test_course_admin_creates_a_checkpoint(admin_client, course_admin, cohort, rubric):
    response = admin_client.post(create_url(cohort), form_data(rubric))
    assert response.status_code == 302 and response["Location"] == list_url(cohort)
    checkpoint = Checkpoint.objects.get(cohort=cohort)
    assert checkpoint.title == "End of first term"
    assert checkpoint.instructions == "Choose **three** entries."
    assert checkpoint.rubric == rubric and checkpoint.reminder_days == [7, 1]
    assert checkpoint.closed_at is None
    event = AuditEvent.objects.get(action=Action.CHECKPOINT_CHANGED)
    assert event.actor == course_admin and event.cohort == cohort and event.detail == "created “End of first term”"


def test_programme_admin_can_create_edit_and_close(programme_admin, client_for, cohort, rubric):
    client = client_for(programme_admin)
    assert client.get(list_url(cohort)).status_code == 200
    assert client.post(create_url(cohort), form_data(rubric)).status_code == 302
    checkpoint = Checkpoint.objects.get(cohort=cohort)
    response = client.post(url("-edit", checkpoint), form_data(rubric, title="Renamed"))
    assert response.status_code == 302
    assert client.post(url("-close", checkpoint)).status_code == 302
    checkpoint.refresh_from_db()
    assert checkpoint.title == "Renamed" and checkpoint.closed_at is not None


def checkpoint_urls(checkpoint) -> list[tuple[str, int, int]]:
    """Each URL with what a stranger gets for GET and for POST. A method a page never
    takes answers 405 to everyone (the list is GET only, reopening POST only), before
    anything is looked up, so it leaks nothing."""
    return [
        (list_url(checkpoint.cohort), 404, 405),
        (create_url(checkpoint.cohort), 404, 404),
        (url("", checkpoint), 404, 405),
        (url("-edit", checkpoint), 404, 404),
        (url("-close", checkpoint), 404, 404),
        (url("-reopen", checkpoint), 405, 404),
    ]


@pytest.mark.parametrize("persona", ["tutor", "trainee", "frank"])
def test_people_who_do_not_run_the_programme_get_404_and_change_nothing(
    persona, request, client_for, checkpoint, rubric
):
    client = client_for(request.getfixturevalue(persona))
    before = list(Checkpoint.objects.values_list("pk", "title", "closed_at", "due_at"))
    for address, get, post in checkpoint_urls(checkpoint):
        assert client.get(address).status_code == get, address
        assert client.post(address, form_data(rubric, title="Hijacked")).status_code == post, address
    assert list(Checkpoint.objects.values_list("pk", "title", "closed_at", "due_at")) == before
    assert not AuditEvent.objects.exists()


def test_a_checkpoint_of_another_cohort_is_not_found_under_this_one(admin_client, cohort, frank, rubric):
    elsewhere = make_checkpoint(frank.own_cohort)
    address = reverse("reflect:manage-checkpoint-edit", args=[cohort.pk, elsewhere.pk])
    assert admin_client.get(address).status_code == 404


# --- The form ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_date", "due_time", "utc"),
    [
        ("2030-07-01", "17:00", datetime.datetime(2030, 7, 1, 16, 0, tzinfo=datetime.UTC)),  # BST, UTC+1
        ("2030-01-15", "17:00", datetime.datetime(2030, 1, 15, 17, 0, tzinfo=datetime.UTC)),  # GMT
        ("2030-10-27", "01:30", datetime.datetime(2030, 10, 27, 0, 30, tzinfo=datetime.UTC)),  # twice; the first
    ],
)
def test_deadline_is_read_in_the_cohort_time_zone(admin_client, cohort, rubric, due_date, due_time, utc):
    response = admin_client.post(create_url(cohort), form_data(rubric, due_date=due_date, due_time=due_time))
    assert response.status_code == 302
    assert Checkpoint.objects.get(cohort=cohort).due_at == utc


def test_deadline_of_a_new_york_cohort_is_new_york_time(admin_client, other_cohort, programme):
    rubric = make_rubric(programme)
    response = admin_client.post(create_url(other_cohort), form_data(rubric, due_date="2030-07-01"))
    assert response.status_code == 302
    assert Checkpoint.objects.get(cohort=other_cohort).due_at == datetime.datetime(
        2030, 7, 1, 21, 0, tzinfo=datetime.UTC
    )


def test_the_form_names_the_cohort_time_zone_and_shows_the_deadline_in_it(admin_client, checkpoint):
    Checkpoint.objects.filter(pk=checkpoint.pk).update(due_at=datetime.datetime(2030, 7, 1, 16, 0, tzinfo=datetime.UTC))
    response = admin_client.get(url("-edit", checkpoint))
    text = response.content.decode()
    assert "Deadline time (Europe/London)" in text
    assert 'value="2030-07-01"' in text and 'value="17:00"' in text


def test_a_time_the_clocks_skip_is_refused(admin_client, cohort, rubric):
    response = admin_client.post(create_url(cohort), form_data(rubric, due_date="2030-03-31", due_time="01:30"))
    assert response.status_code == 400
    assert "01:30 on 31 March doesn&#x27;t exist in Europe/London" in response.content.decode()
    assert not Checkpoint.objects.exists()


def test_a_new_deadline_in_the_past_is_refused(admin_client, cohort, rubric):
    response = admin_client.post(create_url(cohort), form_data(rubric, due_date="2020-01-01"))
    assert response.status_code == 400
    assert "That deadline has already passed" in response.content.decode()


def test_an_unchanged_past_deadline_can_be_kept_when_editing(admin_client, cohort, rubric):
    checkpoint = make_checkpoint(cohort, rubric, due_in_days=-3)
    local = checkpoint.due_at.astimezone(cohort.tz)
    data = form_data(rubric, title="Kept", due_date=f"{local:%Y-%m-%d}", due_time=f"{local:%H:%M}")
    assert admin_client.post(url("-edit", checkpoint), data).status_code == 302
    saved = Checkpoint.objects.get(pk=checkpoint.pk)
    assert saved.title == "Kept" and saved.due_at == checkpoint.due_at  # to the microsecond


@pytest.mark.parametrize(
    ("typed", "saved"), [("7, 1", [7, 1]), ("1,7", [7, 1]), ("14 7 0", [14, 7, 0]), ("", []), ("60", [60])]
)
def test_reminder_days_are_read_from_a_list(admin_client, cohort, rubric, typed, saved):
    assert admin_client.post(create_url(cohort), form_data(rubric, reminder_days=typed)).status_code == 302
    assert Checkpoint.objects.get(cohort=cohort).reminder_days == saved


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("61", "Reminders can be at most 60 days before the deadline."),
        ("7, 7", "7 is listed more than once."),
        ("seven", "“seven” isn&#x27;t a number of days."),
        ("-1", "“-1” isn&#x27;t a number of days."),
        ("1.5", "“1.5” isn&#x27;t a number of days."),
    ],
)
def test_bad_reminder_days_are_refused_in_plain_words(admin_client, cohort, rubric, typed, message):
    response = admin_client.post(create_url(cohort), form_data(rubric, reminder_days=typed))
    text = response.content.decode()
    assert response.status_code == 400 and message in text
    assert f'value="{typed}"' in text.replace("&quot;", '"')  # what was typed is kept
    assert not Checkpoint.objects.exists()


def test_a_refused_form_keeps_what_was_typed(admin_client, cohort, rubric):
    response = admin_client.post(create_url(cohort), form_data(rubric, title="", instructions="Keep this text"))
    text = response.content.decode()
    assert response.status_code == 400
    assert "Give the checkpoint a title." in text and "Keep this text" in text
    assert 'value="2030-07-01"' in text


def test_rubric_choices_are_the_programmes_rubrics_with_their_version(admin_client, cohort, rubric, frank):
    # Locking only stops a rubric version being edited; it can still be chosen.
    locked = make_rubric(cohort.programme, title="Session skills")
    type(locked).objects.filter(pk=locked.pk).update(locked_at=timezone.now(), version=3)
    foreign = make_rubric(frank.own_cohort.programme, title="Someone else's rubric")
    text = admin_client.get(create_url(cohort)).content.decode()
    assert "Relational practice (v1)" in text and "Session skills (v3)" in text
    assert "Someone else" not in text
    response = admin_client.post(create_url(cohort), form_data(foreign))
    assert response.status_code == 400 and "Choose one of this programme&#x27;s rubrics" in response.content.decode()
    assert admin_client.post(create_url(cohort), form_data(locked)).status_code == 302


def test_a_cohort_cannot_have_two_checkpoints_with_one_title(admin_client, cohort, rubric, checkpoint):
    response = admin_client.post(create_url(cohort), form_data(rubric, title="first PORTFOLIO"))
    assert response.status_code == 400 and "already has a checkpoint called" in response.content.decode()


def test_a_programme_without_rubrics_is_told_to_build_one(admin_client, cohort):
    text = admin_client.get(create_url(cohort)).content.decode()
    assert "has no rubric yet" in text and reverse("reflect:rubric-list") in text


# --- Editing ---------------------------------------------------------------------------------


def test_editing_saves_and_logs_which_fields_changed(admin_client, cohort, rubric, checkpoint):
    data = form_data(rubric, title="First portfolio", instructions=checkpoint.instructions, reminder_days="3")
    assert admin_client.post(url("-edit", checkpoint), data).status_code == 302
    checkpoint.refresh_from_db()
    assert checkpoint.reminder_days == [3]
    assert audit_details(cohort) == ["changed “First portfolio”: deadline, reminder days"]


def test_saving_without_changes_logs_nothing(admin_client, cohort, checkpoint):
    form = admin_client.get(url("-edit", checkpoint)).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["due_date"], data["due_time"] = f"{data['due_date']:%Y-%m-%d}", f"{data['due_time']:%H:%M}"
    assert admin_client.post(url("-edit", checkpoint), data).status_code == 302
    assert audit_details(cohort) == []


def test_the_rubric_can_change_before_any_marking(admin_client, cohort, checkpoint, trainee):
    make_submission(checkpoint, trainee)
    other = make_rubric(cohort.programme, title="Session skills")
    assert admin_client.post(url("-edit", checkpoint), form_data(other, title="First portfolio")).status_code == 302
    checkpoint.refresh_from_db()
    assert checkpoint.rubric == other


def test_the_rubric_cannot_change_once_a_submission_is_assessed(admin_client, cohort, checkpoint, trainee, tutor):
    mark(make_submission(checkpoint, trainee), tutor, complete=False)
    other = make_rubric(cohort.programme, title="Session skills")
    response = admin_client.get(url("-edit", checkpoint))
    assert "Marking has started, so the rubric can't be changed now." in response.content.decode()
    response = admin_client.post(url("-edit", checkpoint), form_data(other, title="Still first"))
    assert response.status_code == 400
    assert "Marking has started for this checkpoint, so its rubric can&#x27;t be changed" in response.content.decode()
    assert response.context["form"].has_error("rubric")  # beside the field, not only at the top
    checkpoint.refresh_from_db()
    assert checkpoint.rubric != other and checkpoint.title == "First portfolio"


def settings_of(checkpoint, **overrides) -> dict:
    data = {
        "title": checkpoint.title,
        "instructions": "",
        "due_at": checkpoint.due_at,
        "rubric": checkpoint.rubric,
        "reminder_days": [],
        "second_marker": None,
        "moderator": None,
    }
    data.update(overrides)
    return data


def test_the_service_refuses_a_rubric_change_once_assessed(cohort, checkpoint, trainee, tutor, course_admin):
    mark(make_submission(checkpoint, trainee), tutor, complete=False)
    other = make_rubric(cohort.programme, title="Session skills")
    with pytest.raises(AssessmentError, match="its rubric can't be changed"):
        checkpoint_update(checkpoint=checkpoint, by=course_admin, **settings_of(checkpoint, rubric=other))


def test_the_services_refuse_an_archived_cohort(cohort, checkpoint, course_admin):
    cohort.archived_at = timezone.now()
    cohort.save()
    with pytest.raises(AssessmentError, match="archived, so its checkpoints can.t be changed"):
        checkpoint_update(checkpoint=checkpoint, by=course_admin, **settings_of(checkpoint, title="Changed"))
    with pytest.raises(AssessmentError, match="archived, so its checkpoints can.t be changed"):
        checkpoint_create(cohort=cohort, by=course_admin, **settings_of(checkpoint, title="New"))
    with pytest.raises(AssessmentError, match="archived, so its checkpoints can.t be changed"):
        checkpoint_close(checkpoint=checkpoint, by=course_admin)
    assert list(Checkpoint.objects.values_list("title", "closed_at")) == [("First portfolio", None)]


def test_the_services_refuse_a_rubric_of_another_programme(cohort, checkpoint, course_admin, frank):
    foreign = make_rubric(frank.own_cohort.programme)
    with pytest.raises(AssessmentError, match="this programme's rubrics"):
        checkpoint_create(cohort=cohort, by=course_admin, **settings_of(checkpoint, title="New", rubric=foreign))


# --- Close and reopen ---------------------------------------------------------------------------


def test_closing_asks_first_then_closes_and_logs(admin_client, cohort, checkpoint):
    response = admin_client.get(url("-close", checkpoint))
    assert response.status_code == 200 and "Close “First portfolio”?" in response.content.decode()
    checkpoint.refresh_from_db()
    assert checkpoint.closed_at is None
    response = admin_client.post(url("-close", checkpoint), follow=True)
    assert "is closed: it takes no new submissions" in response.content.decode()
    checkpoint.refresh_from_db()
    assert checkpoint.closed_at is not None
    assert admin_client.post(url("-close", checkpoint)).status_code == 302  # twice: nothing more
    assert audit_details(cohort) == ["closed “First portfolio”"]


def test_a_closed_checkpoint_can_be_reopened(admin_client, cohort, checkpoint):
    admin_client.post(url("-close", checkpoint))
    assert "Reopen" in admin_client.get(list_url(cohort)).content.decode()
    response = admin_client.post(url("-reopen", checkpoint), follow=True)
    assert "is open again" in response.content.decode()
    checkpoint.refresh_from_db()
    assert checkpoint.closed_at is None
    assert audit_details(cohort) == ["closed “First portfolio”", "reopened “First portfolio”"]


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_deadline_rubric_and_counts_never_text(
    admin_client, cohort, checkpoint, trainee, trainee2, tutor
):
    Checkpoint.objects.filter(pk=checkpoint.pk).update(due_at=datetime.datetime(2030, 7, 1, 16, 0, tzinfo=datetime.UTC))
    submission = make_submission(checkpoint, trainee, summary=f"Summary {MARKER}")
    make_submission(checkpoint, trainee2, summary=f"Draft {MARKER}", submit=False)
    assessment = mark(submission, tutor, feedback=f"Feedback {MARKER}")
    services.assessment_release(assessment=assessment, by=tutor)
    text = admin_client.get(list_url(cohort)).content.decode()
    assert "First portfolio" in text and "Mon 1 Jul 2030, 17:00" in text
    assert "Relational practice (v1)" in text
    assert '1 <span class="small text-body-secondary">of 2</span>' in text  # submitted
    assert MARKER not in text and "A session that stayed with me" not in text


def test_counts_are_of_the_cohorts_current_trainees(admin_client, cohort, checkpoint, trainee, trainee2):
    make_submission(checkpoint, trainee)
    make_submission(checkpoint, trainee2)
    Membership.objects.filter(user=trainee2, cohort=cohort).delete()  # left the cohort
    checkpoints = admin_client.get(list_url(cohort)).context["checkpoints"]
    assert checkpoints[0].n_submitted == 1
    assert admin_client.get(url("", checkpoint)).context["counts"]["submitted"] == 1


def test_trainees_see_a_new_checkpoint(admin_client, client_for, cohort, rubric, trainee):
    admin_client.post(create_url(cohort), form_data(rubric))
    text = client_for(trainee).get(reverse("reflect:checkpoint-list")).content.decode()
    assert "End of first term" in text


# --- Archived cohorts -----------------------------------------------------------------------------


def test_an_archived_cohort_is_read_only_and_says_why(admin_client, cohort, rubric, checkpoint):
    cohort.archived_at = timezone.now()
    cohort.save()
    text = admin_client.get(list_url(cohort)).content.decode()
    assert "so its checkpoints are read-only" in text
    assert create_url(cohort) not in text and url("-edit", checkpoint) not in text
    response = admin_client.get(create_url(cohort), follow=True)
    assert "This cohort is archived" in response.content.decode()
    assert admin_client.get(url("-edit", checkpoint)).status_code == 302
    admin_client.post(create_url(cohort), form_data(rubric, title="New"))
    admin_client.post(url("-edit", checkpoint), form_data(rubric, title="Changed"))
    admin_client.post(url("-close", checkpoint))
    assert list(Checkpoint.objects.values_list("title", "closed_at")) == [("First portfolio", None)]
    Checkpoint.objects.filter(pk=checkpoint.pk).update(closed_at=timezone.now())
    admin_client.post(url("-reopen", checkpoint))
    assert Checkpoint.objects.get().closed_at is not None
    assert audit_details(cohort) == []
