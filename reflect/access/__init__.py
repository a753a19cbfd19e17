"""The access policy: who is where, who reads whom, who runs what.

Every access decision in Reflect starts here. This package sits at the bottom
of the layers (beside `reflect.cohorts`), so it knows people, cohorts and
programmes only; each capability's `policy.py` (journal, feedback, assessment)
builds its querysets and `can_*` predicates on these rules, and nothing else in
the code filters memberships by role to decide access.

The rules (also the README's "Who may see what"):

- A trainee with assigned tutors is read by those tutors only; a trainee with
  none is read by every tutor of the cohort (`tutor_reads`).
- A programme admin (`Programme.admins`) has a course admin's rights on every
  cohort of the programme (`programmes_administered_by`).
- Course admins never read text: running a cohort grants counts and dates only.
"""

from reflect.access.people import (
    cohorts_administered_by,
    cohorts_as,
    manages_programmes,
    memberships_as,
    programmes_administered_by,
    roles_anywhere,
    roles_in,
    runs_cohort,
    staff_cohorts,
    trainee_ids_read_by,
    trainees_of,
    tutor_reads,
    tutors_of,
)
from reflect.access.readers import Reader, tutor_readers_in, tutor_readers_of

__all__ = [
    "Reader",
    "cohorts_administered_by",
    "cohorts_as",
    "memberships_as",
    "roles_anywhere",
    "manages_programmes",
    "programmes_administered_by",
    "roles_in",
    "runs_cohort",
    "staff_cohorts",
    "trainee_ids_read_by",
    "trainees_of",
    "tutor_readers_in",
    "tutor_readers_of",
    "tutor_reads",
    "tutors_of",
]
