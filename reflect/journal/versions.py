"""Which version of an entry an editor page started from, so that a save made from
an older page (another tab, another device) is not applied over newer text.

The editor sends one hidden field, `version`, as "<version>:<page>": the entry's
version when the page was rendered and a random token naming that page. A page's
own saves move the version on without the page learning of it (the editor's
JavaScript does not read it back yet), so a save is stale only when the version
moved on *and* the last save came from another page. A request without the field
(a page rendered before this existed) is not checked, as before."""

import secrets
from dataclasses import dataclass

from reflect.journal.models import JournalEntry
from reflect.journal.reflective import FREE, STAGES, compose_body, section_field_name


@dataclass(frozen=True)
class Loaded:
    version: int
    page: str

    @classmethod
    def parse(cls, raw: str | None) -> "Loaded | None":
        number, _, page = (raw or "").partition(":")
        if not number.strip().isdigit():
            return None
        return cls(int(number), page.strip()[:32])

    @classmethod
    def fresh(cls, entry: JournalEntry | None) -> "Loaded":
        """For a page about to be rendered: the entry's version (0 for a new entry)."""
        return cls(entry.version if entry is not None and entry.pk else 0, secrets.token_hex(8))

    def __str__(self) -> str:
        return f"{self.version}:{self.page}"

    def is_stale_for(self, entry: JournalEntry) -> bool:
        own_last_save = bool(self.page) and self.page == entry.saved_by_page
        return entry.version != self.version and not own_last_save


class EntryChanged(Exception):
    """The entry was saved from another page after this one loaded it; nothing was saved."""

    def __init__(self, entry: JournalEntry) -> None:
        super().__init__(f"Entry #{entry.pk} changed (now version {entry.version})")
        self.entry = entry


def latest_text(entry: JournalEntry) -> tuple[str, str]:
    """(title, text) as last saved: unpublished changes held aside if any, else the entry's."""
    held = (entry.pending or {}).get("data")
    if not held:
        return entry.title, entry.body
    template = held.get("template") or FREE
    if template == FREE:
        return held.get("title", ""), held.get("body", "")
    sections = {s.key: held.get(section_field_name(template, s.key), "") for s in STAGES.get(template, [])}
    return held.get("title", ""), compose_body(template, sections)
