"""Django finds the app's models here; they live in one module per capability."""

from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.journal.models import AccessEvent, EntryRevision, JournalEntry, Tag
from reflect.prompts.models import Prompt

__all__ = [
    "AccessEvent",
    "Cohort",
    "EntryRevision",
    "JournalEntry",
    "Membership",
    "Programme",
    "Prompt",
    "Role",
    "Tag",
]
