"""What the emails of one send batch have in common, fetched once per batch:
the prompts and cohorts their ledger rows name, and which of their people have
published an entry since a given moment, and the site's fixed links. Building an email then costs no query
of its own (see delivery.deliveries_send)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse

from reflect.cohorts.models import Cohort
from reflect.journal.models import JournalEntry, Status
from reflect.prompts.models import Prompt


class Lookups:
    def __init__(self, deliveries: Iterable):
        self.deliveries = list(deliveries)
        prompt_ids = self._payload_ids("prompt_id")
        cohort_ids = self._payload_ids("cohort_id")
        self._prompts = Prompt.objects.in_bulk(prompt_ids) if prompt_ids else {}
        self._cohorts = Cohort.objects.in_bulk(cohort_ids) if cohort_ids else {}
        self._writers: dict[datetime.datetime, set[int]] = {}
        self._urls: dict[str, str] = {}

    def _payload_ids(self, key: str) -> set[int]:
        return {d.payload[key] for d in self.deliveries if isinstance(d.payload.get(key), int)}

    def prompt(self, pk) -> Prompt | None:
        return self._prompts.get(pk)

    def cohort(self, pk) -> Cohort | None:
        return self._cohorts.get(pk)

    def url(self, name: str) -> str:
        """The absolute address of a URL pattern that takes no arguments."""
        if name not in self._urls:
            self._urls[name] = settings.SITE_URL + reverse(name)
        return self._urls[name]

    def has_written(self, user_id: int, since: datetime.datetime) -> bool:
        """Whether this person has a published, not deleted entry since `since`.
        Answered for everyone in the batch at once, one query per distinct moment."""
        if since not in self._writers:
            people = {d.user_id for d in self.deliveries}
            self._writers[since] = set(
                JournalEntry.objects.alive()
                .filter(author_id__in=people, status=Status.PUBLISHED, published_at__gte=since)
                .values_list("author_id", flat=True)
                .distinct()
            )
        return user_id in self._writers[since]
