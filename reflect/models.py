"""Django finds the app's models here; they live in one module per capability."""

from reflect.assessment.evidence import Evidence
from reflect.assessment.models import (
    Allocation,
    Assessment,
    Checkpoint,
    Criterion,
    Level,
    Rubric,
    Score,
    Submission,
    SubmittedEntry,
)
from reflect.audit.models import AuditEvent
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.drafts.models import FormDraft
from reflect.feedback.models import Comment, Notification
from reflect.journal.models import AccessEvent, EntryRevision, JournalEntry, Tag
from reflect.manage.models import CohortInvitation, MembershipMove
from reflect.outbox.models import Delivery, Lease
from reflect.prompts.models import Prompt
from reflect.reminders.models import ReminderSchedule

__all__ = [
    "AccessEvent",
    "Allocation",
    "AuditEvent",
    "Assessment",
    "Checkpoint",
    "Cohort",
    "CohortInvitation",
    "Delivery",
    "FormDraft",
    "Comment",
    "Criterion",
    "EntryRevision",
    "Evidence",
    "JournalEntry",
    "Lease",
    "Level",
    "Membership",
    "MembershipMove",
    "Notification",
    "Programme",
    "Prompt",
    "ReminderSchedule",
    "Role",
    "Rubric",
    "Score",
    "Submission",
    "SubmittedEntry",
    "Tag",
]
