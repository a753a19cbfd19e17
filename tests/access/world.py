"""One small, complete world for the access tests, built once per test module.

Every piece of writing carries a unique marker (``qz…``) so that a leak is
unambiguous: `TEXTS` says which roles may read each marker, and a response
that shows a marker to anyone else fails the test.

The people, one per role of the matrix (issue 9):

- author            trainee of cohort A, assigned to the assigned tutor
- other_trainee     trainee of cohort A with no assigned tutor (so every tutor of A reads her)
- assigned_tutor    tutor of A, assigned the author; first marker
- unassigned_tutor  tutor of A; must NOT read the author. Checkpoint-wide second
                    marker of portfolio one, but the author's own submission has its
                    own second marker, which overrides that
- second_marker     tutor of A allocated second marker of the author's submission only
- moderator         tutor of A allocated moderator of portfolio one (checkpoint-wide)
- other_cohort_tutor tutor of cohort B (same programme)
- course_admin      course admin of cohort A (so runs every cohort of programme 1)
- programme_admin   in Programme.admins of programme 1, no membership
- other_programme_admin in Programme.admins of programme 2
- site_operator     is_staff and is_superuser, no membership
- anonymous
"""

import datetime
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.invitations import invitation_create
from accounts.models import EmailCategory, User
from accounts.unsubscribe import unsubscribe_token
from reflect.assessment.models import (
    Allocation,
    AllocationRole,
    Assessment,
    Checkpoint,
    Criterion,
    Level,
    MarkingRole,
    Rubric,
    Score,
    Submission,
    SubmissionStatus,
    SubmittedEntry,
)
from reflect.audit.models import Action
from reflect.audit.services import audit_record
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.feedback.models import Comment, CommentStatus, NotificationKind
from reflect.feedback.notify import notify
from reflect.journal import services as journal_services
from reflect.journal.models import JournalEntry, Visibility
from reflect.manage.invitations import invitation_token
from reflect.manage.models import CohortInvitation
from reflect.manage.roster_file import Row
from reflect.manage.roster_views import RESULTS_KEY
from reflect.manage.roster_views import SESSION_KEY as ROSTER_SESSION_KEY
from reflect.prompts.models import Prompt
from tests.conftest import entry_data

AU, OT, AT, UT, SM, MO = (
    "author",
    "other_trainee",
    "assigned_tutor",
    "unassigned_tutor",
    "second_marker",
    "moderator",
)
XT, CA, PA, XA, SO, AN = (
    "other_cohort_tutor",
    "course_admin",
    "programme_admin",
    "other_programme_admin",
    "site_operator",
    "anonymous",
)
ROLES = [AU, OT, AT, UT, SM, MO, XT, CA, PA, XA, SO, AN]
SIGNED_IN = [r for r in ROLES if r != AN]
TUTORS_A = (AT, UT, SM, MO)
# Tutors who read the other trainee: she has no assigned tutor, so every tutor of cohort A.
READ_OT = (OT, *TUTORS_A)

