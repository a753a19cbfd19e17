import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from demo.seed import demo_seed
from reflect.cohorts.models import Cohort, Membership
from reflect.journal.models import JournalEntry, Kind, Status, Visibility

pytestmark = pytest.mark.django_db

DEMO_LOGINS = [
    "trainee@example.com",
    "trainee2@example.com",
    "tutor@example.com",
    "trainee3@example.com",
    "tutor2@example.com",
    "admin@example.com",
]


def test_seed_demo_is_idempotent():
    first = demo_seed()
    assert first["users"] == 6 and first["entries"] > 0
    assert set(demo_seed().values()) == {0}
    call_command("seed_demo", verbosity=0)
    assert Cohort.objects.count() == 2


def test_every_demo_login_works_with_the_documented_password():
    demo_seed()
    for email in DEMO_LOGINS:
        assert authenticate(email=email, password="reflect-demo") is not None, email


def test_each_demo_trainee_has_every_kind_and_visibility():
    demo_seed()
    for email in ["trainee@example.com", "trainee2@example.com", "trainee3@example.com"]:
        entries = JournalEntry.objects.filter(author__email=email)
        assert set(entries.values_list("kind", flat=True)) == set(Kind.values), email
        assert set(entries.values_list("visibility", flat=True)) == set(Visibility.values), email
        assert entries.filter(status=Status.DRAFT).exists(), email


def test_demo_tutor_reads_autumn_shares_only(client):
    demo_seed()
    tutor = Membership.objects.get(user__email="tutor@example.com").user
    visible = JournalEntry.objects.visible_to(tutor)
    assert visible.exists()
    assert set(visible.values_list("author__email", flat=True)) <= {"trainee@example.com", "trainee2@example.com"}
    assert not visible.exclude(visibility=Visibility.SHARED, status=Status.PUBLISHED).exists()


def test_demo_has_a_checkpoint_with_one_submitted_and_one_released_submission():
    from reflect.assessment.models import Checkpoint, SubmissionStatus

    demo_seed()
    checkpoint = Checkpoint.objects.get(cohort__name="2026 Autumn")
    submissions = {s.trainee.email: s for s in checkpoint.submissions.select_related("trainee")}
    assert set(submissions) == {"trainee@example.com", "trainee2@example.com"}
    assert all(s.status == SubmissionStatus.SUBMITTED for s in submissions.values())
    assert submissions["trainee@example.com"].assessments.filter(released_at__isnull=False).count() == 1
    assert not submissions["trainee2@example.com"].assessments.exists()
    assert checkpoint.rubric.is_locked


def test_the_demo_report_and_dashboard_agree_on_weeks_journaled(client):
    """Demo trainees joined when their cohort began, so the weeks in which their
    sample entries were written count in the engagement report."""
    from reflect.manage.reports import engagement

    demo_seed()
    autumn = Cohort.objects.get(name="2026 Autumn")
    row = next(r for r in engagement(autumn).rows if r.email == "trainee@example.com")
    assert row.weeks_journaled > 1 and row.weeks_elapsed >= row.weeks_journaled
