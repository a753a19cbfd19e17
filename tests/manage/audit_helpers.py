"""Helpers for the audit log tests."""

from reflect.audit.models import AuditEvent
from reflect.journal.models import Visibility
from tests.conftest import entry_data

TITLE_MARKER = "qzAudTitle"
BODY_MARKER = "qzAudBody"


def shared_entry(author, cohort):
    """A shared, published entry whose title and body would be unmistakable in any audit row."""
    from reflect.journal import services

    data = entry_data(title=f"{TITLE_MARKER} session", body=f"{BODY_MARKER} text.", visibility=Visibility.SHARED)
    return services.entry_publish(author=author, cohort=cohort, data=data)


def only_event(**expected) -> AuditEvent:
    """The one audit event written, checked against `expected` field values, and holding no journal text."""
    events = list(AuditEvent.objects.all())
    assert len(events) == 1, [(e.action, e.detail) for e in events]
    event = events[0]
    for name, value in expected.items():
        assert getattr(event, name) == value, (name, getattr(event, name), value)
    assert_no_journal_text()
    return event


def assert_no_journal_text() -> None:
    for event in AuditEvent.objects.all():
        assert TITLE_MARKER not in event.detail and BODY_MARKER not in event.detail, event.detail