# marker -> the roles that may read it. Anything not listed for a role is forbidden to it.
TEXTS: dict[str, tuple[str, ...]] = {
    # The author's private published entry and its tag.
    "qzPrivTTL": (AU,),
    "qzPrivBDY": (AU,),
    "qzprivtag": (AU,),
    # A private draft.
    "qzDraftTTL": (AU,),
    "qzDraftBDY": (AU,),
    # The shared, published entry: current text for the tutor who reads the author.
    "qzShrTTL": (AU, AT),
    "qzShrBDY": (AU, AT),
    "qzshrtag": (AU, AT),
    # ...its earlier revision and its unpublished changes: the author only.
    "qzShrOldTTL": (AU,),
    "qzShrOldBDY": (AU,),
    "qzShrPendTTL": (AU,),
    "qzShrPendBDY": (AU,),
    # A shared entry that is still a draft: nobody but the author.
    "qzShrDrfTTL": (AU,),
    "qzShrDrfBDY": (AU,),
    # A shared entry in Trash.
    "qzTrashTTL": (AU,),
    "qzTrashBDY": (AU,),
    # Comments on the shared entry: posted (tutor), reply (author), the tutor's draft.
    "qzCmtPosted": (AU, AT),
    "qzCmtReply": (AU, AT),
    "qzCmtDraft": (AT,),
    # Portfolio one: the snapshot and summary are read by the allocated markers too...
    "qzSnapTTL": (AU, AT, SM, MO),
    "qzSnapBDY": (AU, AT, SM, MO),
    "qzSummary1": (AU, AT, SM, MO),
    # ...but the live entry it was taken from (edited since) is journal: not theirs.
    "qzSubNowTTL": (AU, AT),
    "qzSubNowBDY": (AU, AT),
    # First marking, complete, unreleased: its marker and the moderator (blind to the second marker).
    "qzFirstFB": (AT, MO),
    "qzFirstCRIT": (AT, MO),
    # Second marking in progress: its marker only.
    "qzSecondFB": (SM,),
    # Portfolio two: released feedback.
    "qzSnap2TTL": (AU, AT),
    "qzSnap2BDY": (AU, AT),
    "qzSummary2": (AU, AT),
    "qzRelFB": (AU, AT),
    # The other trainee: shared (every tutor of A), private, portfolio one fully double-marked.
    "qzT2ShrTTL": READ_OT,
    "qzT2ShrBDY": READ_OT,
    "qzT2PrivTTL": (OT,),
    "qzT2PrivBDY": (OT,),
    "qzT2SnapTTL": READ_OT,
    "qzT2SnapBDY": READ_OT,
    "qzT2Summary": READ_OT,
    # Both markings complete: the two markers and the moderator; not a tutor who isn't marking.
    "qzT2FirstFB": (AT, UT, MO),
    "qzT2SecondFB": (AT, UT, MO),
    # ...and a portfolio she is still preparing: nobody else.
    "qzT2DraftSummary": (OT,),
    # A former trainee of cohort A (removed from it) shared an entry there: nobody reads it now.
    "qzExShrTTL": (),
    "qzExShrBDY": (),
    # A trainee of cohort B shares an entry: cohort B's tutor reads it.
    "qzBShrTTL": (XT,),
    "qzBShrBDY": (XT,),
    # In-app notifications.
    "qzNoteAU": (AU,),
    "qzNoteAT": (AT,),
}


def forbidden_for(role: str) -> list[str]:
    return [marker for marker, readers in TEXTS.items() if role not in readers]


@dataclass
class World:
    users: dict[str, User | None]
    sessions: dict[str, str]
    ids: dict[str, object] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        client = Client()
        if self.sessions.get(role):
            from django.conf import settings

            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


# A real (usable) password hash, made cheaply: sign-in pages behave as for real people.
PASSWORD_HASH = PBKDF2PasswordHasher().encode("a-long-test-password-42", "qzsalt", iterations=1000)


def _person(email: str, name: str, **extra) -> User:
    user = User.objects.create_user(email=email, password=None, display_name=name, **extra)
    user.password = PASSWORD_HASH
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _entry(author, cohort, title, body, *, visibility=Visibility.PRIVATE, tags=None) -> JournalEntry:
    data = entry_data(title=title, body=body, visibility=visibility)
    return journal_services.entry_publish(author=author, cohort=cohort, data=data, tags=tags)


def _rubric(programme, title: str, *, criteria: int = 2, levels: int = 3) -> Rubric:
    rubric = Rubric.objects.create(programme=programme, title=title)
    for c in range(criteria):
        criterion = Criterion.objects.create(rubric=rubric, position=c, title=f"{title} criterion {c + 1}")
        for n in range(levels):
            Level.objects.create(criterion=criterion, position=n, label=f"Level {n}", points=n)
    return rubric


