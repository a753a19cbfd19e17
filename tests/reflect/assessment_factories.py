"""Builders for rubrics, checkpoints and submissions in assessment tests.

Plain functions (no fixtures) so any test module can import them."""

import datetime

from django.utils import timezone

from reflect.assessment import services
from reflect.assessment.allocation import allocation_set
from reflect.assessment.models import (
    Allocation,
    AllocationRole,
    Assessment,
    Checkpoint,
    Criterion,
    Level,
    Rubric,
    Submission,
)
from reflect.cohorts.models import Membership, Role
from reflect.journal import services as journal_services
from tests.conftest import entry_data

LEVELS = [("Not yet evident", 0), ("Emerging", 1), ("Competent", 2), ("Strong", 3)]


def make_rubric(programme, *, criteria: int = 3, levels: int = 4, title: str = "Relational practice") -> Rubric:
    """A rubric with `criteria` criteria × `levels` levels; level n is worth n points."""
    rubric = Rubric.objects.create(programme=programme, title=title)
    for c in range(criteria):
        criterion = Criterion.objects.create(
            rubric=rubric, position=c, title=f"Criterion {c + 1}", description=f"What criterion {c + 1} looks for."
        )
        Level.objects.bulk_create(
            Level(
                criterion=criterion,
                position=n,
                label=LEVELS[n][0] if n < len(LEVELS) else f"Level {n}",
                points=n,
                descriptor=f"Descriptor {c + 1}.{n}",
            )
            for n in range(levels)
        )
    return rubric


def make_checkpoint(cohort, rubric=None, *, due_in_days: int = 7, title: str = "First portfolio") -> Checkpoint:
    rubric = rubric or make_rubric(cohort.programme)
    return Checkpoint.objects.create(
        cohort=cohort,
        rubric=rubric,
        title=title,
        instructions="Choose **three** entries that show your development.",
        due_at=timezone.now() + datetime.timedelta(days=due_in_days),
    )


def publish_entry(author, cohort, *, title: str = "A session that stayed with me", body: str = "Entry text.", **extra):
    data = entry_data(title=title, body=body, **extra)
    return journal_services.entry_publish(author=author, cohort=cohort, data=data)


def make_submission(
    checkpoint, trainee, *, entries=None, summary: str = "What I learned this term.", submit: bool = True
) -> Submission:
    """A trainee's submission with one published entry (or `entries`), submitted unless `submit=False`."""
    if entries is None:
        entries = [publish_entry(trainee, checkpoint.cohort)]
    submission = services.submission_start(checkpoint=checkpoint, trainee=trainee)
    services.submission_update(submission=submission, entry_ids=[e.pk for e in entries], summary=summary)
    if submit:
        submission = services.submission_submit(submission=submission)
    return submission


def full_levels(rubric: Rubric, index: int = 2) -> dict[int, int]:
    """criterion id → the id of its level at position `index`."""
    return {c.pk: c.levels.all()[index].pk for c in rubric.criteria.prefetch_related("levels")}


def mark(
    submission,
    tutor,
    *,
    index: int = 2,
    outcome: str = "pass",
    complete: bool = True,
    feedback: str = "Thoughtful work.",
    levels=None,
    comments=None,
) -> Assessment:
    """Start this tutor's marking and fill the whole grid (`comments`: criterion id → text)."""
    assessment = services.assessment_start(submission=submission, assessor=tutor)
    levels = levels if levels is not None else full_levels(assessment.rubric, index)
    return services.assessment_save(
        assessment=assessment,
        by=tutor,
        levels=levels,
        comments=comments or {},
        overall_feedback=feedback,
        outcome=outcome,
        complete=complete,
    )


def add_tutor(user_factory, cohort, email: str = "frank@example.test", name: str = "Frank Tutor"):
    user = user_factory(email, name)
    Membership.objects.create(user=user, cohort=cohort, role=Role.TUTOR)
    return user


def assign(tutor, cohort, *trainees) -> None:
    """Make `tutor` an assigned tutor of `trainees` in `cohort` (so only assigned tutors read them)."""
    Membership.objects.get(user=tutor, cohort=cohort, role=Role.TUTOR).assigned_trainees.add(*trainees)


def allocate(target, *, by, second=None, moderator=None) -> list[Allocation]:
    """Allocate a second marker and/or a moderator for `target`, a Submission or a
    Checkpoint, through the service (so its checks, notices and audit all run)."""
    scope = {"submission": target} if isinstance(target, Submission) else {"checkpoint": target}
    chosen = ((AllocationRole.SECOND_MARKER, second), (AllocationRole.MODERATOR, moderator))
    return [allocation_set(role=role, user=user, by=by, **scope) for role, user in chosen if user is not None]
