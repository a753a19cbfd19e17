"""Remove each decision of the access policy in turn and check that a test fails.

    make mutate                                  # every mutation
    .venv/bin/python bench/mutate_policy.py --only journal.visible.no-tutor-rule,people.tutor_reads.no-override
    .venv/bin/python bench/mutate_policy.py --list
    .venv/bin/python bench/mutate_policy.py --report tests/access/mutations.md

Each mutation is (file, exact original snippet, replacement): it drops one `|` or
`&` operand, removes one `.filter()` condition, turns a guard off or negates a
predicate's condition. For each one the script writes the mutated file, runs

    pytest -x tests/access/test_policy_rules.py tests/access/test_url_matrix.py
           tests/reflect/test_access_matrix.py tests/reflect/test_assessment*.py

(fastest first, so most mutants die in seconds), restores the file byte for byte
(and its timestamps) whatever happens, and records the first test that failed. A
mutation whose snippet is not in the file (the code moved on) is reported as
"snippet not found", never a crash: fix the snippet, not the script.

It needs the same environment as the tests (DATABASE_URL, SECRET_KEY, ...). Python
writes no bytecode while a file is mutated (PYTHONDONTWRITEBYTECODE), so a stale
.pyc can never outlive the mutation.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = [
    "tests/access/test_policy_rules.py",
    "tests/access/test_url_matrix.py",
    "tests/reflect/test_access_matrix.py",
    "tests/reflect/test_assessment.py",
    "tests/reflect/test_assessment_views.py",
]
TIMEOUT = 30 * 60


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str
    original: str
    replacement: str
    what: str
    equivalent: str = ""  # why no test can tell this mutant apart: not run unless asked


PEOPLE = "reflect/access/people.py"
READERS = "reflect/access/readers.py"
JOURNAL = "reflect/journal/policy.py"
ASSESSMENT = "reflect/assessment/policy.py"
COMMENTS = "reflect/feedback/models.py"
ASSESSMENT_MODELS = "reflect/assessment/models.py"
MANAGE_MODELS = "reflect/manage/models.py"


def guard(id_: str, file: str, before: str, what: str = "anonymous guard off") -> Mutation:
    """Turn off an `if not user.is_authenticated:` guard that directly follows `before`."""
    return Mutation(
        id_, file, f"{before}\n    if not user.is_authenticated:", f"{before}\n    if False:  # mutated", what
    )


def drop(id_: str, file: str, text: str, what: str) -> Mutation:
    """Remove `text` (a condition, an operand, a line)."""
    return Mutation(id_, file, text, "", what)


MUTATIONS: list[Mutation] = [
    # --- reflect/access/people.py: who is where, who reads whom, who runs what ---
    guard(
        "people.roles_in.guard",
        PEOPLE,
        '    """The roles this person holds in one cohort (empty for strangers)."""',
    ),
    Mutation(
        "people.roles_in.any-cohort",
        PEOPLE,
        "Membership.objects.filter(user=user, cohort_id=cohort_id)",
        "Membership.objects.filter(user=user)",
        "roles_in: roles in any cohort count",
    ),
    guard(
        "people.cohorts_as.guard",
        PEOPLE,
        '    """Cohorts where this person holds any of `roles` (archived ones included)."""',
    ),
    Mutation(
        "people.cohorts_as.any-role",
        PEOPLE,
        "Membership.objects.filter(user=user, role__in=roles)",
        "Membership.objects.filter(user=user)",
        "cohorts_as: any role counts",
    ),
    Mutation(
        "people.trainees_of.any-role",
        PEOPLE,
        "Membership.objects.filter(cohort=cohort, role=Role.TRAINEE)",
        "Membership.objects.filter(cohort=cohort)",
        "trainees_of: every member is a trainee",
    ),
    Mutation(
        "people.tutors_of.any-role",
        PEOPLE,
        "Membership.objects.filter(cohort=cohort, role=Role.TUTOR)",
        "Membership.objects.filter(cohort=cohort)",
        "tutors_of: every member is a tutor",
    ),
    guard(
        "people.programmes.guard",
        PEOPLE,
        '    of any of its cohorts. Either way they run every cohort of the programme."""',
    ),
    Mutation(
        "people.programmes.no-programme-admins",
        PEOPLE,
        "Q(admins=user) | Q(pk__in=admin_of)",
        "Q(pk__in=admin_of)",
        "programmes_administered_by: Programme.admins dropped",
    ),
    Mutation(
        "people.programmes.no-course-admins",
        PEOPLE,
        "Q(admins=user) | Q(pk__in=admin_of)",
        "Q(admins=user)",
        "programmes_administered_by: course admins of a cohort dropped",
    ),
    Mutation(
        "people.programmes.any-membership",
        PEOPLE,
        "Membership.objects.filter(user=user, role=Role.COURSE_ADMIN)",
        "Membership.objects.filter(user=user)",
        "programmes_administered_by: any membership runs the programme",
    ),
    Mutation(
        "people.cohorts_administered.guard",
        PEOPLE,
        '    """Cohorts of the programmes this person runs (archived ones included)."""\n'
        "    if not user.is_authenticated:",
        '    """Cohorts of the programmes this person runs (archived ones included)."""\n    if False:  # mutated',
        "anonymous guard off",
        equivalent="redundant guard: programmes_administered_by(anonymous) is already empty",
    ),
    Mutation(
        "people.cohorts_administered.all",
        PEOPLE,
        "Cohort.objects.filter(programme__in=programmes_administered_by(user))",
        "Cohort.objects.all()",
        "cohorts_administered_by: every cohort",
    ),
    Mutation(
        "people.runs_cohort.any",
        PEOPLE,
        "cohorts_administered_by(user).filter(pk=cohort.pk).exists()",
        "cohorts_administered_by(user).exists()",
        "runs_cohort: running any cohort runs this one",
    ),
    Mutation(
        "people.staff_cohorts.guard",
        PEOPLE,
        '    """Cohorts whose staff pages this person may open: those they tutor and those they run."""\n'
        "    if not user.is_authenticated:",
        '    """Cohorts whose staff pages this person may open: those they tutor and those they run."""\n'
        "    if False:  # mutated",
        "anonymous guard off",
        equivalent="redundant guard: cohorts_as and cohorts_administered_by are already empty for anonymous",
    ),
    Mutation(
        "people.staff_cohorts.no-tutored",
        PEOPLE,
        "Q(pk__in=cohorts_as(user, Role.TUTOR)) | Q(pk__in=cohorts_administered_by(user))",
        "Q(pk__in=cohorts_administered_by(user))",
        "staff_cohorts: cohorts tutored dropped",
    ),
    Mutation(
        "people.staff_cohorts.no-run",
        PEOPLE,
        "Q(pk__in=cohorts_as(user, Role.TUTOR)) | Q(pk__in=cohorts_administered_by(user))",
        "Q(pk__in=cohorts_as(user, Role.TUTOR))",
        "staff_cohorts: cohorts run dropped",
    ),
    Mutation(
        "people.tutor_reads.guard",
        PEOPLE,
        "        return Q(pk__in=[])\n    mine = ",
        "        pass  # mutated\n    mine = ",
        "tutor_reads: anonymous guard off",
    ),
    Mutation(
        "people.tutor_reads.mine-any-user",
        PEOPLE,
        "mine = tutors_of(cohort).filter(user=user)",
        "mine = tutors_of(cohort)",
        "tutor_reads: 'a tutor of the cohort' is not checked to be this user",
    ),
    Mutation(
        "people.tutor_reads.assigned-to-anyone",
        PEOPLE,
        "assigned_to_me = mine.filter(assigned_trainees=trainee)",
        "assigned_to_me = mine",
        "tutor_reads: any tutor of the cohort counts as assigned",
    ),
    Mutation(
        "people.tutor_reads.has-assigned-any",
        PEOPLE,
        "has_assigned_tutor = tutors_of(cohort).filter(assigned_trainees=trainee)",
        "has_assigned_tutor = tutors_of(cohort)",
        "tutor_reads: every trainee 'has an assigned tutor'",
    ),
    Mutation(
        "people.tutor_reads.is-trainee-any",
        PEOPLE,
        "is_trainee = trainees_of(cohort).filter(user=trainee)",
        "is_trainee = trainees_of(cohort)",
        "tutor_reads: the writer need not be a trainee of the cohort",
    ),
    Mutation(
        "people.tutor_reads.no-is-trainee",
        PEOPLE,
        "Q(Exists(is_trainee) & (Exists(assigned_to_me) |",
        "Q((Exists(assigned_to_me) |",
        "tutor_reads: `Exists(is_trainee) &` dropped",
    ),
    Mutation(
        "people.tutor_reads.no-assigned",
        PEOPLE,
        "(Exists(assigned_to_me) | (Exists(mine) & ~Exists(has_assigned_tutor)))",
        "((Exists(mine) & ~Exists(has_assigned_tutor)))",
        "tutor_reads: assigned tutors dropped",
    ),
    Mutation(
        "people.tutor_reads.no-mine",
        PEOPLE,
        "(Exists(mine) & ~Exists(has_assigned_tutor))",
        "(~Exists(has_assigned_tutor))",
        "tutor_reads: 'tutors the cohort' dropped from the no-assigned-tutor branch",
    ),
    Mutation(
        "people.tutor_reads.no-override",
        PEOPLE,
        "(Exists(mine) & ~Exists(has_assigned_tutor))",
        "(Exists(mine))",
        "tutor_reads: assigned tutors no longer exclude the rest of the cohort's tutors",
    ),
    Mutation(
        "people.tutor_reads.negated-override",
        PEOPLE,
        "& ~Exists(has_assigned_tutor))",
        "& Exists(has_assigned_tutor))",
        "tutor_reads: `~Exists(has_assigned_tutor)` negated",
    ),
    Mutation(
        "people.trainee_ids_read_by.all",
        PEOPLE,
        'trainees_of(cohort).filter(tutor_reads(user, trainee=OuterRef("user"), cohort=cohort)).values("user_id")',
        'trainees_of(cohort).values("user_id")',
        "trainee_ids_read_by: every trainee of the cohort",
    ),
    # --- reflect/access/readers.py: the trainee's "who can read" panel ---
    Mutation(
        "readers.assigned-any",
        READERS,
        "if any(t.pk == trainee.pk for t in m.assigned_trainees.all())",
        "if m.assigned_trainees.all()",
        "tutor_readers_of: a tutor with any assignment counts as this trainee's",
    ),
    Mutation(
        "readers.no-override",
        READERS,
        "elif m.cohort_id not in cohorts_with_assigned:",
        "else:",
        "tutor_readers_of: unassigned tutors listed although the trainee has assigned ones",
    ),
    # --- reflect/journal/policy.py ---
    guard("journal.visible.guard", JOURNAL, "    from reflect.journal.models import Status, Visibility\n"),
    Mutation(
        "journal.visible.private-shared",
        JOURNAL,
        "Q(visibility=Visibility.SHARED, status=Status.PUBLISHED) &",
        "Q(status=Status.PUBLISHED) &",
        "entries_visible_to: private entries count as shared",
    ),
    Mutation(
        "journal.visible.drafts-shared",
        JOURNAL,
        "Q(visibility=Visibility.SHARED, status=Status.PUBLISHED) &",
        "Q(visibility=Visibility.SHARED) &",
        "entries_visible_to: shared drafts readable",
    ),
    Mutation(
        "journal.visible.no-tutor-rule",
        JOURNAL,
        ' & tutor_reads(\n        user, trainee=OuterRef("author"), cohort=OuterRef("cohort")\n    )',
        "",
        "entries_visible_to: `& tutor_reads(...)` dropped (every shared entry to everyone)",
    ),
    Mutation(
        "journal.visible.trash",
        JOURNAL,
        "return qs.alive().filter(Q(author=user) | shared)",
        "return qs.filter(Q(author=user) | shared)",
        "entries_visible_to: entries in Trash readable",
    ),
    Mutation(
        "journal.visible.no-own",
        JOURNAL,
        "return qs.alive().filter(Q(author=user) | shared)",
        "return qs.alive().filter(shared)",
        "entries_visible_to: `Q(author=user) |` dropped",
    ),
    Mutation(
        "journal.visible.no-shared",
        JOURNAL,
        "return qs.alive().filter(Q(author=user) | shared)",
        "return qs.alive().filter(Q(author=user))",
        "entries_visible_to: `| shared` dropped",
    ),
    guard("journal.editable.guard", JOURNAL, "def entries_editable_by(qs: QuerySet, user: User) -> QuerySet:"),
    Mutation(
        "journal.editable.trash",
        JOURNAL,
        'return qs.alive().filter(read_write_q("cohort"), author=user)',
        'return qs.filter(read_write_q("cohort"), author=user)',
        "entries_editable_by: entries in Trash editable",
    ),
    Mutation(
        "journal.editable.anyones",
        JOURNAL,
        'return qs.alive().filter(read_write_q("cohort"), author=user)',
        'return qs.alive().filter(read_write_q("cohort"))',
        "entries_editable_by: `author=user` dropped",
    ),
    Mutation(
        "journal.editable.archived",
        JOURNAL,
        'return qs.alive().filter(read_write_q("cohort"), author=user)',
        "return qs.alive().filter(author=user)",
        "entries_editable_by: archived cohorts editable",
    ),
    # --- reflect/feedback/models.py: CommentQuerySet.visible_to ---
    Mutation(
        "comments.visible.guard",
        COMMENTS,
        'no comment either."""\n        if not user.is_authenticated:',
        'no comment either."""\n        if False:  # mutated',
        "anonymous guard off",
    ),
    Mutation(
        "comments.visible.any-entry",
        COMMENTS,
        "self.filter(entry__in=entries).filter(Q(status=CommentStatus.POSTED) | Q(author=user))",
        "self.filter(Q(status=CommentStatus.POSTED) | Q(author=user))",
        "Comment visible_to: `entry__in=entries` dropped",
    ),
    Mutation(
        "comments.visible.own-only",
        COMMENTS,
        "Q(status=CommentStatus.POSTED) | Q(author=user)",
        "Q(author=user)",
        "Comment visible_to: posted comments dropped",
    ),
    Mutation(
        "comments.visible.no-own-drafts",
        COMMENTS,
        "Q(status=CommentStatus.POSTED) | Q(author=user)",
        "Q(status=CommentStatus.POSTED)",
        "Comment visible_to: the writer's own drafts dropped",
    ),
    Mutation(
        "comments.visible.drafts",
        COMMENTS,
        ".filter(entry__in=entries).filter(Q(status=CommentStatus.POSTED) | Q(author=user))",
        ".filter(entry__in=entries)",
        "Comment visible_to: everyone's drafts readable",
    ),
    # --- reflect/assessment/policy.py: querysets ---
    guard(
        "assessment.allocated.guard",
        ASSESSMENT,
        '    or else the checkpoint\'s."""',
    ),
    Mutation(
        "assessment.allocated.own-any-role",
        ASSESSMENT,
        "own = Allocation.objects.filter(submission=OuterRef(submission), role=role)",
        "own = Allocation.objects.filter(submission=OuterRef(submission))",
        "allocated: a submission allocation of either role counts",
    ),
    Mutation(
        "assessment.allocated.whole-any-user",
        ASSESSMENT,
        "whole = Allocation.objects.filter(checkpoint=OuterRef(checkpoint), role=role, user=user)",
        "whole = Allocation.objects.filter(checkpoint=OuterRef(checkpoint), role=role)",
        "allocated: a checkpoint allocation counts for every user",
    ),
    Mutation(
        "assessment.allocated.whole-any-role",
        ASSESSMENT,
        "whole = Allocation.objects.filter(checkpoint=OuterRef(checkpoint), role=role, user=user)",
        "whole = Allocation.objects.filter(checkpoint=OuterRef(checkpoint), user=user)",
        "allocated: a checkpoint allocation of either role counts",
    ),
    Mutation(
        "assessment.allocated.no-own",
        ASSESSMENT,
        "Q(Exists(own.filter(user=user)) | (Exists(whole) & ~Exists(own)))",
        "Q((Exists(whole) & ~Exists(own)))",
        "allocated: the submission's own allocation dropped",
    ),
    Mutation(
        "assessment.allocated.no-whole",
        ASSESSMENT,
        "Q(Exists(own.filter(user=user)) | (Exists(whole) & ~Exists(own)))",
        "Q(Exists(own.filter(user=user)))",
        "allocated: the checkpoint's allocation dropped",
    ),
    Mutation(
        "assessment.allocated.no-override",
        ASSESSMENT,
        "(Exists(whole) & ~Exists(own))",
        "(Exists(whole))",
        "allocated: a submission's own allocation no longer overrides the checkpoint's",
    ),
    guard(
        "assessment.submissions.guard",
        ASSESSMENT,
        "def submissions_visible_to(qs: QuerySet, user: User) -> QuerySet:",
    ),
    Mutation(
        "assessment.submissions.no-tutor-rule",
        ASSESSMENT,
        "        _reads_trainee(user) | allocated(user, AllocationRole.SECOND_MARKER) |",
        "        allocated(user, AllocationRole.SECOND_MARKER) |",
        "submissions_visible_to: the tutors who read the trainee dropped",
    ),
    Mutation(
        "assessment.submissions.no-second-marker",
        ASSESSMENT,
        "_reads_trainee(user) | allocated(user, AllocationRole.SECOND_MARKER) | allocated(",
        "_reads_trainee(user) | allocated(",
        "submissions_visible_to: the allocated second marker dropped",
    ),
    Mutation(
        "assessment.submissions.no-moderator",
        ASSESSMENT,
        " | allocated(user, AllocationRole.MODERATOR)\n    )",
        "\n    )",
        "submissions_visible_to: the allocated moderator dropped",
    ),
    Mutation(
        "assessment.submissions.no-own",
        ASSESSMENT,
        "qs.filter(Q(trainee=user) | (~Q(status=SubmissionStatus.DRAFT) & staff))",
        "qs.filter(~Q(status=SubmissionStatus.DRAFT) & staff)",
        "submissions_visible_to: the trainee's own dropped",
    ),
    Mutation(
        "assessment.submissions.drafts",
        ASSESSMENT,
        "qs.filter(Q(trainee=user) | (~Q(status=SubmissionStatus.DRAFT) & staff))",
        "qs.filter(Q(trainee=user) | (staff))",
        "submissions_visible_to: staff read submissions still being prepared",
    ),
    Mutation(
        "assessment.submissions.no-staff",
        ASSESSMENT,
        "qs.filter(Q(trainee=user) | (~Q(status=SubmissionStatus.DRAFT) & staff))",
        "qs.filter(Q(trainee=user))",
        "submissions_visible_to: staff dropped",
    ),
    Mutation(
        "assessment.overview.all",
        ASSESSMENT,
        "return qs.filter(checkpoint__cohort__in=staff_cohorts(user))",
        "return qs",
        "submissions_overview_for: every cohort",
    ),
    guard(
        "assessment.markings.guard",
        ASSESSMENT,
        "def assessments_visible_to(qs: QuerySet, user: User) -> QuerySet:",
    ),
    Mutation(
        "assessment.markings.own-complete-anyone",
        ASSESSMENT,
        'submission=OuterRef("submission"), assessor=user, role__in=MARKERS, completed_at__isnull=False',
        'submission=OuterRef("submission"), role__in=MARKERS, completed_at__isnull=False',
        "assessments_visible_to: 'my own marking is complete' true if anyone's is",
    ),
    Mutation(
        "assessment.markings.own-incomplete",
        ASSESSMENT,
        'submission=OuterRef("submission"), assessor=user, role__in=MARKERS, completed_at__isnull=False',
        'submission=OuterRef("submission"), assessor=user, role__in=MARKERS',
        "assessments_visible_to: blindness ends when my marking starts, not when it is complete",
    ),
    Mutation(
        "assessment.markings.no-own",
        ASSESSMENT,
        "        Q(assessor=user)\n        | Q(submission__trainee=user",
        "        Q(submission__trainee=user",
        "assessments_visible_to: the marker's own marking dropped",
    ),
    Mutation(
        "assessment.markings.trainee-unreleased",
        ASSESSMENT,
        "Q(submission__trainee=user, released_at__isnull=False)",
        "Q(submission__trainee=user)",
        "assessments_visible_to: the trainee reads unreleased markings",
    ),
    Mutation(
        "assessment.markings.no-trainee",
        ASSESSMENT,
        "        | Q(submission__trainee=user, released_at__isnull=False)\n",
        "",
        "assessments_visible_to: the trainee's released feedback dropped",
    ),
    Mutation(
        "assessment.markings.not-blind",
        ASSESSMENT,
        "(complete & Exists(own_complete))",
        "(Exists(own_complete))",
        "assessments_visible_to: a marker reads the other's incomplete marking",
    ),
    Mutation(
        "assessment.markings.no-other-marker",
        ASSESSMENT,
        "        | (complete & Exists(own_complete))\n",
        "",
        "assessments_visible_to: markers never read each other's marking",
    ),
    Mutation(
        "assessment.markings.moderator-incomplete",
        ASSESSMENT,
        "(complete & moderator & both_complete)",
        "(moderator)",
        "assessments_visible_to: the moderator reads incomplete markings",
    ),
    Mutation(
        "assessment.markings.no-moderator",
        ASSESSMENT,
        "        | (complete & moderator & both_complete)\n",
        "",
        "assessments_visible_to: the moderator dropped",
    ),
    Mutation(
        "assessment.markings.readers-unreleased",
        ASSESSMENT,
        '(Q(released_at__isnull=False) & _reads_trainee(user, "submission__"))',
        '(_reads_trainee(user, "submission__"))',
        "assessments_visible_to: tutors who read the trainee read unreleased markings",
    ),
    Mutation(
        "assessment.markings.released-to-all",
        ASSESSMENT,
        '(Q(released_at__isnull=False) & _reads_trainee(user, "submission__"))',
        "(Q(released_at__isnull=False))",
        "assessments_visible_to: released feedback readable by anyone",
    ),
    Mutation(
        "assessment.markings.no-readers",
        ASSESSMENT,
        '        | (Q(released_at__isnull=False) & _reads_trainee(user, "submission__"))\n',
        "",
        "assessments_visible_to: tutors who read the trainee don't see released feedback",
    ),
    # --- reflect/assessment/policy.py: predicates ---
    Mutation(
        "assessment.allocated_user_id.no-own",
        ASSESSMENT,
        "    if own is not None:\n        return own",
        "    if False:  # mutated\n        return own",
        "allocated_user_id: the submission's own allocation ignored",
    ),
    Mutation(
        "assessment.allocated_user_id.own-any-role",
        ASSESSMENT,
        "own = submission.allocations.filter(role=role)",
        "own = submission.allocations.all()",
        "allocated_user_id: the submission's allocation of either role",
    ),
    Mutation(
        "assessment.allocated_user_id.no-whole",
        ASSESSMENT,
        "    return (\n        Allocation.objects.filter(checkpoint_id=submission.checkpoint_id, role=role)",
        "    return None and (\n        Allocation.objects.filter(checkpoint_id=submission.checkpoint_id, role=role)",
        "allocated_user_id: the checkpoint's allocation ignored",
    ),
    Mutation(
        "assessment.reads_trainee.always",
        ASSESSMENT,
        "Submission.objects.filter(pk=submission.pk).filter(_reads_trainee(user)).exists()",
        "Submission.objects.filter(pk=submission.pk).exists()",
        "reads_trainee: always true",
    ),
    Mutation(
        "assessment.open.any-status",
        ASSESSMENT,
        "return submission.status == SubmissionStatus.SUBMITTED and not submission.checkpoint.cohort.is_read_only",
        "return not submission.checkpoint.cohort.is_read_only",
        "_open: withdrawn or draft submissions open to marking",
    ),
    Mutation(
        "assessment.open.archived",
        ASSESSMENT,
        "return submission.status == SubmissionStatus.SUBMITTED and not submission.checkpoint.cohort.is_read_only",
        "return submission.status == SubmissionStatus.SUBMITTED",
        "_open: archived cohorts open to marking",
    ),
    Mutation(
        "assessment.first.not-open",
        ASSESSMENT,
        "        _open(submission)\n        and MarkingRole.FIRST not in markings",
        "        True\n        and MarkingRole.FIRST not in markings",
        "can_first_mark: `_open` dropped",
    ),
    drop(
        "assessment.first.again",
        ASSESSMENT,
        "        and MarkingRole.FIRST not in markings\n",
        "can_first_mark: a second first marking allowed",
    ),
    drop(
        "assessment.first.by-second-marker",
        ASSESSMENT,
        "        and allocated_user_id(submission, AllocationRole.SECOND_MARKER) != user.pk\n",
        "can_first_mark: the allocated second marker may first-mark",
    ),
    drop(
        "assessment.first.anyone",
        ASSESSMENT,
        "        and reads_trainee(user, submission)\n",
        "can_first_mark: tutors who don't read the trainee may first-mark",
    ),
    Mutation(
        "assessment.second.not-open",
        ASSESSMENT,
        "        _open(submission)\n        and first is not None\n",
        "        True\n        and first is not None\n",
        "can_second_mark: `_open` dropped",
    ),
    drop(
        "assessment.second.before-first",
        ASSESSMENT,
        "        and first is not None\n",
        "can_second_mark: before any first marking",
    ),
    drop(
        "assessment.second.by-first-marker",
        ASSESSMENT,
        "        and first.assessor_id != user.pk\n",
        "can_second_mark: the first marker may second-mark",
    ),
    drop(
        "assessment.second.again",
        ASSESSMENT,
        "        and MarkingRole.SECOND not in markings\n",
        "can_second_mark: a second second marking allowed",
    ),
    drop(
        "assessment.second.after-release",
        ASSESSMENT,
        "        and not any(a.released_at for a in markings.values())\n",
        "can_second_mark: after a release",
    ),
    drop(
        "assessment.second.unallocated",
        ASSESSMENT,
        "        and allocated_user_id(submission, AllocationRole.SECOND_MARKER) == user.pk\n",
        "can_second_mark: anyone, allocated or not",
    ),
    Mutation(
        "assessment.moderate.not-open",
        ASSESSMENT,
        "        _open(submission)\n        and bool(first and second",
        "        True\n        and bool(first and second",
        "can_moderate: `_open` dropped",
    ),
    Mutation(
        "assessment.moderate.first-incomplete",
        ASSESSMENT,
        "bool(first and second and first.is_complete and second.is_complete)",
        "bool(first and second and second.is_complete)",
        "can_moderate: first marking need not be complete",
    ),
    Mutation(
        "assessment.moderate.second-incomplete",
        ASSESSMENT,
        "bool(first and second and first.is_complete and second.is_complete)",
        "bool(first and second and first.is_complete)",
        "can_moderate: second marking need not be complete",
    ),
    drop(
        "assessment.moderate.any-agreed",
        ASSESSMENT,
        "        and (agreed is None or (agreed.assessor_id == user.pk and not agreed.is_released))\n",
        "can_moderate: whatever the agreed marking",
    ),
    Mutation(
        "assessment.moderate.others-agreed",
        ASSESSMENT,
        "(agreed.assessor_id == user.pk and not agreed.is_released)",
        "(not agreed.is_released)",
        "can_moderate: over someone else's agreed marking",
    ),
    Mutation(
        "assessment.moderate.after-release",
        ASSESSMENT,
        "(agreed.assessor_id == user.pk and not agreed.is_released)",
        "(agreed.assessor_id == user.pk)",
        "can_moderate: after the agreed marking is released",
    ),
    drop(
        "assessment.moderate.unallocated",
        ASSESSMENT,
        "        and allocated_user_id(submission, AllocationRole.MODERATOR) == user.pk\n",
        "can_moderate: anyone, allocated or not",
    ),
    Mutation(
        "assessment.needs_second.no-marking",
        ASSESSMENT,
        "filter(Exists(second) | Exists(own) | Exists(whole))",
        "filter(Exists(own) | Exists(whole))",
        "needs_second_marking: an existing second marking ignored",
    ),
    Mutation(
        "assessment.needs_second.no-allocation",
        ASSESSMENT,
        "filter(Exists(second) | Exists(own) | Exists(whole))",
        "filter(Exists(second))",
        "needs_second_marking: an allocated second marker ignored",
    ),
    Mutation(
        "assessment.release.anyone",
        ASSESSMENT,
        "if assessment.assessor_id != user.pk or assessment.is_released",
        "if assessment.is_released",
        "can_release: not only the marker",
    ),
    Mutation(
        "assessment.release.again",
        ASSESSMENT,
        "assessment.assessor_id != user.pk or assessment.is_released or not",
        "assessment.assessor_id != user.pk or not",
        "can_release: a released marking again",
    ),
    Mutation(
        "assessment.release.incomplete",
        ASSESSMENT,
        " or not assessment.is_complete:\n        return False",
        ":\n        return False",
        "can_release: an incomplete marking",
    ),
    Mutation(
        "assessment.release.not-open",
        ASSESSMENT,
        "    if not _open(submission):\n        return False\n    if assessment.role",
        "    if False:  # mutated\n        return False\n    if assessment.role",
        "can_release: `_open` dropped",
    ),
    Mutation(
        "assessment.release.no-agreed",
        ASSESSMENT,
        "    if assessment.role == MarkingRole.AGREED:\n        return True",
        "    if False:  # mutated\n        return True",
        "can_release: the agreed marking no longer releasable",
    ),
    Mutation(
        "assessment.release.second-marked",
        ASSESSMENT,
        "return assessment.role == MarkingRole.FIRST and not needs_second_marking(submission)",
        "return assessment.role == MarkingRole.FIRST",
        "can_release: a second-marked submission's first marking releasable",
    ),
    Mutation(
        "assessment.allocate.no-admins",
        ASSESSMENT,
        "    if runs_cohort(user, submission.checkpoint.cohort):\n        return True",
        "    if False:  # mutated\n        return True",
        "can_allocate: course and programme admins dropped",
    ),
    Mutation(
        "assessment.allocate.any-tutor",
        ASSESSMENT,
        "submission.assessments.filter(role=MarkingRole.FIRST, assessor=user).exists()",
        "submission.assessments.filter(role=MarkingRole.FIRST).exists()",
        "can_allocate: anyone once a first marking exists",
    ),
    Mutation(
        "assessment.submit.any-role",
        ASSESSMENT,
        "return Role.TRAINEE in roles_in(user, checkpoint.cohort_id)",
        "return bool(roles_in(user, checkpoint.cohort_id))",
        "can_submit: any member of the cohort",
    ),
    Mutation(
        "assessment.to_submit.any-role",
        ASSESSMENT,
        "return Checkpoint.objects.filter(cohort__in=cohorts_as(user, Role.TRAINEE))",
        "return Checkpoint.objects.filter(cohort__in=cohorts_as(user, *Role.values))",
        "checkpoints_to_submit: any member's cohorts (a tutor's home page and calendar)",
    ),
    Mutation(
        "assessment.tutored.any-role",
        ASSESSMENT,
        "return Checkpoint.objects.filter(cohort__in=cohorts_as(user, Role.TUTOR))",
        "return Checkpoint.objects.filter(cohort__in=cohorts_as(user, *Role.values))",
        "checkpoints_tutored_by: any member's cohorts (a course admin's calendar)",
    ),
    Mutation(
        "assessment.manage_checkpoints.anyone",
        ASSESSMENT,
        "return runs_cohort(user, cohort or checkpoint.cohort)",
        "return True",
        "can_manage_checkpoints: anyone",
    ),
    # --- the querysets that live beside their models (rubrics, checkpoints, invitations) ---
    Mutation(
        "rubrics.visible.no-members",
        ASSESSMENT_MODELS,
        "Q(programme__in=member_of) | Q(programme__in=programmes_administered_by(user))",
        "Q(programme__in=programmes_administered_by(user))",
        "Rubric visible_to: members of the programme's cohorts dropped",
    ),
    Mutation(
        "rubrics.visible.no-admins",
        ASSESSMENT_MODELS,
        "Q(programme__in=member_of) | Q(programme__in=programmes_administered_by(user))",
        "Q(programme__in=member_of)",
        "Rubric visible_to: the people who run the programme dropped",
    ),
    Mutation(
        "rubrics.editable.all",
        ASSESSMENT_MODELS,
        "        return self.filter(programme__in=programmes_administered_by(user))",
        "        return self.all()",
        "Rubric editable_by: everyone",
    ),
    Mutation(
        "checkpoints.visible.no-members",
        ASSESSMENT_MODELS,
        "Q(cohort__in=cohorts_as(user, *Role.values)) | Q(cohort__in=cohorts_administered_by(user))",
        "Q(cohort__in=cohorts_administered_by(user))",
        "Checkpoint visible_to: members dropped",
    ),
    Mutation(
        "checkpoints.visible.no-admins",
        ASSESSMENT_MODELS,
        "Q(cohort__in=cohorts_as(user, *Role.values)) | Q(cohort__in=cohorts_administered_by(user))",
        "Q(cohort__in=cohorts_as(user, *Role.values))",
        "Checkpoint visible_to: the people who run the cohort dropped",
    ),
    Mutation(
        "invitations.administered.all",
        MANAGE_MODELS,
        "return self.filter(cohort__in=cohorts_administered_by(user))",
        "return self.all()",
        "CohortInvitation administered_by: every invitation",
    ),
]


