"""Allocating second markers and moderators (reflect.assessment.allocation) and
the first marker's form on the submission page.

An allocation gives a tutor read access to a portfolio, so it is refused for
anyone but a tutor of the cohort, tells the trainees concerned and is audited
(without any journal text). A submission's own allocation overrides its
checkpoint's."""

import re

import pytest

from reflect.assessment import policy, services
from reflect.assessment.allocation import allocation_set
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Allocation, AllocationRole, MarkingRole, Submission
from reflect.audit.models import Action, AuditEvent
from reflect.feedback.models import Notification, NotificationKind
from tests.reflect.assessment_factories import (
    allocate,
    assign,
    make_submission,
    mark,
)
from tests.reflect.marking.conftest import SECRETS

pytestmark = pytest.mark.django_db


def reader_notices(user) -> int:
    return Notification.objects.filter(user=user, kind=NotificationKind.READER_ADDED).count()


# --- the service ---------------------------------------------------------------------


def test_a_submissions_own_allocation_overrides_its_checkpoints(
    trainee, trainee2, cohort, checkpoint, tutor, tutor2, tutor_b, moderator, client_for
):
    # Both trainees have Charlie as assigned tutor, so the others read their portfolios only by allocation.
    assign(tutor, cohort, trainee, trainee2)
    mine, other = make_submission(checkpoint, trainee), make_submission(checkpoint, trainee2)
    allocate(checkpoint, by=tutor, second=tutor2, moderator=moderator)
    mark(mine, tutor)
    mark(other, tutor)
    allocate(mine, by=tutor, second=tutor_b)

    assert policy.allocated_user_id(mine, AllocationRole.SECOND_MARKER) == tutor_b.pk
    assert client_for(tutor2).get(f"/submissions/{mine.pk}/").status_code == 404
    with pytest.raises(AssessmentError):
        services.assessment_start(submission=mine, assessor=tutor2)
    assert services.assessment_start(submission=mine, assessor=tutor_b).role == MarkingRole.SECOND
    # Only the second marker was overridden: the checkpoint's moderator still moderates this one.
    assert policy.allocated_user_id(mine, AllocationRole.MODERATOR) == moderator.pk

    assert services.assessment_start(submission=other, assessor=tutor2).role == MarkingRole.SECOND
    assert client_for(tutor_b).get(f"/submissions/{other.pk}/").status_code == 404
    assert list(Submission.objects.visible_to(tutor2)) == [other]
    assert list(Submission.objects.visible_to(tutor_b)) == [mine]
    assert set(Submission.objects.visible_to(moderator)) == {mine, other}


@pytest.mark.parametrize("who", ["trainee", "trainee2", "course_admin", "other_tutor"])
@pytest.mark.parametrize("role", AllocationRole.values)
def test_only_a_tutor_of_the_cohort_can_be_allocated(who, role, request, submission, checkpoint, tutor):
    person = request.getfixturevalue(who)
    for scope in ({"submission": submission}, {"checkpoint": checkpoint}):
        with pytest.raises(AssessmentError, match="Only a tutor of this cohort"):
            allocation_set(role=role, user=person, by=tutor, **scope)
    assert not Allocation.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.READER_ADDED).exists()


def test_the_first_marker_cannot_be_allocated_as_second_marker(submission, trainee, tutor):
    mark(submission, tutor)
    with pytest.raises(AssessmentError, match="first marker can't also second-mark"):
        allocation_set(role=AllocationRole.SECOND_MARKER, user=tutor, by=tutor, submission=submission)
    assert not Allocation.objects.exists() and not AuditEvent.objects.exists()
    assert reader_notices(trainee) == 0


def test_the_second_marker_cannot_be_changed_once_second_marking_started(submission, tutor, tutor2, tutor_b):
    mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2)
    services.assessment_start(submission=submission, assessor=tutor2)
    with pytest.raises(AssessmentError, match="can't be changed"):
        allocate(submission, by=tutor, second=tutor_b)
    assert policy.allocated_user_id(submission, AllocationRole.SECOND_MARKER) == tutor2.pk


def test_allocating_tells_the_trainee_and_is_audited_without_journal_text(
    submission, checkpoint, cohort, trainee, trainee2, tutor, tutor2, moderator
):
    mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2)

    notice = Notification.objects.get(user=trainee, kind=NotificationKind.READER_ADDED)
    assert notice.actor == tutor and notice.url == "/#readers"
    assert str(tutor2) in notice.summary and checkpoint.title in notice.summary
    assert reader_notices(trainee2) == 0  # not their portfolio
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject) == (Action.ALLOCATION_CHANGED, tutor, tutor2)
    assert event.cohort == cohort
    recorded = " ".join(str(v) for v in AuditEvent.objects.values().get().values())
    assert not [s for s in SECRETS if s in recorded]

    allocate(submission, by=tutor, second=tutor2)  # no change: nobody new can read, nothing to tell
    assert reader_notices(trainee) == 1 and AuditEvent.objects.count() == 1

    # A whole checkpoint's allocation tells every trainee of the cohort.
    allocate(checkpoint, by=tutor, moderator=moderator)
    assert (reader_notices(trainee), reader_notices(trainee2)) == (2, 1)
    assert AuditEvent.objects.filter(action=Action.ALLOCATION_CHANGED, subject=moderator).count() == 1


# --- the form on the submission page ----------------------------------------------------


