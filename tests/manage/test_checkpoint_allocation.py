"""Choosing second markers and moderators under /manage/: for the whole checkpoint
on its form, and per submission in the checkpoint's trainee table."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reflect.assessment import policy
from reflect.assessment.models import Allocation, AllocationRole, Assessment, Submission, SubmissionStatus
from reflect.audit.models import Action, AuditEvent
from reflect.cohorts.models import Membership, Role
from reflect.feedback.models import Notification, NotificationKind
from tests.manage.test_checkpoints import create_url, form_data, url
from tests.reflect.assessment_factories import add_tutor, make_checkpoint, make_submission, mark

pytestmark = pytest.mark.django_db

MARKER = "Qz9PRIVATEzq"
SECOND, MODERATOR = AllocationRole.SECOND_MARKER, AllocationRole.MODERATOR
# Session, user, the menu (unread notifications and "runs a programme" in one); cohort,
# checkpoint; trainees counted and paged; their latest submissions, markings, own
# markers; the checkpoint's markers, the tutors to choose from, the counts.
DETAIL_QUERIES = 13
# Session, user, menu; cohort; checkpoints with counts, their markers; trainees counted.
LIST_QUERIES = 7


@pytest.fixture
def henry(user_factory, cohort):
    return add_tutor(user_factory, cohort, "henry@example.test", "Henry Tutor")


@pytest.fixture
def ivan(user_factory, cohort):
    return add_tutor(user_factory, cohort, "ivan@example.test", "Ivan Tutor")


def allocations(**scope) -> set[tuple[str, int]]:
    return set(Allocation.objects.filter(**scope).values_list("role", "user_id"))


def reader_notices(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user, kind=NotificationKind.READER_ADDED).values_list("summary", flat=True)
    )


def allocate_url(submission) -> str:
    checkpoint = submission.checkpoint
    return reverse("reflect:manage-submission-allocate", args=[checkpoint.cohort_id, checkpoint.pk, submission.pk])


def row_data(submission, second="", moderator="") -> dict:
    prefix = f"s{submission.pk}"
    return {f"{prefix}-second_marker": str(second), f"{prefix}-moderator": str(moderator), "page": "1"}


# --- The whole checkpoint, on its form -------------------------------------------------------------


def test_markers_chosen_on_the_form_are_allocated_and_trainees_are_told(
    admin_client, course_admin, cohort, rubric, tutor, henry, trainee, trainee2
):
    data = form_data(rubric, second_marker=tutor.pk, moderator=henry.pk)
    assert admin_client.post(create_url(cohort), data).status_code == 302
    checkpoint = cohort.checkpoints.get()
    assert allocations(checkpoint=checkpoint) == {(SECOND, tutor.pk), (MODERATOR, henry.pk)}
    assert Allocation.objects.filter(checkpoint=checkpoint, allocated_by=course_admin).count() == 2
    for person in (trainee, trainee2):
        notices = reader_notices(person)
        assert len(notices) == 2 and any("Charlie Tutor is now second marker" in n for n in notices)
    assert AuditEvent.objects.filter(action=Action.ALLOCATION_CHANGED, cohort=cohort).count() == 2


def test_the_edit_form_shows_and_changes_the_markers(admin_client, cohort, checkpoint, rubric, tutor, henry, ivan):
    admin_client.post(url("-edit", checkpoint), form_data(rubric, title="First portfolio", second_marker=tutor.pk))
    form = admin_client.get(url("-edit", checkpoint)).context["form"]
    assert form["second_marker"].value() == tutor.pk and form["moderator"].value() is None
    data = form_data(rubric, title="First portfolio", second_marker="", moderator=ivan.pk)
    assert admin_client.post(url("-edit", checkpoint), data).status_code == 302
    assert allocations(checkpoint=checkpoint) == {(MODERATOR, ivan.pk)}


def test_second_marker_and_moderator_must_be_different_people(admin_client, cohort, rubric, tutor):
    response = admin_client.post(create_url(cohort), form_data(rubric, second_marker=tutor.pk, moderator=tutor.pk))
    assert response.status_code == 400
    assert "Choose different people as second marker and moderator" in response.content.decode()
    assert not cohort.checkpoints.exists() and not Allocation.objects.exists()


@pytest.mark.parametrize("who", ["other_tutor", "trainee", "course_admin"])
def test_only_tutors_of_the_cohort_can_be_chosen(admin_client, request, cohort, rubric, who):
    person = request.getfixturevalue(who)
    response = admin_client.post(create_url(cohort), form_data(rubric, moderator=person.pk))
    assert response.status_code == 400
    assert "Choose one of this cohort&#x27;s tutors." in response.content.decode()
    assert not Allocation.objects.exists()


# --- One submission, in the trainee table -----------------------------------------------------------


def test_a_submissions_own_markers_override_the_checkpoints(
    admin_client, checkpoint, course_admin, tutor, henry, ivan, trainee, trainee2
):
    Allocation.objects.create(checkpoint=checkpoint, role=SECOND, user=ivan)
    submission = make_submission(checkpoint, trainee)
    other = make_submission(checkpoint, trainee2)
    mark(submission, tutor)
    response = admin_client.post(allocate_url(submission), row_data(submission, second=henry.pk))
    assert response.status_code == 302 and response["Location"].endswith(f"#row-{submission.pk}")
    assert allocations(submission=submission) == {(SECOND, henry.pk)}
    submission = Submission.objects.get(pk=submission.pk)
    assert policy.can_second_mark(henry, submission) and not policy.can_second_mark(ivan, submission)
    assert policy.allocated_user_id(other, SECOND) == ivan.pk  # the others still follow the checkpoint
    assert len(reader_notices(trainee)) == 1 and reader_notices(trainee2) == []
    event = AuditEvent.objects.get(action=Action.ALLOCATION_CHANGED)
    assert event.actor == course_admin and event.subject == henry and f"submission #{submission.pk}" in event.detail


def test_choosing_the_checkpoints_default_removes_the_override(admin_client, checkpoint, henry, trainee):
    submission = make_submission(checkpoint, trainee)
    admin_client.post(allocate_url(submission), row_data(submission, moderator=henry.pk))
    assert allocations(submission=submission) == {(MODERATOR, henry.pk)}
    admin_client.post(allocate_url(submission), row_data(submission))
    assert allocations(submission=submission) == set()


def test_a_refused_allocation_says_why_and_keeps_the_choice(admin_client, checkpoint, tutor, henry, trainee):
    submission = make_submission(checkpoint, trainee)
    mark(submission, tutor)
    response = admin_client.post(allocate_url(submission), row_data(submission, second=tutor.pk, moderator=henry.pk))
    text = response.content.decode()
    assert response.status_code == 400
    assert "The first marker can&#x27;t also second-mark the same submission." in text
    assert f'<option value="{tutor.pk}" selected>Charlie Tutor</option>' in text
    assert f'<option value="{henry.pk}" selected>Henry Tutor</option>' in text
    assert not Allocation.objects.exists() and not reader_notices(trainee)


def test_a_submission_cannot_have_one_person_as_both_markers(admin_client, checkpoint, henry, trainee):
    Allocation.objects.create(checkpoint=checkpoint, role=MODERATOR, user=henry)
    submission = make_submission(checkpoint, trainee)
    response = admin_client.post(allocate_url(submission), row_data(submission, second=henry.pk))
    assert response.status_code == 400 and "Choose different people" in response.content.decode()
    assert allocations(submission=submission) == set()


def test_only_submitted_portfolios_of_this_checkpoint_take_markers(admin_client, cohort, checkpoint, henry, trainee):
    draft = make_submission(checkpoint, trainee, submit=False)
    assert admin_client.post(allocate_url(draft), row_data(draft, second=henry.pk)).status_code == 404
    elsewhere = make_submission(make_checkpoint(cohort, title="Second portfolio"), trainee)
    address = reverse("reflect:manage-submission-allocate", args=[cohort.pk, checkpoint.pk, elsewhere.pk])
    assert admin_client.post(address, row_data(elsewhere, second=henry.pk)).status_code == 404
    assert not Allocation.objects.exists()


@pytest.mark.parametrize("persona", ["tutor", "trainee", "frank"])
def test_strangers_cannot_allocate(persona, request, client_for, checkpoint, henry, trainee):
    submission = make_submission(checkpoint, trainee)
    client = client_for(request.getfixturevalue(persona))
    assert client.post(allocate_url(submission), row_data(submission, second=henry.pk)).status_code == 404
    assert client.get(url("", checkpoint)).status_code == 404
    assert not Allocation.objects.exists()


def test_an_archived_cohorts_markers_are_shown_but_cannot_change(admin_client, cohort, checkpoint, henry, trainee):
    submission = make_submission(checkpoint, trainee)
    Allocation.objects.create(submission=submission, role=SECOND, user=henry)
    cohort.archived_at = timezone.now()
    cohort.save()
    text = admin_client.get(url("", checkpoint)).content.decode()
    assert "so markers can't be changed" in text and "Second marker: Henry Tutor" in text
    assert allocate_url(submission) not in text
    admin_client.post(allocate_url(submission), row_data(submission))
    assert allocations(submission=submission) == {(SECOND, henry.pk)}


# --- The trainee table -------------------------------------------------------------------------------


def test_the_table_shows_statuses_only(admin_client, checkpoint, trainee, trainee2, user_factory, tutor):
    carol = user_factory("carol@example.test", "Carol Trainee")
    Membership.objects.create(user=carol, cohort=checkpoint.cohort, role=Role.TRAINEE)
    make_submission(checkpoint, trainee, summary=f"Summary {MARKER}")
    make_submission(checkpoint, trainee2, summary=f"Draft {MARKER}", submit=False)
    text = admin_client.get(url("", checkpoint)).content.decode()
    assert "Submitted" in text and "Being prepared" in text and "Not started" in text
    assert MARKER not in text and "A session that stayed with me" not in text
    assert text.count('name="page"') == 1  # one allocation form: only the submitted portfolio


def fill(checkpoint, user_factory, tutor, size: int) -> None:
    """`size` trainees; two in three submitted, every other of those marked and with their own markers."""
    cohort = checkpoint.cohort
    users = [user_factory(f"t{n}@example.test", f"Trainee {n:03}") for n in range(size)]
    Membership.objects.bulk_create(Membership(user=u, cohort=cohort, role=Role.TRAINEE) for u in users)
    now = timezone.now()
    submissions = Submission.objects.bulk_create(
        Submission(
            checkpoint=checkpoint,
            trainee=u,
            status=SubmissionStatus.SUBMITTED if n % 3 else SubmissionStatus.DRAFT,
            submitted_at=now,
            summary=MARKER,
        )
        for n, u in enumerate(users)
    )
    submitted = [s for s in submissions if s.status == SubmissionStatus.SUBMITTED]
    Assessment.objects.bulk_create(
        Assessment(submission=s, assessor=tutor, rubric=checkpoint.rubric, outcome="pass", completed_at=now)
        for s in submitted[::2]
    )
    Allocation.objects.bulk_create(Allocation(submission=s, role=MODERATOR, user=tutor) for s in submitted[::2])


@pytest.mark.parametrize("size", [4, 60])
def test_the_checkpoint_page_costs_the_same_queries_at_any_size(
    size, admin_client, checkpoint, tutor, henry, user_factory, django_assert_num_queries
):
    Allocation.objects.create(checkpoint=checkpoint, role=SECOND, user=henry)
    fill(checkpoint, user_factory, tutor, size)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = admin_client.get(url("", checkpoint))
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert len(rows) == min(size, 50)
    assert sum(1 for row in rows if "form" in row) == sum(1 for row in rows if row["submitted"])
    assert MARKER not in response.content.decode()
    if size > 50:
        with django_assert_num_queries(DETAIL_QUERIES):
            response = admin_client.get(url("", checkpoint), {"page": 2})
        assert len(response.context["page"].object_list) == size - 50


@pytest.mark.parametrize("size", [1, 6])
def test_the_checkpoint_list_costs_the_same_queries_at_any_size(
    size, admin_client, cohort, rubric, tutor, trainee, django_assert_num_queries
):
    for n in range(size):
        checkpoint = make_checkpoint(cohort, rubric, title=f"Portfolio {n}")
        Allocation.objects.create(checkpoint=checkpoint, role=SECOND, user=tutor)
        make_submission(checkpoint, trainee)
    with django_assert_num_queries(LIST_QUERIES):
        response = admin_client.get(reverse("reflect:manage-checkpoints", args=[cohort.pk]))
    checkpoints = response.context["checkpoints"]
    assert len(checkpoints) == size and all(c.n_submitted == 1 for c in checkpoints)
    assert all(c.markers[SECOND] == tutor for c in checkpoints)
