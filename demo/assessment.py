"""Demo feedback and assessment: rubrics, a checkpoint with one submitted and one
assessed (released) submission, and a comment thread. Idempotent, fictional."""

import datetime

from django.utils import timezone

from accounts.models import User
from reflect.assessment import services as assessment
from reflect.assessment.allocation import allocation_set
from reflect.assessment.models import AllocationRole, Checkpoint, MarkingRole, Outcome, Rubric, Submission
from reflect.assessment.rubrics import rubrics_seed
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.feedback.models import Comment, CommentStatus
from reflect.journal.models import JournalEntry, Status, Visibility

CHECKPOINT_TITLE = "Portfolio checkpoint 1: the relationship"
CHECKPOINT_INSTRUCTIONS = (
    "Choose three to five published entries that show how your practice of the therapeutic relationship is "
    "developing: moments of attunement and misattunement, rupture and repair, and how you regulated yourself. "
    "Then write a short summary reflection (around 500 words) on what they show together."
)
SPRING_CHECKPOINT_TITLE = "Recorded session: skills review"


def _rubric(programme: Programme, title_start: str) -> Rubric:
    return Rubric.objects.filter(programme=programme, title__startswith=title_start).latest_versions().get()


def _submit(*, checkpoint: Checkpoint, trainee: User, summary: str) -> Submission:
    submission = assessment.submission_start(checkpoint=checkpoint, trainee=trainee)
    entries = assessment.eligible_entries(submission=submission).order_by("created_at")[:3]
    assessment.submission_update(submission=submission, entry_ids=[e.pk for e in entries], summary=summary)
    return assessment.submission_submit(submission=submission)


def _assess_and_release(*, submission: Submission, tutor: User) -> None:
    marking = assessment.assessment_start(submission=submission, assessor=tutor)
    criteria = list(marking.rubric.criteria.prefetch_related("levels"))
    levels = {c.pk: list(c.levels.all())[2 if n % 3 else 1].pk for n, c in enumerate(criteria)}
    comments = {criteria[0].pk: "You notice the small shifts in the room and name them gently. Keep doing this."}
    assessment.assessment_save(
        assessment=marking,
        by=tutor,
        levels=levels,
        comments=comments,
        complete=True,
        outcome=Outcome.PASS,
        overall_feedback=(
            "A thoughtful portfolio. Your entries show a growing ability to stay with a client's distress without "
            "rushing to fix it, and you use your own therapy well to understand your pull towards rescuing. "
            "Next: bring more of your body-awareness into sessions as it happens, not only afterwards."
        ),
    )
    assessment.assessment_release(assessment=marking, by=tutor)


def _comment_thread(*, trainee: User, tutor: User) -> int:
    entry = (
        JournalEntry.objects.alive()
        .filter(author=trainee, visibility=Visibility.SHARED, status=Status.PUBLISHED)
        .order_by("created_at")
        .first()
    )
    if entry is None or entry.comments.exists():
        return 0
    now = timezone.now()
    top = Comment.objects.create(
        entry=entry,
        author=tutor,
        status=CommentStatus.POSTED,
        posted_at=now - datetime.timedelta(hours=5),
        body="I noticed you stayed with the silence here rather than filling it. What helped you do that?",
    )
    Comment.objects.create(
        entry=entry,
        author=trainee,
        parent=top,
        status=CommentStatus.POSTED,
        posted_at=now - datetime.timedelta(hours=2),
        body="Feeling my feet on the floor, mostly. I'd practised it in my own therapy the week before.",
    )
    return 2


def _allocate_second_marking(*, checkpoint: Checkpoint, users: dict[str, User]) -> None:
    """Jo is Sam's and Alex's assigned tutor; Chris, also a tutor of the cohort, is the
    checkpoint's second marker (so reads their submitted portfolios, never their journals)
    and Jo moderates. Run again, it changes nothing."""
    jo, chris, admin = users["tutor@example.com"], users["tutor2@example.com"], users["admin@example.com"]
    jo_membership = Membership.objects.get(user=jo, cohort=checkpoint.cohort, role=Role.TUTOR)
    jo_membership.assigned_trainees.add(users["trainee@example.com"], users["trainee2@example.com"])
    allocation_set(role=AllocationRole.SECOND_MARKER, user=chris, by=admin, checkpoint=checkpoint)
    allocation_set(role=AllocationRole.MODERATOR, user=jo, by=admin, checkpoint=checkpoint)


def demo_assessment_seed(*, programme: Programme, cohorts: dict[str, Cohort], users: dict[str, User]) -> dict[str, int]:
    before = Rubric.objects.filter(programme=programme).count()
    rubrics_seed(programme=programme)
    counts = {"rubrics": Rubric.objects.filter(programme=programme).count() - before}
    counts.update(checkpoints=0, submissions=0, comments=0)
    autumn, spring = cohorts["2026 Autumn"], cohorts["2026 Spring"]
    checkpoint, created = Checkpoint.objects.get_or_create(
        cohort=autumn,
        title=CHECKPOINT_TITLE,
        defaults={
            "rubric": _rubric(programme, "Relational"),
            "instructions": CHECKPOINT_INSTRUCTIONS,
            "due_at": timezone.now() + datetime.timedelta(days=10),
            "reminder_days": [7, 1],
        },
    )
    counts["checkpoints"] += int(created)
    _, created = Checkpoint.objects.get_or_create(
        cohort=spring,
        title=SPRING_CHECKPOINT_TITLE,
        defaults={
            "rubric": _rubric(programme, "Session skills"),
            "instructions": "Submit entries reflecting on your recorded session and what you noticed in yourself.",
            "due_at": timezone.now() + datetime.timedelta(days=21),
            "reminder_days": [7, 1],
        },
    )
    counts["checkpoints"] += int(created)
    sam, alex, tutor = users["trainee@example.com"], users["trainee2@example.com"], users["tutor@example.com"]
    if not checkpoint.submissions.exists():
        assessed = _submit(
            checkpoint=checkpoint,
            trainee=sam,
            summary="These entries trace how I went from wanting to fix things to staying with what is there.",
        )
        _assess_and_release(submission=assessed, tutor=tutor)
        _submit(
            checkpoint=checkpoint,
            trainee=alex,
            summary="Looking back, my entries keep returning to safety: the client's, and mine in the room.",
        )
        counts["submissions"] += 2
    _allocate_second_marking(checkpoint=checkpoint, users=users)
    counts["comments"] = _comment_thread(trainee=sam, tutor=tutor)
    assert not checkpoint.submissions.filter(assessments__role=MarkingRole.SECOND).exists()
    return counts
