"""Recording staff actions. Every capability that changes who is where, who
reads whom, or what is released calls `audit_record`."""

from accounts.models import User
from reflect.audit.models import AuditEvent
from reflect.cohorts.models import Cohort


def audit_record(
    *,
    actor: User | None,
    action: str,
    cohort: Cohort | None = None,
    subject: User | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event. A staff member acting on themselves is marked
    self-appointed, so a course admin giving themselves a role stands out."""
    self_appointed = actor is not None and subject is not None and actor.pk == subject.pk
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        cohort=cohort,
        subject=subject,
        detail=detail[:300],
        self_appointed=self_appointed,
    )
