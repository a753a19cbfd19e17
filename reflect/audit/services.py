"""Recording staff actions. Every capability that changes who is where, who
reads whom, or what is released calls `audit_record` (or, for one action that
touches many people at once, `audit_record_many`)."""

from collections.abc import Iterable

from accounts.models import User
from reflect.audit.models import AuditEvent
from reflect.cohorts.models import Cohort


def audit_event(
    *,
    actor: User | None,
    action: str,
    cohort: Cohort | None = None,
    subject: User | None = None,
    detail: str = "",
) -> AuditEvent:
    """An unsaved event. A staff member acting on themselves is marked
    self-appointed, so a course admin giving themselves a role stands out."""
    self_appointed = actor is not None and subject is not None and actor.pk == subject.pk
    return AuditEvent(
        actor=actor,
        action=action,
        cohort=cohort,
        subject=subject,
        detail=detail[:300],
        self_appointed=self_appointed,
    )


def audit_record(
    *,
    actor: User | None,
    action: str,
    cohort: Cohort | None = None,
    subject: User | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event."""
    event = audit_event(actor=actor, action=action, cohort=cohort, subject=subject, detail=detail)
    event.save()
    return event


def audit_record_many(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Append events built by `audit_event` in bulk inserts (a roster import's
    one row per person), so the cost does not grow query by query with the file."""
    return AuditEvent.objects.bulk_create(list(events), batch_size=500)
