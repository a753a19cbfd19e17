"""Creating, changing, closing and reopening checkpoints (the people who run a
programme do this under /manage/). Every change goes to the audit log, named by
the checkpoint's title and the fields changed, never any text. A refused action
raises AssessmentError with a plain message and changes nothing."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from reflect.assessment.allocation import allocation_set
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Allocation, AllocationRole, Assessment, Checkpoint, Rubric
from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.cohorts.models import Cohort

ARCHIVED = "This cohort has been archived, so its checkpoints can't be changed. Unarchive it first."
RUBRIC_IN_USE = (
    "Marking has started for this checkpoint, so its rubric can't be changed: every marking must use the "
    "same rubric version. Create a new checkpoint to use a different rubric."
)
# How the audit log names each field that changed (the names, never the values).
FIELD_NAMES = {
    "title": "title",
    "instructions": "instructions",
    "due_at": "deadline",
    "rubric": "rubric",
    "reminder_days": "reminder days",
}


def checkpoint_has_assessment(checkpoint: Checkpoint) -> bool:
    """True once any submission to the checkpoint has a marking (started or not)."""
    return Assessment.objects.filter(submission__checkpoint=checkpoint).exists()


def checkpoint_allocations(checkpoint: Checkpoint) -> dict[str, User | None]:
    """The whole-checkpoint second marker and moderator (None where nobody is allocated)."""
    found = {a.role: a.user for a in Allocation.objects.filter(checkpoint=checkpoint).select_related("user")}
    return {role: found.get(role) for role in AllocationRole.values}


def _check(*, cohort: Cohort, rubric: Rubric) -> None:
    if Cohort.objects.filter(pk=cohort.pk, archived_at__isnull=False).exists():
        raise AssessmentError(ARCHIVED)
    if rubric.programme_id != cohort.programme_id:
        raise AssessmentError("Choose one of this programme's rubrics.")


def _allocate(*, checkpoint: Checkpoint, by: User, second_marker: User | None, moderator: User | None) -> None:
    # allocation_set does nothing when the person is unchanged, so only real
    # changes are logged and only newly allocated markers are announced.
    for role, user in ((AllocationRole.SECOND_MARKER, second_marker), (AllocationRole.MODERATOR, moderator)):
        allocation_set(role=role, user=user, by=by, checkpoint=checkpoint)


@transaction.atomic
def checkpoint_create(
    *,
    cohort: Cohort,
    by: User,
    title: str,
    instructions: str,
    due_at: datetime.datetime,
    rubric: Rubric,
    reminder_days: list[int],
    second_marker: User | None = None,
    moderator: User | None = None,
) -> Checkpoint:
    """A new checkpoint for the cohort, with its whole-checkpoint markers if chosen."""
    _check(cohort=cohort, rubric=rubric)
    checkpoint = Checkpoint.objects.create(
        cohort=cohort,
        rubric=rubric,
        title=title,
        instructions=instructions,
        due_at=due_at,
        reminder_days=reminder_days,
    )
    audit_record(actor=by, action=Action.CHECKPOINT_CHANGED, cohort=cohort, detail=f"created “{title}”")
    _allocate(checkpoint=checkpoint, by=by, second_marker=second_marker, moderator=moderator)
    return checkpoint


@transaction.atomic
def checkpoint_update(
    *,
    checkpoint: Checkpoint,
    by: User,
    title: str,
    instructions: str,
    due_at: datetime.datetime,
    rubric: Rubric,
    reminder_days: list[int],
    second_marker: User | None,
    moderator: User | None,
) -> Checkpoint:
    """Save the checkpoint's settings and whole-checkpoint markers. The rubric
    can't change once marking has started."""
    # assessment_start locks the submission row together with its checkpoint,
    # so holding the checkpoint's row here means no marking can start between
    # the check below and the save.
    current = Checkpoint.objects.select_for_update().select_related("cohort").get(pk=checkpoint.pk)
    _check(cohort=current.cohort, rubric=rubric)
    if rubric.pk != current.rubric_id and checkpoint_has_assessment(current):
        raise AssessmentError(RUBRIC_IN_USE)
    new = {
        "title": title,
        "instructions": instructions,
        "due_at": due_at,
        "rubric": rubric,
        "reminder_days": reminder_days,
    }
    changed = [name for name, value in new.items() if getattr(current, name) != value]
    was = f" (was “{current.title}”)" if "title" in changed else ""
    for name in changed:
        setattr(current, name, new[name])
    if changed:
        current.save(update_fields=changed)
        fields = ", ".join(FIELD_NAMES[name] for name in changed)
        detail = f"changed “{title}”{was}: {fields}"
        audit_record(actor=by, action=Action.CHECKPOINT_CHANGED, cohort=current.cohort, detail=detail)
    _allocate(checkpoint=current, by=by, second_marker=second_marker, moderator=moderator)
    return current


def _set_closed(*, checkpoint: Checkpoint, by: User, close: bool) -> bool:
    if Cohort.objects.filter(pk=checkpoint.cohort_id, archived_at__isnull=False).exists():
        raise AssessmentError(ARCHIVED)
    rows = Checkpoint.objects.filter(pk=checkpoint.pk, closed_at__isnull=close)
    # A conditional update: closing twice (two tabs, a double click) changes
    # and logs nothing the second time.
    changed = rows.update(closed_at=timezone.now() if close else None)
    if changed:
        verb = "closed" if close else "reopened"
        audit_record(
            actor=by,
            action=Action.CHECKPOINT_CHANGED,
            cohort=checkpoint.cohort,
            detail=f"{verb} “{checkpoint.title}”",
        )
    checkpoint.refresh_from_db(fields=["closed_at"])
    return bool(changed)


@transaction.atomic
def checkpoint_close(*, checkpoint: Checkpoint, by: User) -> bool:
    """Stop taking submissions (those already made stay and can be marked).
    False if it was already closed."""
    return _set_closed(checkpoint=checkpoint, by=by, close=True)


@transaction.atomic
def checkpoint_reopen(*, checkpoint: Checkpoint, by: User) -> bool:
    """Take submissions again. False if it was already open."""
    return _set_closed(checkpoint=checkpoint, by=by, close=False)
