"""Telling trainees when someone new can read their shared writing.

Who reads a trainee follows `reflect.access.tutor_reads`: their assigned tutors,
or, with none, every tutor of the cohort. So many staff actions change a
trainee's readers, some in ways that are easy to miss: removing a trainee's
only assigned tutor opens their writing to every tutor of the cohort. Rather
than predict the effect of each action, we take the cohort's readers before and
after it (a fixed number of queries, whatever the cohort's size) and tell each
trainee about every reader they gained, in one bulk insert.

Notices name the reader and why, never any journal text or title."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.urls import reverse

from accounts.models import User
from reflect.access import tutor_readers_in, tutor_readers_of
from reflect.access.readers import ASSIGNED
from reflect.cohorts.models import Cohort
from reflect.feedback.models import Notification, NotificationKind

Readers = dict[int, dict[int, str]]  # trainee id -> {tutor id: why}, from `tutor_readers_in`


def readers_url() -> str:
    """The trainee's home page, at the panel listing everyone who can read them."""
    return reverse("reflect:dashboard") + "#readers"


@contextmanager
def reader_notices(*, cohort: Cohort, by: User | None) -> Iterator[None]:
    """Wrap a change to the cohort's tutors, trainees or assignments; when it has
    run without error, the trainees who gained a reader are told."""
    before = tutor_readers_in(cohort.pk)
    yield
    readers_gained_notify(cohort=cohort, by=by, before=before, after=tutor_readers_in(cohort.pk))


def readers_gained(before: Readers, after: Readers) -> list[tuple[int, int, str]]:
    """(trainee id, tutor id, why) for every reader a trainee has now and had not
    before. Only trainees who were in the cohort before count: someone who has
    just joined has no writing there yet (their home page lists their readers)."""
    return [
        (trainee_id, tutor_id, why)
        for trainee_id, readers in sorted(after.items())
        if trainee_id in before
        for tutor_id, why in sorted(readers.items())
        if tutor_id not in before[trainee_id]
    ]


def readers_gained_notify(*, cohort: Cohort, by: User | None, before: Readers, after: Readers) -> int:
    """One READER_ADDED notice per trainee and new reader. Returns how many."""
    gained = readers_gained(before, after)
    if not gained:
        return 0
    names = {user.pk: str(user) for user in User.objects.filter(pk__in={tutor_id for _, tutor_id, _ in gained})}
    notices = [(trainee_id, _summary(names[tutor_id], why, cohort)) for trainee_id, tutor_id, why in gained]
    return _send(notices, by)


def _summary(reader: str, why: str, cohort: Cohort) -> str:
    if why == ASSIGNED:
        return f"{reader} is now your assigned tutor in {cohort.name} and can read your shared writing."
    return (
        f"{reader}, a tutor of {cohort.name}, can now read your shared writing there"
        " (you have no assigned tutor in that cohort)."
    )


def reader_ids(trainee: User) -> set[int]:
    """Everyone who reads this trainee now, in any cohort (for a move, whose
    writing goes with the trainee from one cohort to another)."""
    return {reader.user.pk for reader in tutor_readers_of(trainee)}


def move_notify(*, trainee: User, to_cohort: Cohort, by: User | None, before: set[int]) -> int:
    """After a move: tell the trainee about each reader they did not have before
    (a tutor of both cohorts who read them already is not news)."""
    gained = [reader for reader in tutor_readers_of(trainee) if reader.user.pk not in before]
    notices = [
        (
            trainee.pk,
            f"You were moved to {to_cohort.name}: {reader.user}, {reader.reason}, can now read your shared writing.",
        )
        for reader in gained
    ]
    return _send(notices, by)


def _send(notices: list[tuple[int, str]], by: User | None) -> int:
    url = readers_url()
    # As `feedback.notify`: nobody is told about their own action.
    rows = [
        Notification(user_id=trainee_id, kind=NotificationKind.READER_ADDED, actor=by, summary=text[:300], url=url)
        for trainee_id, text in notices
        if by is None or trainee_id != by.pk
    ]
    Notification.objects.bulk_create(rows, batch_size=500)
    return len(rows)
