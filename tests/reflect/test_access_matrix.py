"""Who may see what, URL by URL: every role against every entry and page.

Anything a role may not read answers 404 (anonymous visitors are sent to sign
in), leaks none of the entry's text, and changes nothing in the database.
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from reflect.cohorts.models import Membership, Role
from reflect.journal import services
from reflect.journal.models import AccessEvent, EntryRevision, JournalEntry, Status, Visibility
from tests.conftest import entry_data

pytestmark = pytest.mark.django_db

LOGIN_PREFIX = "/accounts/login/"

ROLES = ["author", "same_cohort_trainee", "cohort_tutor", "other_cohort_tutor", "course_admin", "anonymous"]


@dataclass(frozen=True)
class EntrySpec:
    code: str
    visibility: str
    draft: bool = False
    trashed: bool = False

    # Unique strings that occur nowhere else, so a leak is unambiguous.
    @property
    def title(self) -> str:
        return f"Title {self.code}TTL"

    @property
    def body(self) -> str:
        return f"Body text {self.code}BDY about the session."

    @property
    def old_title(self) -> str:
        return f"Earlier title {self.code}OLDTTL"

    @property
    def old_body(self) -> str:
        return f"Earlier body {self.code}OLDBDY, since revised."

    @property
    def markers(self) -> list[str]:
        return [f"{self.code}TTL", f"{self.code}BDY", f"{self.code}OLDTTL", f"{self.code}OLDBDY"]


ENTRIES = {
    "private_published": EntrySpec("qzPrivPub", Visibility.PRIVATE),
    "shared_published": EntrySpec("qzShrPub", Visibility.SHARED),
    "shared_draft": EntrySpec("qzShrDrf", Visibility.SHARED, draft=True),
    "private_draft": EntrySpec("qzPrvDrf", Visibility.PRIVATE, draft=True),
    "trashed_shared": EntrySpec("qzTrash", Visibility.SHARED, trashed=True),
}
ALL_MARKERS = [m for spec in ENTRIES.values() for m in spec.markers]
# The cohort's tutor may read the current title and text of the shared,
# published entry — not its earlier versions, and nothing else.
TUTOR_READABLE = [f"{ENTRIES['shared_published'].code}TTL", f"{ENTRIES['shared_published'].code}BDY"]


def forbidden_markers(role: str) -> list[str]:
    if role == "author":
        return []
    if role == "cohort_tutor":
        return [m for m in ALL_MARKERS if m not in TUTOR_READABLE]
    return ALL_MARKERS


def assert_no_leak(response, role: str, where: str) -> None:
    content = response.content.decode()
    leaked = [m for m in forbidden_markers(role) if m in content]
    assert not leaked, f"{role} saw {leaked} on {where}"


@dataclass
class World:
    entries: dict[str, JournalEntry]
    revisions: dict[str, EntryRevision]
    users: dict[str, object]


@pytest.fixture
def world(trainee, trainee2, tutor, other_tutor, course_admin, cohort, other_cohort, make_entry):
    entries, revisions = {}, {}
    for key, spec in ENTRIES.items():
        if spec.draft:
            # A draft has never been published, so it has no revisions of its
            # own; give it one so the restore URL has something to point at.
            entry = make_entry(
                trainee, cohort, draft=True, title=spec.title, body=spec.body, visibility=spec.visibility
            )
            revision = EntryRevision.objects.create(entry=entry, title=spec.old_title, body=spec.old_body)
        else:
            entry = make_entry(trainee, cohort, title=spec.old_title, body=spec.old_body, visibility=spec.visibility)
            entry = services.entry_publish(
                author=trainee,
                cohort=cohort,
                entry=entry,
                data=entry_data(title=spec.title, body=spec.body, visibility=spec.visibility),
            )
            revision = entry.revisions.get()
        if spec.trashed:
            services.entry_delete(entry=entry)
        entry.refresh_from_db()
        entries[key], revisions[key] = entry, revision
    users = {
        "author": trainee,
        "same_cohort_trainee": trainee2,
        "cohort_tutor": tutor,
        "other_cohort_tutor": other_tutor,
        "course_admin": course_admin,
        "anonymous": None,
    }
    return World(entries=entries, revisions=revisions, users=users)


def snapshot(entry: JournalEntry) -> dict:
    entry = JournalEntry.objects.get(pk=entry.pk)
    return {
        "title": entry.title,
        "body": entry.body,
        "visibility": entry.visibility,
        "status": entry.status,
        "deleted_at": entry.deleted_at,
        "pending": entry.pending,
        "revisions": entry.revisions.count(),
    }


# --- the matrix over entry URLs -------------------------------------------

ACTIONS = {
    # name: (method, path template)
    "detail": ("get", "/journal/{pk}/"),
    "edit_get": ("get", "/journal/{pk}/edit/"),
    "edit_post": ("post", "/journal/{pk}/edit/"),
    "history": ("get", "/journal/{pk}/history/"),
    "delete_get": ("get", "/journal/{pk}/delete/"),
    "delete_post": ("post", "/journal/{pk}/delete/"),
    "visibility": ("post", "/journal/{pk}/visibility/"),
    "revision_restore": ("post", "/journal/{pk}/history/{rev}/restore/"),
    "trash_restore": ("post", "/journal/trash/{pk}/restore/"),
    "autosave": ("post", "/journal/autosave/"),
}
EDITED_TITLE = "Edited through the editor"
AUTOSAVED_TITLE = "Autosaved by the editor"


def post_data(action: str, entry: JournalEntry, cohort) -> dict:
    if action == "edit_post":
        return {
            "title": EDITED_TITLE,
            "body": "Edited text.",
            "kind": "general",
            "template": "free",
            "visibility": entry.visibility,
            "cohort": cohort.pk,
            "action": "publish",
        }
    if action == "visibility":
        flipped = Visibility.PRIVATE if entry.visibility == Visibility.SHARED else Visibility.SHARED
        return {"visibility": flipped}
    if action == "autosave":
        return {
            "entry_id": entry.pk,
            "title": AUTOSAVED_TITLE,
            "body": "Autosaved text.",
            "kind": "general",
            "template": "free",
            "visibility": entry.visibility,
            "cohort": cohort.pk,
        }
    return {}


def expected_status(role: str, entry_key: str, action: str) -> int:
    method = ACTIONS[action][0]
    if role == "anonymous":
        return 302
    if role == "author":
        if ENTRIES[entry_key].trashed:
            # Trashed: nothing but restoring it from Trash works.
            return 302 if action == "trash_restore" else 404
        if action == "trash_restore":
            return 404  # not in Trash
        return 200 if method == "get" or action == "autosave" else 302
    if role == "cohort_tutor" and entry_key == "shared_published" and action == "detail":
        return 200
    return 404


MATRIX = [
    pytest.param(role, entry_key, action, id=f"{role}-{entry_key}-{action}")
    for role in ROLES
    for entry_key in ENTRIES
    for action in ACTIONS
]


@pytest.mark.parametrize(("role", "entry_key", "action"), MATRIX)
def test_entry_url_access(role, entry_key, action, world, cohort, client_for):
    entry, revision = world.entries[entry_key], world.revisions[entry_key]
    spec = ENTRIES[entry_key]
    method, template = ACTIONS[action]
    url = template.format(pk=entry.pk, rev=revision.pk)
    before = snapshot(entry)
    client = client_for(world.users[role])

    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, post_data(action, entry, cohort))

    expected = expected_status(role, entry_key, action)
    assert response.status_code == expected, f"{role} {method.upper()} {url}"
    if role == "anonymous":
        assert response["Location"].startswith(LOGIN_PREFIX)
    assert_no_leak(response, role, f"{method.upper()} {url}")

    after = snapshot(entry)
    if role != "author" or expected == 404 or method == "get":
        assert after == before, f"{role} {method.upper()} {url} changed the entry"
    else:
        # The author's own actions do what they say.
        assert_author_action_applied(action, entry, spec, before, after)

    # Only the tutor reading a shared entry is recorded; failed attempts are not.
    expected_reads = 1 if (role == "cohort_tutor" and expected == 200) else 0
    assert AccessEvent.objects.count() == expected_reads

    if expected == 200:
        content = response.content.decode()
        if action == "detail":
            assert spec.title in content and f"{spec.code}BDY" in content
        if action == "history":
            assert f"{spec.code}OLDBDY" in content


def assert_author_action_applied(action, entry, spec, before, after):
    if action == "edit_post":
        assert after["title"] == EDITED_TITLE and after["status"] == Status.PUBLISHED
    elif action == "delete_post":
        assert before["deleted_at"] is None and after["deleted_at"] is not None
    elif action == "visibility":
        assert after["visibility"] != before["visibility"]
    elif action == "revision_restore":
        assert (after["title"], after["body"]) == (spec.old_title, spec.old_body)
    elif action == "trash_restore":
        assert before["deleted_at"] is not None and after["deleted_at"] is None
    elif action == "autosave":
        if spec.draft:
            assert after["title"] == AUTOSAVED_TITLE
        else:  # a published entry keeps its text and holds the new text aside
            assert after["title"] == spec.title and after["pending"]["data"]["title"] == AUTOSAVED_TITLE
    else:  # pragma: no cover — every POST action is listed above
        raise AssertionError(action)


# --- the matrix over list and cohort pages -----------------------------------

PAGES = ["journal_list", "trash", "dashboard", "own_cohort", "other_cohort"]
PAGE_STATUS = {
    #                      list trash home own other
    "author": (200, 200, 200, 404, 404),
    "same_cohort_trainee": (200, 200, 200, 404, 404),
    "cohort_tutor": (200, 200, 200, 200, 404),
    "other_cohort_tutor": (200, 200, 200, 404, 200),
    "course_admin": (200, 200, 200, 200, 200),
    "anonymous": (302, 302, 302, 302, 302),
}


def page_url(page: str, cohort, other_cohort) -> str:
    return {
        "journal_list": "/journal/",
        "trash": "/journal/trash/",
        "dashboard": "/",
        "own_cohort": f"/cohorts/{cohort.pk}/",
        "other_cohort": f"/cohorts/{other_cohort.pk}/",
    }[page]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_page_access(role, page, world, cohort, other_cohort, client_for):
    url = page_url(page, cohort, other_cohort)
    response = client_for(world.users[role]).get(url)

    assert response.status_code == PAGE_STATUS[role][PAGES.index(page)], f"{role} GET {url}"
    if role == "anonymous":
        assert response["Location"].startswith(LOGIN_PREFIX)
    assert_no_leak(response, role, f"GET {url}")
    assert AccessEvent.objects.count() == 0

    content = response.content.decode()
    alive_titles = [spec.title for spec in ENTRIES.values() if not spec.trashed]
    if role == "author" and page in ("journal_list", "dashboard"):
        assert all(title in content for title in alive_titles)
        assert ENTRIES["trashed_shared"].title not in content
    if role == "author" and page == "trash":
        assert ENTRIES["trashed_shared"].title in content
        assert not any(title in content for title in alive_titles)
    if role == "cohort_tutor" and page == "own_cohort":
        assert ENTRIES["shared_published"].title in content
    if role == "course_admin" and page == "own_cohort":
        # Counts and dates only: the trainees are listed, their entries are not.
        assert "Alice Trainee" in content


# --- unpublished changes ---------------------------------------------------


def test_a_tutor_never_sees_unpublished_changes_to_a_shared_entry(trainee, tutor, cohort, make_entry, client_for):
    entry = make_entry(trainee, cohort, title="Published qzPubTitle", body="qzPubBody", visibility=Visibility.SHARED)
    response = client_for(trainee).post(
        f"/journal/{entry.pk}/edit/",
        {
            "title": "Half-written qzPendingTitle",
            "body": "qzPendingBody",
            "kind": "general",
            "template": "free",
            "visibility": "shared",
            "cohort": cohort.pk,
            "action": "draft",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.pending, "the draft of a published entry is held aside"

    tutor_client = client_for(tutor)
    for url in (f"/journal/{entry.pk}/", f"/cohorts/{cohort.pk}/", "/"):
        content = tutor_client.get(url).content.decode()
        assert "qzPendingTitle" not in content and "qzPendingBody" not in content, url
    detail = tutor_client.get(f"/journal/{entry.pk}/").content.decode()
    assert "qzPubTitle" in detail and "qzPubBody" in detail


# --- tutor assignments -----------------------------------------------------


@pytest.fixture
def assigned_tutor(user_factory, cohort, trainee2):
    user = user_factory("frank@example.test", "Frank Assigned")
    membership = Membership.objects.create(user=user, cohort=cohort, role=Role.TUTOR)
    membership.assigned_trainees.add(trainee2)
    return user


@pytest.fixture
def two_shared_entries(trainee, trainee2, cohort, make_entry):
    alice = make_entry(
        trainee, cohort, title="Alice shared qzAliceShared", body="qzAliceBody", visibility=Visibility.SHARED
    )
    bob = make_entry(trainee2, cohort, title="Bob shared qzBobShared", body="qzBobBody", visibility=Visibility.SHARED)
    return alice, bob


def test_an_assigned_tutor_reads_their_assigned_trainee_and_trainees_with_no_assigned_tutor(
    assigned_tutor, tutor, two_shared_entries, cohort, client_for
):
    # The rule (README, "Who may see what"): a trainee with assigned tutors is read by
    # those tutors only; a trainee with none by every tutor of the cohort.
    alice, bob = two_shared_entries
    client = client_for(assigned_tutor)

    assert client.get(f"/journal/{bob.pk}/").status_code == 200
    assert client.get(f"/journal/{alice.pk}/").status_code == 200
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert "qzBobShared" in page and "qzAliceShared" in page
    assert set(JournalEntry.objects.visible_to(assigned_tutor)) == {alice, bob}


def test_a_tutor_without_assignments_does_not_read_trainees_assigned_to_someone_else(
    assigned_tutor, tutor, two_shared_entries, cohort, client_for
):
    alice, bob = two_shared_entries
    client = client_for(tutor)

    assert client.get(f"/journal/{alice.pk}/").status_code == 200
    response = client.get(f"/journal/{bob.pk}/")
    assert response.status_code == 404
    assert "qzBobBody" not in response.content.decode()
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert "qzAliceShared" in page
    assert "qzBobShared" not in page
    assert set(JournalEntry.objects.visible_to(tutor)) == {alice}
    assert not AccessEvent.objects.filter(entry=bob).exists()


def test_assignment_in_another_cohort_does_not_hide_a_trainee_from_this_cohorts_tutor(
    user_factory, trainee, tutor, other_cohort, cohort, make_entry, client_for
):
    # Alice also trains in another cohort where she has an assigned tutor.
    Membership.objects.create(user=trainee, cohort=other_cohort, role=Role.TRAINEE)
    elsewhere = user_factory("gail@example.test", "Gail Elsewhere")
    Membership.objects.create(user=elsewhere, cohort=other_cohort, role=Role.TUTOR).assigned_trainees.add(trainee)
    entry = make_entry(trainee, cohort, title="qzHereShared", visibility=Visibility.SHARED)

    assert client_for(tutor).get(f"/journal/{entry.pk}/").status_code == 200
    assert client_for(elsewhere).get(f"/journal/{entry.pk}/").status_code == 404


# --- CSRF ----------------------------------------------------------------


@pytest.fixture
def csrf_client(trainee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee)
    return client


def test_creating_an_entry_without_a_csrf_token_is_refused(csrf_client, cohort):
    response = csrf_client.post(
        "/journal/new/",
        {
            "title": "Forged qzForged",
            "body": "Forged body",
            "kind": "general",
            "template": "free",
            "visibility": "shared",
            "cohort": cohort.pk,
            "action": "publish",
        },
    )
    assert response.status_code == 403
    assert not JournalEntry.objects.exists()


def test_editing_an_entry_without_a_csrf_token_is_refused(csrf_client, trainee, cohort, make_entry):
    entry = make_entry(trainee, cohort, title="Original title", body="Original body")
    before = snapshot(entry)
    response = csrf_client.post(
        f"/journal/{entry.pk}/edit/",
        {
            "title": "Forged qzForged",
            "body": "Forged body",
            "kind": "general",
            "template": "free",
            "visibility": "shared",
            "cohort": cohort.pk,
            "action": "publish",
        },
    )
    assert response.status_code == 403
    assert snapshot(entry) == before


def test_the_editor_with_its_csrf_token_still_saves(csrf_client, trainee, cohort, make_entry):
    # Guards the two tests above: they fail for want of a token, not for bad data.
    entry = make_entry(trainee, cohort, title="Original title", body="Original body")
    page = csrf_client.get(f"/journal/{entry.pk}/edit/")
    token = page.cookies["csrftoken"].value
    response = csrf_client.post(
        f"/journal/{entry.pk}/edit/",
        {
            "csrfmiddlewaretoken": token,
            "title": "Saved title",
            "body": "Saved body",
            "kind": "general",
            "template": "free",
            "visibility": "private",
            "cohort": cohort.pk,
            "action": "publish",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Saved title"


# --- reads are recorded ----------------------------------------------------


def test_a_tutor_reading_a_shared_entry_is_recorded_and_shown_to_the_author(
    trainee, tutor, cohort, make_entry, client_for
):
    entry = make_entry(trainee, cohort, visibility=Visibility.SHARED)
    author_client = client_for(trainee)
    assert "Charlie Tutor" not in author_client.get(f"/journal/{entry.pk}/").content.decode()

    assert client_for(tutor).get(f"/journal/{entry.pk}/").status_code == 200

    event = AccessEvent.objects.get()
    assert (event.entry, event.user) == (entry, tutor)
    assert "Charlie Tutor" in author_client.get(f"/journal/{entry.pk}/").content.decode()


def test_the_author_reading_their_own_entry_records_nothing(trainee, tutor, cohort, make_entry, client_for):
    entry = make_entry(trainee, cohort, visibility=Visibility.SHARED)
    client = client_for(trainee)
    for _ in range(3):
        assert client.get(f"/journal/{entry.pk}/").status_code == 200
    assert not AccessEvent.objects.exists()
    assert "No tutor has opened this entry yet" in client.get(f"/journal/{entry.pk}/").content.decode()
