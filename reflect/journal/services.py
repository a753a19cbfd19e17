"""Writes to the journal. Views, tasks, commands and tests all come through here."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import User
from reflect.cohorts.models import Cohort
from reflect.journal.checks import entry_text
from reflect.journal.identifiers import digest
from reflect.journal.models import AccessEvent, EntryRevision, JournalEntry, Status, Tag, Visibility
from reflect.journal.reflective import FREE, compose_body, section_field_name
from reflect.journal.versions import EntryChanged, Loaded

TEXT_FIELDS = ("title", "body", "template", "sections")
DETAIL_FIELDS = (
    "kind",
    "session_date",
    "client_code",
    "session_number",
    "state_before",
    "state_after",
    "intensity_before",
    "intensity_after",
    "body_note",
    "visibility",
)


def tags_resolve(*, owner: User, names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(owner=owner, name__in=names)}
    missing = [Tag(owner=owner, name=n) for n in names if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(Tag.objects.filter(owner=owner, name__in=names))


def _apply(entry: JournalEntry, data: dict[str, Any]) -> None:
    template = data.get("template") or FREE
    sections = data.get("sections") or {}
    entry.template = template
    entry.sections = sections if template != FREE else {}
    entry.body = data.get("body", "") if template == FREE else compose_body(template, sections)
    entry.title = data.get("title", "")
    for field in DETAIL_FIELDS:
        if field in data:
            setattr(entry, field, data[field])


def _held_aside(data: dict[str, Any], tags: list[str] | None, extra: dict[str, Any] | None) -> dict[str, Any]:
    """Unpublished edits of a published entry, as the editor's own fields so that
    it can load them again. Built from validated data only: the fields the editor
    has, the text of the chosen template only, within the editor's limits.
    Whatever else a request carried is not kept."""
    template = data.get("template") or FREE
    held: dict[str, Any] = {"title": data.get("title", ""), "template": template}
    if template == FREE:
        held["body"] = data.get("body", "")
    else:
        for key, text in (data.get("sections") or {}).items():
            held[section_field_name(template, key)] = text
    for field in DETAIL_FIELDS:
        value = data.get(field)
        held[field] = value.isoformat() if hasattr(value, "isoformat") else value
    if data.get("cohort") is not None:
        held["cohort"] = getattr(data["cohort"], "pk", data["cohort"])
    if tags is not None:
        held["tags"] = ", ".join(tags)
    held.update(extra or {})  # validated fields a higher layer's editor adds (evidence ticks)
    return held


def _lock(entry: JournalEntry, loaded: Loaded | None) -> None:
    """Reload the entry and hold its row until the transaction ends. Two publishes at
    once would otherwise both read the same previous text, and one text would never
    become a revision; the second now waits and sees the first's text. Under the lock,
    refuse a save from a page that loaded an older version (EntryChanged)."""
    entry.refresh_from_db(from_queryset=JournalEntry.objects.select_for_update())
    if loaded is not None and loaded.is_stale_for(entry):
        raise EntryChanged(entry)


def _next_version(entry: JournalEntry, loaded: Loaded | None) -> None:
    entry.version += 1
    entry.saved_by_page = loaded.page if loaded else ""


def _keep_revision(entry: JournalEntry, previous: dict[str, Any]) -> None:
    if any(previous[f] != getattr(entry, f) for f in TEXT_FIELDS):
        EntryRevision.objects.create(entry=entry, **previous)


@transaction.atomic
def entry_publish(
    *,
    author: User,
    cohort: Cohort,
    data: dict[str, Any],
    entry: JournalEntry | None = None,
    tags: list[str] | None = None,
    loaded: Loaded | None = None,
) -> JournalEntry:
    """Publish new or changed text. Republishing keeps the previous text as a revision.
    Raises EntryChanged, saving nothing, if `loaded` is older than the entry."""
    now = timezone.now()
    if entry is not None:
        _lock(entry, loaded)
    entry = entry or JournalEntry(author=author, cohort=cohort)
    was_published = entry.pk is not None and entry.is_published
    previous = {f: getattr(entry, f) for f in TEXT_FIELDS}
    _apply(entry, data)
    if was_published:
        _keep_revision(entry, previous)
    entry.status = Status.PUBLISHED
    entry.published_at = entry.published_at or now
    entry.pending = {}
    _next_version(entry, loaded)
    entry.save()
    if tags is not None:
        entry.tags.set(tags_resolve(owner=author, names=tags))
    return entry


@transaction.atomic
def entry_save_draft(
    *,
    author: User,
    cohort: Cohort,
    data: dict[str, Any],
    entry: JournalEntry | None = None,
    tags: list[str] | None = None,
    autosave: bool = False,
    extra: dict[str, Any] | None = None,
    loaded: Loaded | None = None,
) -> JournalEntry:
    """Save work in progress (`data` as the editor's form cleans it). A draft is
    updated in place; a published entry keeps its published text and holds the
    new text aside until it is republished. Raises EntryChanged, saving nothing,
    if `loaded` is older than the entry."""
    now = timezone.now()
    if entry is not None:
        _lock(entry, loaded)
    entry = entry or JournalEntry(author=author, cohort=cohort)
    _next_version(entry, loaded)
    if entry.is_published:
        entry.pending = {"data": _held_aside(data, tags, extra), "saved_at": now.isoformat()}
        entry.autosaved_at = now
        entry.save(update_fields=["pending", "autosaved_at", "version", "saved_by_page", "updated_at"])
        return entry
    _apply(entry, data)
    entry.cohort = cohort
    entry.status = Status.DRAFT
    entry.autosaved_at = now
    entry.save()
    if tags is not None:
        entry.tags.set(tags_resolve(owner=author, names=tags))
    return entry


def entry_set_visibility(*, entry: JournalEntry, visibility: str) -> JournalEntry:
    if visibility not in Visibility.values:
        raise ValueError(f"Unknown visibility {visibility!r}")
    entry.visibility = visibility
    entry.save(update_fields=["visibility", "updated_at"])
    return entry


def entry_identifiers_confirm(*, entry: JournalEntry) -> None:
    """Remember that the author confirmed sharing the entry's text as it is now, after
    the check for identifiers, so the same text is not asked about again."""
    entry.identifiers_checked = digest(entry_text(entry))
    JournalEntry.objects.filter(pk=entry.pk).update(identifiers_checked=entry.identifiers_checked)


def entry_delete(*, entry: JournalEntry) -> None:
    """Move to Trash; it can be restored for TRASH_RETENTION_DAYS."""
    JournalEntry.objects.filter(pk=entry.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())


def entry_restore(*, entry: JournalEntry) -> None:
    JournalEntry.objects.filter(pk=entry.pk).update(deleted_at=None)


@transaction.atomic
def entry_restore_revision(*, entry: JournalEntry, revision: EntryRevision) -> JournalEntry:
    """Bring back an earlier text; the current text becomes a revision itself."""
    _lock(entry, None)
    EntryRevision.objects.create(
        entry=entry, title=entry.title, body=entry.body, template=entry.template, sections=entry.sections
    )
    entry.title, entry.body = revision.title, revision.body
    entry.template, entry.sections = revision.template, revision.sections
    entry.pending = {}
    _next_version(entry, None)
    entry.save()
    return entry


def entries_purge(*, now=None) -> int:
    """Delete for good the entries that have been in Trash longer than the retention period."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRASH_RETENTION_DAYS)
    _, per_model = JournalEntry.objects.filter(deleted_at__lt=cutoff).delete()
    return per_model.get(JournalEntry._meta.label, 0)


def entry_readers(*, entry: JournalEntry) -> list[dict]:
    """One row per person who has opened the entry (not its author), most recent
    first: {"user", "last", "count"}. Every visit is kept; the author sees them
    summed, because four lines in two minutes for one tutor reads like being watched."""
    rows = list(
        AccessEvent.objects.filter(entry=entry)
        .exclude(user_id=entry.author_id)
        .values("user_id")
        .annotate(last=Max("at"), count=Count("id"))
        .order_by("-last")
    )
    people = User.objects.in_bulk([r["user_id"] for r in rows])
    return [{"user": people[r["user_id"]], "last": r["last"], "count": r["count"]} for r in rows]


def access_record(*, entry: JournalEntry, user: User) -> None:
    if user.pk != entry.author_id:
        AccessEvent.objects.create(entry=entry, user=user)