# --- running ----------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    mutation: Mutation
    outcome: str  # killed / survived / snippet not found / ambiguous / error
    by: str = ""
    seconds: float = 0.0


SUMMARY = re.compile(r"^(FAILED|ERROR) (\S+)(?: - (.*))?$")


def failures(output: str) -> list[str]:
    """The node ids of the failed and erroring tests, from pytest's `-rfE` summary."""
    found = []
    for line in output.splitlines():
        match = SUMMARY.match(line)
        if match and match.group(2) not in found:
            found.append(match.group(2))
    return found


def first_failure(output: str) -> str:
    """The first failing test; for an error (in a fixture, say) with the exception, so a
    mutant that only breaks the set-up is told apart from one an assertion caught."""
    for line in output.splitlines():
        match = SUMMARY.match(line)
        if match:
            kind, node, message = match.groups()
            return node if kind == "FAILED" else f"ERROR {node} ({(message or '')[:80]})"
    return ""


def run_tests(tests: list[str], extra: list[str], *, stop_first: bool = True) -> tuple[int, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.setdefault("SECRET_KEY", "mutation-testing")
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    command = [
        str(ROOT / ".venv" / "bin" / "pytest"),
        *(["-x"] if stop_first else []),
        "-q",
        "-p",
        "no:cacheprovider",
        "-rfE",
        "--tb=short",
        "--reuse-db",
        *extra,
        *tests,
    ]
    try:
        done = subprocess.run(  # noqa: S603 — our own pytest, fixed arguments
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    return done.returncode, done.stdout + done.stderr


def mutate_and_run(mutation: Mutation, tests: list[str], extra: list[str], include_equivalent: bool = False) -> Result:
    path = ROOT / mutation.file
    if not path.exists():
        return Result(mutation, "snippet not found", f"no file {mutation.file}")
    original = path.read_bytes()
    stat = path.stat()
    text = original.decode()
    count = text.count(mutation.original)
    if count == 0:
        return Result(mutation, "snippet not found")
    if count > 1:
        return Result(mutation, "ambiguous", f"snippet found {count} times")
    if mutation.equivalent and not include_equivalent:
        return Result(mutation, "equivalent (not run)", mutation.equivalent)
    started = time.monotonic()
    try:
        path.write_text(text.replace(mutation.original, mutation.replacement, 1))
        code, output = run_tests(tests, extra)
        if os.environ.get("MUTATE_LOG_DIR"):
            Path(os.environ["MUTATE_LOG_DIR"], f"{mutation.id}.log").write_text(output)
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    seconds = time.monotonic() - started
    if code == 0:
        return Result(mutation, "survived", seconds=seconds)
    if code == 1:
        return Result(mutation, "killed", first_failure(output) or "(a test failed)", seconds)
    if code == -1:
        return Result(mutation, "error", "timeout", seconds)
    # 2: interrupted or a collection error (the mutant didn't import), 3/4: internal or usage error.
    return Result(mutation, "killed" if code == 2 else "error", first_failure(output) or f"pytest exit {code}", seconds)


def markdown(results: list[Result]) -> str:
    lines = ["| mutation | file | what is removed | result | first failing test |", "|---|---|---|---|---|"]
    for r in results:
        by = r.by.replace("tests/", "").replace("|", "\\|")
        lines.append(f"| `{r.mutation.id}` | `{r.mutation.file}` | {r.mutation.what} | {r.outcome} | {by} |")
    counts = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    return "\n".join(lines) + f"\n\n{len(results)} mutations: {summary}.\n"


def main() -> int:
    # Stopped with `kill <pid>`: leave through `finally`, so the mutated file is restored
    # (and subprocess.run kills the pytest it started).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated mutation ids (or prefixes)")
    parser.add_argument("--list", action="store_true", help="list the mutations and check their snippets")
    parser.add_argument("--report", help="write the results as a Markdown table to this file")
    parser.add_argument("--tests", nargs="*", default=TESTS, help="test paths to run for each mutation")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run first")
    parser.add_argument(
        "--include-equivalent", action="store_true", help="also run the mutants marked equivalent (they survive)"
    )
    args, extra = parser.parse_known_args()

    mutations = MUTATIONS
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        mutations = [m for m in MUTATIONS if any(m.id == w or m.id.startswith(w) for w in wanted)]
    ids = [m.id for m in MUTATIONS]
    assert len(ids) == len(set(ids)), "two mutations share an id"

    if args.list:
        for m in mutations:
            text = (ROOT / m.file).read_text() if (ROOT / m.file).exists() else ""
            found = {0: "SNIPPET NOT FOUND", 1: "ok"}.get(text.count(m.original), "AMBIGUOUS")
            print(f"{m.id:45} {m.file:32} {found:18} {m.what}")
        return 0

    known_failures: list[str] = []
    if not args.no_baseline:
        print("baseline (no mutation) ...", flush=True)
        code, output = run_tests(args.tests, extra, stop_first=False)
        known_failures = failures(output)
        if code not in (0, 1) or (code == 1 and not known_failures):
            print(output[-3000:])
            print("The tests don't run without any mutation; fix that first.")
            return 2
        if known_failures:
            # Someone else's work in progress: these fail already, so they can't tell us anything.
            print(f"{len(known_failures)} tests fail without any mutation; they are left out:")
            print("\n".join(f"  {node}" for node in known_failures), flush=True)
            extra = [*extra, *(f"--deselect={node}" for node in known_failures)]

    results = []
    for n, mutation in enumerate(mutations, start=1):
        result = mutate_and_run(mutation, args.tests, extra, args.include_equivalent)
        results.append(result)
        line = f"[{n}/{len(mutations)}] {mutation.id:45} {result.outcome:18} {result.seconds:6.0f}s  {result.by}"
        print(line, flush=True)

    report = markdown(results)
    if known_failures:
        left_out = "\n".join(f"- `{node}`" for node in known_failures)
        report += f"\nLeft out because they fail without any mutation:\n\n{left_out}\n"
    print()
    print(report)
    if args.report:
        Path(args.report).write_text(report)
    survivors = [r for r in results if r.outcome not in ("killed", "equivalent (not run)")]
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