def options(content: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', content, re.S)
    assert select, f"no {name} select"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


def allocation_post(second=None, moderator=None) -> dict:
    return {"second_marker": second.pk if second else "", "moderator": moderator.pk if moderator else ""}


def test_the_first_marker_sees_the_allocation_form_without_themselves_as_second_marker(
    submission, tutor, tutor2, moderator, client_for
):
    mark(submission, tutor)
    content = client_for(tutor).get(f"/submissions/{submission.pk}/").content.decode()
    assert 'data-testid="allocation"' in content and f'action="/submissions/{submission.pk}/allocate/"' in content
    assert content.count("nobody yet") == 2
    assert options(content, "second_marker") == ["Nobody yet", "Frank Tutor", "Gail Moderator"]
    assert options(content, "moderator") == ["Nobody yet", "Charlie Tutor", "Frank Tutor", "Gail Moderator"]


def test_the_first_marker_allocates_and_the_page_names_who_is_allocated(
    submission, trainee, tutor, tutor2, moderator, client_for
):
    mark(submission, tutor)
    client = client_for(tutor)
    url = f"/submissions/{submission.pk}/allocate/"
    response = client.post(url, allocation_post(tutor2, moderator))
    assert response["Location"] == f"/submissions/{submission.pk}/"
    content = client.get(response["Location"]).content.decode()
    assert "Allocation saved" in content
    assert re.search(r'data-testid="allocated-second-marker">Frank Tutor<', content)
    assert re.search(r'data-testid="allocated-moderator">Gail Moderator<', content)
    assert set(Allocation.objects.values_list("submission_id", "role", "user_id")) == {
        (submission.pk, AllocationRole.SECOND_MARKER, tutor2.pk),
        (submission.pk, AllocationRole.MODERATOR, moderator.pk),
    }
    assert reader_notices(trainee) == 2

    response = client.post(url, allocation_post(tutor2, moderator), follow=True)
    assert "Nothing changed." in response.content.decode()
    assert reader_notices(trainee) == 2 and Allocation.objects.count() == 2


def test_the_first_marker_as_second_marker_is_refused_on_the_page(submission, tutor, client_for):
    mark(submission, tutor)
    response = client_for(tutor).post(f"/submissions/{submission.pk}/allocate/", allocation_post(tutor), follow=True)
    assert "other than the first marker" in response.content.decode()
    assert not Allocation.objects.exists()


def test_a_refused_allocation_changes_nothing(submission, tutor, tutor2, moderator, client_for):
    mark(submission, tutor)
    allocate(submission, by=tutor, second=tutor2)
    services.assessment_start(submission=submission, assessor=tutor2)
    # The moderator would be fine; the second marker can't change now; so neither changes.
    data = allocation_post(moderator, moderator)
    response = client_for(tutor).post(f"/submissions/{submission.pk}/allocate/", data, follow=True)
    assert "can&#x27;t be changed" in response.content.decode() and "Nothing was changed" in response.content.decode()
    assert list(Allocation.objects.values_list("role", "user_id")) == [(AllocationRole.SECOND_MARKER, tutor2.pk)]


def test_a_checkpoint_allocation_shows_as_chosen_and_one_submission_can_override_it(
    submission, checkpoint, tutor, tutor2, moderator, client_for
):
    mark(submission, tutor)
    allocate(checkpoint, by=tutor, second=tutor2)
    client = client_for(tutor)
    content = client.get(f"/submissions/{submission.pk}/").content.decode()
    assert re.search(r'data-testid="allocated-second-marker">Frank Tutor<', content)
    url = f"/submissions/{submission.pk}/allocate/"
    assert "Nothing changed." in client.post(url, allocation_post(tutor2), follow=True).content.decode()
    response = client.post(url, allocation_post(None), follow=True)
    assert "whole checkpoint" in response.content.decode()
    assert not Allocation.objects.filter(submission=submission).exists()

    client.post(url, allocation_post(moderator))
    assert policy.allocated_user_id(submission, AllocationRole.SECOND_MARKER) == moderator.pk
    assert Allocation.objects.get(checkpoint=checkpoint).user == tutor2  # the checkpoint keeps its own


@pytest.mark.parametrize("who", ["tutor2", "second_marker", "trainee", "other_tutor", "course_admin"])
def test_only_the_first_marker_can_allocate(who, request, submission, tutor, tutor2, moderator, client_for):
    mark(submission, tutor)
    if who == "second_marker":
        allocate(submission, by=tutor, second=tutor2)
        who = "tutor2"
    person = request.getfixturevalue(who)
    before = list(Allocation.objects.values_list("pk", "role", "user_id"))
    client = client_for(person)
    response = client.post(f"/submissions/{submission.pk}/allocate/", allocation_post(moderator, moderator))
    assert response.status_code == 404 and not [s for s in SECRETS if s in response.content.decode()]
    assert list(Allocation.objects.values_list("pk", "role", "user_id")) == before
    assert 'data-testid="allocation"' not in client.get(f"/submissions/{submission.pk}/").content.decode()


def test_allocating_before_a_first_marking_exists_is_not_found_and_get_is_not_allowed(
    submission, tutor, tutor2, client_for
):
    client = client_for(tutor)
    url = f"/submissions/{submission.pk}/allocate/"
    assert client.post(url, allocation_post(tutor2)).status_code == 404
    mark(submission, tutor)
    assert client.get(url).status_code == 405
    assert not Allocation.objects.exists()
