"""The role × URL matrix, generated from the URL resolver (issue 9).

For every URL pattern of the project (tests/access/expectations.py), every role
of the world (tests/access/world.py) and both GET and POST:

- the status is the one the table states (404 for anything not allowed, a
  redirect to sign in for anonymous visitors of private pages);
- the response carries no text that role may not read (`world.TEXTS`);
- where the table says so, a page shows what that role should find on it;
- a refused request changes nothing in the database (a fingerprint of every
  table, sessions aside).
"""

from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.urls import Resolver404, resolve, reverse

from reflect.cohorts.models import Membership
from reflect.journal.models import JournalEntry
from reflect.manage.roster_views import CLAIM_PREFIX
from tests.access.expectations import ADMIN_LOGIN, LOGIN, SKIPPED, TABLE, Url, url_keys
from tests.access.world import ROLES, forbidden_for

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST")
REFUSED = {403, 404, 405, LOGIN, ADMIN_LOGIN}
UNTRACKED_TABLES = {"django_session"}  # a session changes with every request (messages, CSRF)


# --- the table covers the resolver --------------------------------------------------------------------------------


def test_every_url_pattern_has_expectations():
    patterns = url_keys()
    covered = {url.key for url in TABLE}
    missing = sorted(set(patterns) - covered - set(SKIPPED))
    assert not missing, (
        "URL patterns with no expected outcomes: add them to tests/access/expectations.py "
        f"(TABLE, or SKIPPED with a reason): {missing}"
    )
    stale = sorted((covered | set(SKIPPED)) - set(patterns))
    assert not stale, f"expectations for URL patterns that no longer exist: {stale}"
    assert not covered & set(SKIPPED), "a pattern is both covered and skipped"
    assert all(reason.strip() for reason in SKIPPED.values())


def test_every_row_states_every_role_and_method():
    for url in TABLE:
        for method, outcomes in (("GET", url.get), ("POST", url.post)):
            assert set(outcomes) == set(ROLES), f"{url.id} {method}: {set(ROLES) ^ set(outcomes)}"
    ids = [url.id for url in TABLE]
    assert len(ids) == len(set(ids)), "two rows share a name and variant"


# --- the matrix ------------------------------------------------------------------------------------------------------


def _path(url: Url, world) -> str:
    kwargs = {name: world.ids[key] for name, key in url.kwargs.items()}
    if url.path:
        return url.path.format(**kwargs)
    return reverse(url.key, kwargs=kwargs)


def _data(url: Url, world) -> dict:
    return {k: world.ids[v[1:]] if isinstance(v, str) and v.startswith("@") else v for k, v in url.data.items()}


def outcome(response):
    """The status, or for a redirect where it goes: LOGIN, ADMIN_LOGIN or "302>url-name"."""
    if response.status_code not in (301, 302, 303):
        return response.status_code
    path = urlsplit(response["Location"]).path
    if path == reverse("account_login"):
        return LOGIN
    if path == reverse("admin:login"):
        return ADMIN_LOGIN
    try:
        match = resolve(path)
    except Resolver404:
        return f"{response.status_code}>{path}"
    return f"{response.status_code}>{match.view_name}"


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace") + "\n" + response.get("Location", "")


def _tables() -> list[str]:
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return sorted(tables - UNTRACKED_TABLES)


def fingerprint() -> dict[str, tuple]:
    """Per table: row count and a hash of every row (PostgreSQL); row counts elsewhere."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        parts = [
            f"SELECT '{t}', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {quote(t)} x"
            for t in _tables()
        ]
    else:
        parts = [f"SELECT '{t}', count(*), '' FROM {quote(t)}" for t in _tables()]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        # A UNION ALL has no order of its own: key the rows by table.
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def changed_tables(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


def request(world, url: Url, role: str, method: str):
    # Applying a roster import claims its key in the cache (not rolled back with the database).
    cache.delete(f"{CLAIM_PREFIX}{world.ids['roster_key']}")
    client = world.client(role)
    path = _path(url, world)
    if method == "GET":
        return client.get(path)
    return client.post(path, _data(url, world))


CASES = [
    pytest.param(url, role, method, id=f"{url.id}-{role}-{method}")
    for url in TABLE
    for role in ROLES
    for method in METHODS
]


@pytest.fixture(scope="module")
def baseline(world, django_db_blocker):
    """The database as every test starts it (each test is rolled back to the world)."""
    with django_db_blocker.unblock():
        return fingerprint()


def test_the_fingerprint_notices_a_change(world, baseline):
    assert changed_tables(baseline, fingerprint()) == []
    JournalEntry.objects.filter(pk=world.ids["entry_shared"]).update(title="Changed")
    Membership.objects.filter(pk=world.ids["membership_other"]).update(role="tutor")
    assert changed_tables(baseline, fingerprint()) == ["reflect_journalentry", "reflect_membership"]


@pytest.mark.parametrize(("url", "role", "method"), CASES)
def test_url_matrix(url, role, method, world, baseline):
    expected = (url.get if method == "GET" else url.post)[role]
    refused = expected in REFUSED

    response = request(world, url, role, method)

    where = f"{role} {method} {_path(url, world)}"
    assert outcome(response) == expected, where
    text = text_of(response)
    leaked = [marker for marker in forbidden_for(role) if marker in text]
    assert not leaked, f"{where} shows {leaked}"
    if method == "GET" and response.status_code == 200:
        absent = [marker for marker in url.shows.get(role, ()) if marker not in text]
        assert not absent, f"{where} should show {absent}"
    if refused:
        changed = changed_tables(baseline, fingerprint())
        assert not changed, f"{where} was refused but changed {changed}"