def _levels(rubric: Rubric, index: int = 1) -> dict[int, int]:
    return {c.pk: c.levels.all()[index].pk for c in rubric.criteria.prefetch_related("levels")}


# The world is written straight to the database, not through the services: the services
# ask the policy, and bench/mutate_policy.py breaks the policy on purpose. A broken
# policy must fail the tests that ask it, not the building of the world.


def _submit(checkpoint, trainee, entry, summary, *, submitted: bool = True) -> Submission:
    """What `submission_submit` leaves behind: the entry shared, its text snapshotted."""
    now = timezone.now()
    submission = Submission.objects.create(
        checkpoint=checkpoint,
        trainee=trainee,
        summary=summary,
        status=SubmissionStatus.SUBMITTED if submitted else SubmissionStatus.DRAFT,
        submitted_at=now if submitted else None,
    )
    if entry is not None:
        submission.entries.set([entry])
    if submitted:
        JournalEntry.objects.filter(pk=entry.pk).update(visibility=Visibility.SHARED)
        SubmittedEntry.objects.create(
            submission=submission,
            entry=entry,
            title=entry.title,
            body=entry.body,
            kind=entry.kind,
            created_at=entry.created_at,
        )
    return submission


def _mark(submission, tutor, role, *, feedback: str, complete: bool, comment: str = "", released: bool = False):
    """A marking as `assessment_save` (and `assessment_release`) leave it: a level for every
    criterion and an outcome when complete, one level when in progress."""
    now = timezone.now()
    rubric = submission.checkpoint.rubric
    Rubric.objects.filter(pk=rubric.pk, locked_at__isnull=True).update(locked_at=now)
    assessment = Assessment.objects.create(
        submission=submission,
        assessor=tutor,
        rubric=rubric,
        role=role,
        overall_feedback=feedback,
        outcome="pass" if complete else "",
        completed_at=now if complete else None,
        released_at=now if released else None,
    )
    levels = sorted(_levels(rubric).items())
    for n, (criterion_id, level_id) in enumerate(levels if complete else levels[:1]):
        Score.objects.create(
            assessment=assessment, criterion_id=criterion_id, level_id=level_id, comment=comment if n == 0 else ""
        )
    return assessment


def _comment(entry, author, body, *, parent=None, draft: bool = False) -> Comment:
    now = timezone.now()
    return Comment.objects.create(
        entry=entry,
        author=author,
        parent=parent,
        body=body,
        status=CommentStatus.DRAFT if draft else CommentStatus.POSTED,
        posted_at=None if draft else now,
    )


def _spread_ids() -> None:
    """Give every table its own id range, so that an id of one kind of object
    never happens to be a valid id of another (PostgreSQL; sequences are not
    transactional, so this outlives the rollback, harmlessly)."""
    if connection.vendor != "postgresql":
        return
    models = sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table)
    with connection.cursor() as cursor:
        for n, model in enumerate(models, start=1):
            table, column = model._meta.db_table, model._meta.pk.column
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            sequence = cursor.fetchone()[0]
            if sequence:
                quoted = connection.ops.quote_name(table)
                cursor.execute(
                    f"SELECT setval(%s, GREATEST(%s, (SELECT COALESCE(MAX({column}), 0) + 1 FROM {quoted})), false)",
                    [sequence, n * 100_000],
                )


