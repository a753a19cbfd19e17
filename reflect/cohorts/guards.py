"""An archived cohort is read-only: nothing in it may change, for anyone.

Every capability that writes into a cohort asks `refuse_if_read_only` first;
querysets that must skip read-only cohorts filter with `read_write_q`
(reflect.cohorts.models), the same rule in SQL."""

from reflect.cohorts.models import Cohort

READ_ONLY_MESSAGE = "This cohort has been archived, so it is read-only: nothing in it can be changed."


class ReadOnlyCohort(Exception):
    """A change refused because its cohort is archived."""


def refuse_if_read_only(cohort: Cohort, *, error: type[Exception] = ReadOnlyCohort) -> None:
    """Raise `error` with the plain message if the cohort is read-only. A capability
    passes its own refusal class (AssessmentError, CommentError...) so its views
    show this refusal like any other and its callers catch one kind of error."""
    if cohort.is_read_only:
        raise error(READ_ONLY_MESSAGE)
