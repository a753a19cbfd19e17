"""Who may read and change journal entries, built on `reflect.access`.

- The author reads and writes all of their own entries (drafts, private, trash).
- A shared, published entry is read by the tutors who read its author in the
  entry's cohort (`reflect.access.tutor_reads`): the assigned tutors, or every
  tutor when the trainee has none. Nobody else reads an entry: not other
  trainees, not course or programme admins, not allocated markers (they read
  the submitted snapshot only), not the Django admin.
- Only the author edits, and not once the cohort is archived.
"""

from django.db.models import OuterRef, Q, QuerySet

from accounts.models import User
from reflect.access import tutor_reads
from reflect.cohorts.models import read_write_q


def entries_visible_to(qs: QuerySet, user: User) -> QuerySet:
    from reflect.journal.models import Status, Visibility

    if not user.is_authenticated:
        return qs.none()
    shared = Q(visibility=Visibility.SHARED, status=Status.PUBLISHED) & tutor_reads(
        user, trainee=OuterRef("author"), cohort=OuterRef("cohort")
    )
    return qs.alive().filter(Q(author=user) | shared)


def entries_editable_by(qs: QuerySet, user: User) -> QuerySet:
    if not user.is_authenticated:
        return qs.none()
    return qs.alive().filter(read_write_q("cohort"), author=user)