def build_world() -> World:
    _spread_ids()
    today = timezone.localdate()
    p1 = Programme.objects.create(name="Diploma in Relational Counselling")
    p2 = Programme.objects.create(name="Certificate in Other Studies")

    def cohort(programme, name):
        return Cohort.objects.create(
            programme=programme,
            name=name,
            start_date=today - datetime.timedelta(days=60),
            end_date=today + datetime.timedelta(days=300),
        )

    a, b, c = cohort(p1, "Cohort A"), cohort(p1, "Cohort B"), cohort(p2, "Cohort C")

    users = {
        AU: _person("author@example.test", "Avery Author"),
        OT: _person("other.trainee@example.test", "Blake Othertrainee"),
        AT: _person("assigned.tutor@example.test", "Casey Assignedtutor"),
        UT: _person("unassigned.tutor@example.test", "Dale Unassignedtutor"),
        SM: _person("second.marker@example.test", "Eden Secondmarker"),
        MO: _person("moderator@example.test", "Finley Moderator"),
        XT: _person("other.cohort.tutor@example.test", "Gray Othercohorttutor"),
        CA: _person("course.admin@example.test", "Harper Courseadmin"),
        PA: _person("programme.admin@example.test", "Indy Programmeadmin"),
        XA: _person("other.programme.admin@example.test", "Jules Otherprogrammeadmin"),
        SO: _person("operator@example.test", "Kit Operator", is_staff=True, is_superuser=True),
        AN: None,
    }
    b_trainee = _person("b.trainee@example.test", "Lee Btrainee")
    c_trainee = _person("c.trainee@example.test", "Morgan Ctrainee")

    def member(user, cohort_, role):
        return Membership.objects.create(user=user, cohort=cohort_, role=role)

    author_m = member(users[AU], a, Role.TRAINEE)
    other_m = member(users[OT], a, Role.TRAINEE)
    member(users[AT], a, Role.TUTOR).assigned_trainees.add(users[AU])
    for role in (UT, SM, MO):
        member(users[role], a, Role.TUTOR)
    member(users[XT], b, Role.TUTOR)
    member(users[CA], a, Role.COURSE_ADMIN)
    p1.admins.add(users[PA])
    p2.admins.add(users[XA])
    member(b_trainee, b, Role.TRAINEE)
    member(c_trainee, c, Role.TRAINEE)

    author = users[AU]
    # --- the author's journal ---------------------------------------------------
    private = _entry(author, a, "Private qzPrivTTL", "qzPrivBDY my own therapy.", tags=["qzprivtag"])
    draft = journal_services.entry_save_draft(
        author=author,
        cohort=a,
        data=entry_data(title="Draft qzDraftTTL", body="qzDraftBDY half a thought."),
    )
    shared = _entry(
        author, a, "Earlier qzShrOldTTL", "qzShrOldBDY first go.", visibility=Visibility.SHARED, tags=["qzshrtag"]
    )
    old_revision_entry = shared
    shared = journal_services.entry_publish(
        author=author,
        cohort=a,
        entry=shared,
        data=entry_data(title="Shared qzShrTTL", body="qzShrBDY the rupture and the repair.", visibility="shared"),
    )
    revision = old_revision_entry.revisions.get()
    journal_services.entry_save_draft(
        author=author,
        cohort=a,
        entry=shared,
        data=entry_data(title="Pending qzShrPendTTL", body="qzShrPendBDY not yet published.", visibility="shared"),
    )
    shared_draft = journal_services.entry_save_draft(
        author=author,
        cohort=a,
        data=entry_data(title="Shared draft qzShrDrfTTL", body="qzShrDrfBDY not published.", visibility="shared"),
    )
    trashed = _entry(author, a, "Trashed qzTrashTTL", "qzTrashBDY thrown away.", visibility=Visibility.SHARED)
    journal_services.entry_delete(entry=trashed)

    # --- comments on the shared entry ------------------------------------------
    posted = _comment(shared, users[AT], "qzCmtPosted I noticed this.")
    reply = _comment(shared, author, "qzCmtReply thank you.", parent=posted)
    draft_comment = _comment(shared, users[AT], "qzCmtDraft still thinking.", draft=True)

    # --- the other trainee and cohort B -----------------------------------------
    t2_shared = _entry(users[OT], a, "T2 qzT2ShrTTL", "qzT2ShrBDY shared.", visibility=Visibility.SHARED)
    t2_private = _entry(users[OT], a, "T2 qzT2PrivTTL", "qzT2PrivBDY private.")
    b_shared = _entry(b_trainee, b, "B qzBShrTTL", "qzBShrBDY shared in B.", visibility=Visibility.SHARED)
    former = _person("former.trainee@example.test", "Noel Formertrainee")
    former_m = member(former, a, Role.TRAINEE)
    ex_shared = _entry(former, a, "Former qzExShrTTL", "qzExShrBDY written while in A.", visibility=Visibility.SHARED)
    former_m.delete()

    # --- rubrics, checkpoints, portfolios ---------------------------------------
    rubric = _rubric(p1, "Relational practice")
    draft_rubric = _rubric(p1, "Draft rubric")
    p2_rubric = _rubric(p2, "Other programme rubric")
    due = timezone.now() + datetime.timedelta(days=30)
    cp1 = Checkpoint.objects.create(cohort=a, rubric=rubric, title="Portfolio one", due_at=due)
    cp2 = Checkpoint.objects.create(cohort=a, rubric=rubric, title="Portfolio two", due_at=due)
    cp_c = Checkpoint.objects.create(cohort=c, rubric=p2_rubric, title="Cohort C portfolio", due_at=due)

    sub1_entry = _entry(author, a, "Snapshot qzSnapTTL", "qzSnapBDY as submitted.")
    sub1 = _submit(cp1, author, sub1_entry, "qzSummary1 what I learned.")
    # Edited after submission: the snapshot keeps the submitted text.
    journal_services.entry_publish(
        author=author,
        cohort=a,
        entry=JournalEntry.objects.get(pk=sub1_entry.pk),
        data=entry_data(title="Now qzSubNowTTL", body="qzSubNowBDY rewritten since.", visibility="shared"),
    )
    t2_entry = _entry(users[OT], a, "T2 snapshot qzT2SnapTTL", "qzT2SnapBDY submitted.")
    sub_t2 = _submit(cp1, users[OT], t2_entry, "qzT2Summary her summary.")
    sub2_entry = _entry(author, a, "Second portfolio qzSnap2TTL", "qzSnap2BDY for portfolio two.")
    sub2 = _submit(cp2, author, sub2_entry, "qzSummary2 second summary.")

    t2_draft = _submit(cp2, users[OT], None, "qzT2DraftSummary not yet.", submitted=False)

    by = users[CA]
    second_marker, moderator = AllocationRole.SECOND_MARKER, AllocationRole.MODERATOR
    Allocation.objects.create(role=second_marker, user=users[UT], allocated_by=by, checkpoint=cp1)
    Allocation.objects.create(role=moderator, user=users[MO], allocated_by=by, checkpoint=cp1)
    Allocation.objects.create(role=second_marker, user=users[SM], allocated_by=by, submission=sub1)

    first, second = MarkingRole.FIRST, MarkingRole.SECOND
    first_marking = _mark(
        sub1, users[AT], first, feedback="qzFirstFB thoughtful.", complete=True, comment="qzFirstCRIT well evidenced"
    )
    second_marking = _mark(sub1, users[SM], second, feedback="qzSecondFB half done.", complete=False)
    t2_first = _mark(sub_t2, users[AT], first, feedback="qzT2FirstFB good.", complete=True)
    t2_second = _mark(sub_t2, users[UT], second, feedback="qzT2SecondFB agreed.", complete=True)
    released = _mark(sub2, users[AT], first, feedback="qzRelFB released feedback.", complete=True, released=True)

    # --- notifications, invitations, operations ----------------------------------
    note_au = notify(user=author, kind=NotificationKind.COMMENT, summary="qzNoteAU for the author", url="/journal/")
    notify(user=users[AT], kind=NotificationKind.COMMENT, summary="qzNoteAT for the tutor", url="/")
    invitation = CohortInvitation.objects.create(
        cohort=a,
        email="invitee@example.test",
        first_name="Ivy",
        last_name="Invitee",
        invited_by=by,
        sent_at=timezone.now(),
    )
    signup_invitation = invitation_create(email="newcomer@example.test", invited_by=users[SO])
    prompt = Prompt.objects.create(theme="rupture_repair", text="What happened in the room when you noticed a rupture?")

    criterion = draft_rubric.criteria.first()
    level = criterion.levels.first()
    audit = audit_record(actor=users[CA], action=Action.MEMBER_ADDED, cohort=a, subject=users[OT], detail="trainee")
    world = World(users=users, sessions={})
    world.ids.update(
        programme=p1.pk,
        programme_2=p2.pk,
        cohort=a.pk,
        cohort_b=b.pk,
        cohort_c=c.pk,
        entry_private=private.pk,
        entry_draft=draft.pk,
        entry_shared=shared.pk,
        entry_trashed=trashed.pk,
        entry_shared_draft=shared_draft.pk,
        entry_former=ex_shared.pk,
        user_former=former.pk,
        user_b_trainee=b_trainee.pk,
        user_c_trainee=c_trainee.pk,
        entry_submitted=sub1_entry.pk,
        entry_t2_shared=t2_shared.pk,
        entry_t2_private=t2_private.pk,
        entry_t2_submitted=t2_entry.pk,
        entry_submitted_2=sub2_entry.pk,
        entry_b_shared=b_shared.pk,
        revision=revision.pk,
        comment_posted=posted.pk,
        comment_reply=reply.pk,
        comment_draft=draft_comment.pk,
        rubric=rubric.pk,
        rubric_draft=draft_rubric.pk,
        rubric_p2=p2_rubric.pk,
        criterion=criterion.pk,
        level=level.pk,
        checkpoint=cp1.pk,
        audit_event=audit.pk,
        checkpoint_2=cp2.pk,
        checkpoint_c=cp_c.pk,
        submission=sub1.pk,
        submission_t2=sub_t2.pk,
        submission_2=sub2.pk,
        submission_t2_draft=t2_draft.pk,
        marking_first=first_marking.pk,
        marking_second=second_marking.pk,
        marking_t2_first=t2_first.pk,
        marking_t2_second=t2_second.pk,
        marking_released=released.pk,
        notification=note_au.pk,
        membership_author=author_m.pk,
        membership_other=other_m.pk,
        invitation=invitation.pk,
        invitation_token=invitation_token(invitation),
        signup_token=signup_invitation.token,
        signup_invitation=signup_invitation.pk,
        unsubscribe_token=unsubscribe_token(author, EmailCategory.WEEKLY_PROMPT),
        calendar_token=author.calendar_token,
        calendar_token_unknown="qzNoSuchCalendarToken",
        prompt=prompt.pk,
        roster_key="qzRosterKey",
        roster_done_key="qzRosterDone",
        user_author=author.pk,
        user_operator=users[SO].pk,
        ct_entry=ContentType.objects.get_for_model(JournalEntry).pk,
        app_label="reflect",
        nowhere="nothing-here/",
        confirm_key="not-a-real-key",
        uidb36="zz",
        reset_key="not-a-real-key",
    )
    for role, user in users.items():
        if user is not None:
            world.sessions[role] = _session(world, role, user)
    return world


def _session(world: World, role: str, user: User) -> str:
    client = Client()
    client.force_login(user)
    if role in (CA, PA):
        # A roster import waiting in this admin's session, and one already applied.
        session = client.session
        stamp = timezone.now().isoformat()
        row = Row(line=2, email="rory.roster@example.test", first_name="Rory", last_name="Roster")
        session[ROSTER_SESSION_KEY] = {
            world.ids["roster_key"]: {
                "cohort": world.ids["cohort"],
                "filename": "roster.csv",
                "uploaded": stamp,
                "rows": [row.to_list()],
            }
        }
        session[RESULTS_KEY] = {
            world.ids["roster_done_key"]: {
                "cohort": world.ids["cohort"],
                "filename": "earlier.csv",
                "applied": stamp,
                "invited": 1,
                "added": 0,
                "updated": 0,
                "unchanged": 0,
                "skipped": 0,
                "errors": [],
            }
        }
        session.save()
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value
