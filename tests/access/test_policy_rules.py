"""Every decision of the access policy, asked directly, for every role of the world.

The URL matrix (test_url_matrix.py) shows what each role gets page by page; these
tests pin down each rule and predicate of `reflect.access`, `reflect.journal.policy`,
`reflect.assessment.policy` and `Comment.objects.visible_to` on the same world, so
that removing any one filter or condition fails a test here (bench/mutate_policy.py
checks that it does). They are fast: no HTTP, a few queries each.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Value
from django.utils import timezone

from accounts.models import User
from reflect.access import (
    cohorts_administered_by,
    cohorts_as,
    manages_programmes,
    programmes_administered_by,
    roles_anywhere,
    roles_in,
    runs_cohort,
    staff_cohorts,
    trainee_ids_read_by,
    trainees_of,
    tutor_readers_of,
    tutor_reads,
    tutors_of,
)
from reflect.assessment import policy
from reflect.assessment import services as assessment_services
from reflect.assessment.allocation import allocation_set
from reflect.assessment.models import (
    Allocation,
    AllocationRole,
    Assessment,
    Checkpoint,
    MarkingRole,
    Rubric,
    Submission,
    SubmissionStatus,
)
from reflect.cohorts.models import Cohort, Role
from reflect.feedback.models import Comment
from reflect.journal.models import JournalEntry
from tests.access.world import AT, AU, CA, MO, OT, PA, ROLES, SM, SO, TUTORS_A, UT, XA, XT, _levels

pytestmark = pytest.mark.django_db


def ids(world, *keys) -> set:
    return {world.ids[k] for k in keys}


def pks(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def user(world, role):
    return world.users[role] or AnonymousUser()


def trainee_pks(world, *roles) -> set:
    return {world.users[r].pk for r in roles}


def each_role(world, expected: dict, actual) -> None:
    """`actual(user)` equals `expected[role]` (an empty set where unlisted) for every role."""
    wrong = {}
    for role in ROLES:
        want, got = expected.get(role, set()), actual(user(world, role))
        if want != got:
            wrong[role] = {"expected": want, "got": got}
    assert not wrong, wrong


# --- who is where: reflect.access ---------------------------------------------------------------------------------


def test_roles_in_names_the_roles_held_in_that_cohort_only(world):
    a, b = world.ids["cohort"], world.ids["cohort_b"]
    each_role(
        world,
        {AU: {Role.TRAINEE}, OT: {Role.TRAINEE}, AT: {Role.TUTOR}, UT: {Role.TUTOR}, SM: {Role.TUTOR}}
        | {MO: {Role.TUTOR}, CA: {Role.COURSE_ADMIN}},
        lambda u: roles_in(u, a),
    )
    each_role(world, {XT: {Role.TUTOR}}, lambda u: roles_in(u, b))


def test_cohorts_as_keeps_to_the_roles_asked_for(world):
    a, b = world.ids["cohort"], world.ids["cohort_b"]
    each_role(world, {AT: {a}, UT: {a}, SM: {a}, MO: {a}, XT: {b}}, lambda u: pks(cohorts_as(u, Role.TUTOR)))
    each_role(world, {AU: {a}, OT: {a}}, lambda u: pks(cohorts_as(u, Role.TRAINEE)))


def test_trainees_and_tutors_of_a_cohort(world):
    a = world.ids["cohort"]
    assert set(trainees_of(a).values_list("user_id", flat=True)) == trainee_pks(world, AU, OT)
    assert set(tutors_of(a).values_list("user_id", flat=True)) == trainee_pks(world, AT, UT, SM, MO)


def test_programme_admins_and_course_admins_run_every_cohort_of_their_programme(world):
    p1, p2 = world.ids["programme"], world.ids["programme_2"]
    a, b, c = world.ids["cohort"], world.ids["cohort_b"], world.ids["cohort_c"]
    each_role(world, {CA: {p1}, PA: {p1}, XA: {p2}}, lambda u: pks(programmes_administered_by(u)))
    each_role(world, {CA: {a, b}, PA: {a, b}, XA: {c}}, lambda u: pks(cohorts_administered_by(u)))
    cohort_b = Cohort.objects.get(pk=b)
    each_role(world, {CA: True, PA: True}, lambda u: runs_cohort(u, cohort_b) or set())
    assert not runs_cohort(world.users[XA], cohort_b)


def test_the_roles_a_person_holds_anywhere_which_decide_their_menu(world):
    """A trainee or tutor anywhere (any cohort, any programme); running a programme (as a
    course admin or in Programme.admins); and Manage, which site operators get too."""

    def flag(name):
        return lambda u: roles_anywhere(u)[name] or set()

    each_role(world, {AU: True, OT: True}, flag("is_trainee"))
    each_role(world, {AT: True, UT: True, SM: True, MO: True, XT: True}, flag("is_tutor"))
    each_role(world, {CA: True, PA: True, XA: True}, flag("runs_programme"))
    each_role(world, {CA: True, PA: True, XA: True, SO: True}, flag("manages"))
    each_role(world, {CA: True, PA: True, XA: True, SO: True}, lambda u: manages_programmes(u) or set())
    # The caller's own annotations ride along in the same query.
    assert roles_anywhere(world.users[AU], marker=Value(7))["marker"] == 7


def test_staff_cohorts_are_those_tutored_and_those_run(world):
    a, b, c = world.ids["cohort"], world.ids["cohort_b"], world.ids["cohort_c"]
    each_role(
        world,
        {AT: {a}, UT: {a}, SM: {a}, MO: {a}, XT: {b}, CA: {a, b}, PA: {a, b}, XA: {c}},
        lambda u: pks(staff_cohorts(u)),
    )


def test_the_tutor_who_reads_a_trainee(world):
    """Assigned tutors only, when a trainee has some; else every tutor of the cohort; only
    trainees of that cohort (not someone removed from it), and only tutors of it."""
    a, b = Cohort.objects.get(pk=world.ids["cohort"]), Cohort.objects.get(pk=world.ids["cohort_b"])
    both = trainee_pks(world, AU, OT)
    other = trainee_pks(world, OT)
    each_role(
        world,
        {AT: both, UT: other, SM: other, MO: other},
        lambda u: set(trainee_ids_read_by(u, a).values_list("user_id", flat=True)),
    )
    each_role(
        world,
        {XT: {world.ids["user_b_trainee"]}},
        lambda u: set(trainee_ids_read_by(u, b).values_list("user_id", flat=True)),
    )
    # tutor_reads itself, for someone who is no longer a trainee of the cohort.
    former = world.ids["user_former"]
    for role in (AT, UT):
        reads = User.objects.filter(pk=former).filter(tutor_reads(world.users[role], trainee=OuterRef("pk"), cohort=a))
        assert not reads.exists(), role


def test_the_readers_panel_names_exactly_the_tutors_the_rule_lets_read(world):
    for trainee_id, cohort_key in (
        (world.users[AU].pk, "cohort"),
        (world.users[OT].pk, "cohort"),
        (world.ids["user_b_trainee"], "cohort_b"),
    ):
        trainee = User.objects.get(pk=trainee_id)
        cohort = Cohort.objects.get(pk=world.ids[cohort_key])
        by_rule = {
            m.user_id
            for m in tutors_of(cohort)
            if trainee_id in set(trainee_ids_read_by(m.user, cohort).values_list("user_id", flat=True))
        }
        assert {r.user.pk for r in tutor_readers_of(trainee)} == by_rule, trainee


# --- the journal: reflect.journal.policy --------------------------------------------------------------------------

AUTHOR_ENTRIES = (
    "entry_private",
    "entry_draft",
    "entry_shared",
    "entry_shared_draft",
    "entry_submitted",
    "entry_submitted_2",
)
OT_SHARED = ("entry_t2_shared", "entry_t2_submitted")


def test_who_reads_which_entry(world):
    each_role(
        world,
        {
            AU: ids(world, *AUTHOR_ENTRIES),
            OT: ids(world, *OT_SHARED, "entry_t2_private"),
            AT: ids(world, "entry_shared", "entry_submitted", "entry_submitted_2", *OT_SHARED),
            UT: ids(world, *OT_SHARED),
            SM: ids(world, *OT_SHARED),
            MO: ids(world, *OT_SHARED),
            XT: ids(world, "entry_b_shared"),
        },
        lambda u: pks(JournalEntry.objects.visible_to(u)),
    )


def test_only_the_author_edits_and_not_once_the_cohort_is_archived(world):
    each_role(
        world,
        {AU: ids(world, *AUTHOR_ENTRIES), OT: ids(world, *OT_SHARED, "entry_t2_private")},
        lambda u: pks(JournalEntry.objects.editable_by(u)),
    )
    Cohort.objects.filter(pk=world.ids["cohort"]).update(archived_at=timezone.now())
    assert not JournalEntry.objects.editable_by(world.users[AU]).exists()
    assert pks(JournalEntry.objects.visible_to(world.users[AU])) == ids(world, *AUTHOR_ENTRIES)


def test_who_reads_which_comment(world):
    posted_and_reply = ids(world, "comment_posted", "comment_reply")
    each_role(
        world,
        {AU: posted_and_reply, AT: posted_and_reply | ids(world, "comment_draft")},
        lambda u: pks(Comment.objects.visible_to(u)),
    )


# --- portfolios: reflect.assessment.policy --------------------------------------------------------------------------


def test_who_opens_which_submission(world):
    sub1, sub2, t2 = ids(world, "submission"), ids(world, "submission_2"), ids(world, "submission_t2")
    each_role(
        world,
        {
            AU: sub1 | sub2,
            OT: t2 | ids(world, "submission_t2_draft"),
            AT: sub1 | sub2 | t2,
            UT: t2,  # the checkpoint's second marker, overridden on the author's submission
            SM: sub1 | t2,  # allocated to the author's submission; reads the other trainee as her tutor
            MO: sub1 | t2,  # the checkpoint's moderator
        },
        lambda u: pks(Submission.objects.visible_to(u)),
    )


def test_status_tables_cover_the_cohorts_tutored_or_run(world):
    cohort_a = ids(world, "submission", "submission_2", "submission_t2", "submission_t2_draft")
    each_role(
        world,
        {AT: cohort_a, UT: cohort_a, SM: cohort_a, MO: cohort_a, CA: cohort_a, PA: cohort_a},
        lambda u: pks(Submission.objects.overview_for(u)),
    )


def test_who_reads_which_marking(world):
    first, second = ids(world, "marking_first"), ids(world, "marking_second")
    t2_both = ids(world, "marking_t2_first", "marking_t2_second")
    released = ids(world, "marking_released")
    each_role(
        world,
        {
            AU: released,  # released only
            AT: first | t2_both | released,  # own, and the other once both are complete
            UT: t2_both,
            SM: second,  # blind: the first marking stays hidden until both are complete
            MO: t2_both,  # what they moderate, once both markings are complete (not portfolio one yet)
        },
        lambda u: pks(Assessment.objects.visible_to(u)),
    )


def test_released_feedback_is_read_by_the_trainee_and_every_tutor_who_reads_her(world):
    fresh = _first_marked(world, second_marker_role=None)
    marking = fresh.assessments.get(role=MarkingRole.FIRST)
    assessment_services.assessment_release(assessment=marking, by=world.users[AT])
    # The other trainee is read by every tutor of her cohort; only one of them marked.
    each_role(
        world,
        {OT: {marking.pk}, AT: {marking.pk}, UT: {marking.pk}, SM: {marking.pk}, MO: {marking.pk}},
        lambda u: pks(Assessment.objects.visible_to(u).filter(pk=marking.pk)),
    )


def test_rubrics_and_checkpoints_are_read_by_members_and_by_whoever_runs_the_programme(world):
    p1 = ids(world, "rubric", "rubric_draft")
    members_p1 = {AU: p1, OT: p1, AT: p1, UT: p1, SM: p1, MO: p1, XT: p1, CA: p1, PA: p1, XA: ids(world, "rubric_p2")}
    each_role(world, members_p1, lambda u: pks(Rubric.objects.visible_to(u)))
    each_role(world, {CA: p1, PA: p1, XA: ids(world, "rubric_p2")}, lambda u: pks(Rubric.objects.editable_by(u)))
    cp_a = ids(world, "checkpoint", "checkpoint_2")
    each_role(
        world,
        {**dict.fromkeys((AU, OT, AT, UT, SM, MO, CA, PA), cp_a), XA: ids(world, "checkpoint_c")},
        lambda u: pks(Checkpoint.objects.visible_to(u)),
    )


def _sub(world, key):
    return Submission.objects.select_related("checkpoint__cohort").get(pk=world.ids[key])


def _fresh_submission(world) -> Submission:
    """The other trainee submits her portfolio two (no markings, no allocations yet)."""
    draft = _sub(world, "submission_t2_draft")
    assessment_services.submission_update(
        submission=draft, entry_ids=[world.ids["entry_t2_private"]], summary="Ready now."
    )
    return assessment_services.submission_submit(submission=draft)


def test_allocated_markers(world):
    sub1, t2, sub2 = _sub(world, "submission"), _sub(world, "submission_t2"), _sub(world, "submission_2")
    assert policy.allocated_user_id(sub1, AllocationRole.SECOND_MARKER) == world.users[SM].pk  # its own
    assert policy.allocated_user_id(t2, AllocationRole.SECOND_MARKER) == world.users[UT].pk  # the checkpoint's
    assert policy.allocated_user_id(sub1, AllocationRole.MODERATOR) == world.users[MO].pk
    assert policy.allocated_user_id(sub2, AllocationRole.SECOND_MARKER) is None
    assert policy.reads_trainee(world.users[AT], sub1) and not policy.reads_trainee(world.users[UT], sub1)
    assert policy.reads_trainee(world.users[UT], t2) and not policy.reads_trainee(world.users[XT], t2)


def test_first_marking_is_open_to_the_tutors_who_read_the_trainee_but_not_her_second_marker(world):
    fresh = _fresh_submission(world)
    allocation_set(role=AllocationRole.SECOND_MARKER, user=world.users[SM], by=world.users[CA], submission=fresh)
    fresh = _sub(world, "submission_t2_draft")
    each_role(world, {AT: True, UT: True, MO: True}, lambda u: policy.can_first_mark(u, fresh) or set())
    # Marked already: nobody first-marks again.
    for key in ("submission", "submission_t2", "submission_2"):
        assert not policy.can_first_mark(world.users[AT], _sub(world, key)), key
    # Withdrawn or archived: closed.
    Submission.objects.filter(pk=fresh.pk).update(status=SubmissionStatus.WITHDRAWN)
    assert not policy.can_first_mark(world.users[AT], _sub(world, "submission_t2_draft"))
    Submission.objects.filter(pk=fresh.pk).update(status=SubmissionStatus.SUBMITTED)
    Cohort.objects.filter(pk=world.ids["cohort"]).update(archived_at=timezone.now())
    assert not policy.can_first_mark(world.users[AT], _sub(world, "submission_t2_draft"))


def _first_marked(world, *, second_marker_role: str | None, checkpoint_wide: bool = False) -> Submission:
    fresh = _fresh_submission(world)
    marking = assessment_services.assessment_start(submission=fresh, assessor=world.users[AT])
    assessment_services.assessment_save(
        assessment=marking,
        by=world.users[AT],
        levels=_levels(marking.rubric),
        comments={},
        overall_feedback="Done.",
        outcome="pass",
        complete=True,
    )
    if second_marker_role:
        scope = {"checkpoint": fresh.checkpoint} if checkpoint_wide else {"submission": fresh}
        Allocation.objects.create(role=AllocationRole.SECOND_MARKER, user=world.users[second_marker_role], **scope)
    return _sub(world, "submission_t2_draft")


def test_second_marking_is_open_to_the_allocated_tutor_only(world):
    fresh = _first_marked(world, second_marker_role=SM)
    each_role(world, {SM: True}, lambda u: policy.can_second_mark(u, fresh) or set())
    # Not once second marking exists (sub1: in progress).
    assert not policy.can_second_mark(world.users[SM], _sub(world, "submission"))
    # Not once the cohort is archived.
    Cohort.objects.filter(pk=world.ids["cohort"]).update(archived_at=timezone.now())
    assert not policy.can_second_mark(world.users[SM], _sub(world, "submission_t2_draft"))


def test_the_first_marker_never_second_marks_even_if_allocated_for_the_whole_checkpoint(world):
    fresh = _first_marked(world, second_marker_role=AT, checkpoint_wide=True)
    assert not policy.can_second_mark(world.users[AT], fresh)


def test_no_second_marking_after_a_release(world):
    fresh = _first_marked(world, second_marker_role=SM)
    Assessment.objects.filter(submission=fresh).update(released_at=timezone.now())
    assert not policy.can_second_mark(world.users[SM], _sub(world, "submission_t2_draft"))


def test_second_marking_needs_a_first_marking(world):
    fresh = _fresh_submission(world)
    Allocation.objects.create(role=AllocationRole.SECOND_MARKER, user=world.users[SM], submission=fresh)
    assert not policy.can_second_mark(world.users[SM], _sub(world, "submission_t2_draft"))


def test_moderation_is_open_to_the_allocated_moderator_once_both_markings_are_complete(world):
    t2 = _sub(world, "submission_t2")
    each_role(world, {MO: True}, lambda u: policy.can_moderate(u, t2) or set())
    assert not policy.can_moderate(world.users[MO], _sub(world, "submission"))  # second marking incomplete
    agreed = assessment_services.moderation_start(submission=t2, moderator=world.users[MO])
    assert policy.can_moderate(world.users[MO], _sub(world, "submission_t2"))  # back to their own agreed marking
    Assessment.objects.filter(pk=agreed.pk).update(released_at=timezone.now())
    assert not policy.can_moderate(world.users[MO], _sub(world, "submission_t2"))
    Assessment.objects.filter(pk=agreed.pk).update(released_at=None, assessor=world.users[UT])
    assert not policy.can_moderate(world.users[MO], _sub(world, "submission_t2"))  # someone else's agreed marking
    Assessment.objects.filter(pk=agreed.pk).delete()
    Cohort.objects.filter(pk=world.ids["cohort"]).update(archived_at=timezone.now())
    assert not policy.can_moderate(world.users[MO], _sub(world, "submission_t2"))  # archived


def test_moderation_needs_both_markings_complete(world):
    Assessment.objects.filter(pk=world.ids["marking_t2_second"]).update(completed_at=None)
    assert not policy.can_moderate(world.users[MO], _sub(world, "submission_t2"))
    Assessment.objects.filter(pk=world.ids["marking_t2_second"]).update(completed_at=timezone.now())
    Assessment.objects.filter(pk=world.ids["marking_t2_first"]).update(completed_at=None)
    assert not policy.can_moderate(world.users[MO], _sub(world, "submission_t2"))


def test_which_submissions_are_second_marked(world):
    # Allocated, not yet second-marked.
    assert policy.needs_second_marking(_first_marked(world, second_marker_role=SM))
    assert policy.needs_second_marking(_sub(world, "submission"))
    assert policy.needs_second_marking(_sub(world, "submission_t2"))
    assert not policy.needs_second_marking(_sub(world, "submission_2"))
    # A second marking without an allocation (allocation removed afterwards) still counts.
    Allocation.objects.filter(submission_id=world.ids["submission"]).delete()
    Allocation.objects.filter(checkpoint_id=world.ids["checkpoint"], role=AllocationRole.SECOND_MARKER).delete()
    assert policy.needs_second_marking(_sub(world, "submission"))


def test_release_by_the_marker_once_complete_and_agreed_where_second_marked(world):
    first = Assessment.objects.get(pk=world.ids["marking_first"])
    assert not policy.can_release(world.users[AT], first)  # second-marked: release the agreed marking
    released = Assessment.objects.get(pk=world.ids["marking_released"])
    assert not policy.can_release(world.users[AT], released)  # released already
    fresh = _first_marked(world, second_marker_role=None)
    marking = fresh.assessments.get(role=MarkingRole.FIRST)
    each_role(world, {AT: True}, lambda u: policy.can_release(u, marking) or set())
    Assessment.objects.filter(pk=marking.pk).update(completed_at=None)
    assert not policy.can_release(world.users[AT], Assessment.objects.get(pk=marking.pk))
    Assessment.objects.filter(pk=marking.pk).update(completed_at=timezone.now())
    Cohort.objects.filter(pk=world.ids["cohort"]).update(archived_at=timezone.now())
    assert not policy.can_release(world.users[AT], Assessment.objects.get(pk=marking.pk))


def test_the_agreed_marking_is_releasable_by_its_moderator(world):
    t2 = _sub(world, "submission_t2")
    agreed = assessment_services.moderation_start(submission=t2, moderator=world.users[MO])
    Assessment.objects.filter(pk=agreed.pk).update(completed_at=timezone.now(), outcome="pass")
    agreed = Assessment.objects.get(pk=agreed.pk)
    each_role(world, {MO: True}, lambda u: policy.can_release(u, agreed) or set())
    t2_first = Assessment.objects.get(pk=world.ids["marking_t2_first"])
    assert not policy.can_release(world.users[AT], t2_first)


def test_who_allocates_second_markers_and_moderators(world):
    sub1 = _sub(world, "submission")
    # (can_allocate has no guard for anonymous visitors, who never reach it: the views need a sign-in.)
    each_role(
        world,
        {CA: True, PA: True, AT: True},
        lambda u: (u.is_authenticated and policy.can_allocate(u, sub1)) or set(),
    )


def test_who_submits_and_who_manages_checkpoints(world):
    cp1 = Checkpoint.objects.select_related("cohort").get(pk=world.ids["checkpoint"])
    each_role(world, {AU: True, OT: True}, lambda u: policy.can_submit(u, cp1) or set())
    each_role(world, {CA: True, PA: True}, lambda u: policy.can_manage_checkpoints(u, cp1) or set())
    cohort_c = Cohort.objects.get(pk=world.ids["cohort_c"])
    each_role(world, {XA: True}, lambda u: policy.can_manage_checkpoints(u, cohort=cohort_c) or set())


def test_whose_deadlines_a_home_page_and_calendar_hold(world):
    in_a = pks(Checkpoint.objects.filter(cohort_id=world.ids["cohort"]))
    in_b = pks(Checkpoint.objects.filter(cohort_id=world.ids["cohort_b"]))
    each_role(world, {AU: in_a, OT: in_a}, lambda u: pks(policy.checkpoints_to_submit(u)))
    each_role(world, dict.fromkeys(TUTORS_A, in_a) | {XT: in_b}, lambda u: pks(policy.checkpoints_tutored_by(u)))


def test_the_readers_panel_names_the_allocated_markers(world):
    readers = {(r.user.pk, r.reason.split(" for ")[0]) for r in policy.marker_readers_of(world.users[AU])}
    assert readers == {(world.users[SM].pk, "second marker"), (world.users[MO].pk, "moderator")}
    readers = {r.user.pk for r in policy.marker_readers_of(world.users[OT])}
    assert readers == {world.users[UT].pk, world.users[MO].pk}


# --- nobody signed in -----------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_granted_nothing(world):
    anon = AnonymousUser()
    a = Cohort.objects.get(pk=world.ids["cohort"])
    assert roles_in(anon, a.pk) == set()
    for queryset in (
        cohorts_as(anon, *Role.values),
        programmes_administered_by(anon),
        cohorts_administered_by(anon),
        staff_cohorts(anon),
        trainee_ids_read_by(anon, a),
        JournalEntry.objects.visible_to(anon),
        JournalEntry.objects.editable_by(anon),
        Comment.objects.visible_to(anon),
        Submission.objects.visible_to(anon),
        Submission.objects.overview_for(anon),
        Assessment.objects.visible_to(anon),
        Rubric.objects.visible_to(anon),
        Checkpoint.objects.visible_to(anon),
        Cohort.objects.visible_to(anon),
    ):
        assert not queryset.exists(), queryset.model
    assert not Submission.objects.filter(policy.allocated(anon, AllocationRole.MODERATOR)).exists()
    assert not User.objects.filter(tutor_reads(anon, trainee=OuterRef("pk"), cohort=a)).exists()
    assert not runs_cohort(anon, a)
