"""The Django admin is for operations: it shows entries by number and metadata,
never a word of what anyone wrote."""

import pytest

from reflect.assessment.models import Submission, SubmittedEntry
from reflect.feedback import services as feedback
from reflect.feedback.models import Comment, Notification
from reflect.journal import services
from reflect.journal.models import AccessEvent, EntryRevision, JournalEntry, Tag, Visibility
from tests.conftest import entry_data
from tests.reflect.assessment_factories import make_checkpoint, make_submission

pytestmark = pytest.mark.django_db

MARKERS = {
    "title": "qzAdmTitle",
    "body": "qzAdmBody",
    "old_title": "qzAdmOldTitle",
    "old_body": "qzAdmOldBody",
    "pending": "qzAdmPending",
    "body_note": "qzAdmBodyNote",
    "section": "qzAdmSection",
    "draft": "qzAdmDraft",
    "tag": "qzadmtag",
    "comment": "qzAdmComment",
    "reply": "qzAdmReply",
    "summary": "qzAdmSummary",
}


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(email="root@example.test", password="a-long-root-password-42")


@pytest.fixture
def admin_client(client_for, superuser):
    return client_for(superuser)


@pytest.fixture
def entry(trainee, tutor, cohort, make_entry):
    """A shared entry with everything that holds text filled in: an earlier
    version, unpublished changes, a body note, a read by the tutor."""
    entry = make_entry(
        trainee,
        cohort,
        title=f"Old {MARKERS['old_title']}",
        body=f"Old {MARKERS['old_body']}",
        visibility=Visibility.SHARED,
        body_note=f"Tight chest {MARKERS['body_note']}",
        tags=["rupture"],
    )
    entry = services.entry_publish(
        author=trainee,
        cohort=cohort,
        entry=entry,
        data=entry_data(
            title=f"Now {MARKERS['title']}",
            body=f"Now {MARKERS['body']}",
            visibility=Visibility.SHARED,
            body_note=f"Tight chest {MARKERS['body_note']}",
        ),
    )
    services.entry_save_draft(
        author=trainee,
        cohort=cohort,
        entry=entry,
        data=entry_data(title=f"Pending {MARKERS['pending']}", body=f"Pending {MARKERS['pending']}"),
    )
    services.access_record(entry=entry, user=tutor)
    entry.refresh_from_db()
    assert entry.revisions.count() == 1 and entry.pending
    return entry


@pytest.fixture
def gibbs_draft(trainee, cohort, make_entry):
    return make_entry(
        trainee,
        cohort,
        draft=True,
        title=f"Draft {MARKERS['draft']}",
        template="gibbs",
        sections={"description": f"What happened {MARKERS['section']}"},
    )


def assert_no_journal_text(response, url: str) -> None:
    content = response.content.decode()
    leaked = [m for m in MARKERS.values() if m in content]
    assert not leaked, f"{url} shows journal text {leaked}"


def test_the_entry_changelist_shows_entries_by_number_only(admin_client, entry, gibbs_draft):
    response = admin_client.get("/admin/reflect/journalentry/")
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Entry #{entry.pk}" in content
    assert f"Entry #{gibbs_draft.pk}" in content
    assert_no_journal_text(response, "changelist")


@pytest.mark.parametrize("search", [MARKERS["title"], MARKERS["body"], MARKERS["old_body"], MARKERS["pending"]])
def test_searching_the_changelist_for_journal_text_finds_nothing(admin_client, entry, search):
    # The search box must not become an oracle for what an entry says.
    response = admin_client.get("/admin/reflect/journalentry/", {"q": search})
    assert response.status_code == 200
    assert f"Entry #{entry.pk}" not in response.content.decode()
    assert response.context["cl"].result_count == 0


def test_the_entry_changelist_search_by_author_email_still_works(admin_client, entry):
    response = admin_client.get("/admin/reflect/journalentry/", {"q": "alice@example.test"})
    assert f"Entry #{entry.pk}" in response.content.decode()
    assert_no_journal_text(response, "changelist search")


def test_admin_pages_about_an_entry_show_no_journal_text(admin_client, entry, gibbs_draft, trainee):
    urls = [
        "/admin/",
        "/admin/reflect/",
        f"/admin/reflect/journalentry/{entry.pk}/change/",
        f"/admin/reflect/journalentry/{gibbs_draft.pk}/change/",
        f"/admin/reflect/journalentry/{entry.pk}/history/",
        f"/admin/reflect/journalentry/{entry.pk}/delete/",
        f"/admin/reflect/journalentry/{gibbs_draft.pk}/delete/",
        f"/admin/accounts/user/{trainee.pk}/change/",
        "/admin/accounts/user/",
        "/admin/reflect/membership/",
    ]
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_no_journal_text(response, url)


def test_the_entry_change_page_is_read_only_metadata(admin_client, entry):
    response = admin_client.get(f"/admin/reflect/journalentry/{entry.pk}/change/")
    content = response.content.decode()
    assert "Alice Trainee" in content  # the author, as metadata
    assert 'name="title"' not in content and 'name="body"' not in content
    before = JournalEntry.objects.values().get(pk=entry.pk)
    admin_client.post(f"/admin/reflect/journalentry/{entry.pk}/change/", {"visibility": "private", "title": "x"})
    assert JournalEntry.objects.values().get(pk=entry.pk) == before


def test_the_delete_confirmation_lists_related_objects_without_their_text(admin_client, entry):
    response = admin_client.get(f"/admin/reflect/journalentry/{entry.pk}/delete/")
    content = response.content.decode()
    assert f"Entry #{entry.pk}" in content
    assert_no_journal_text(response, "delete confirmation")


def test_revisions_and_reads_are_not_in_the_admin(admin_client, entry):
    revision = entry.revisions.get()
    read = AccessEvent.objects.get()
    for url in (
        "/admin/reflect/entryrevision/",
        f"/admin/reflect/entryrevision/{revision.pk}/change/",
        "/admin/reflect/accessevent/",
        f"/admin/reflect/accessevent/{read.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 404, url
        assert_no_journal_text(response, url)


@pytest.fixture
def trainee_with_everything(trainee, tutor, cohort, make_entry):
    """A trainee whose account holds every kind of writing: tags, entries with
    revisions and pending edits, a comment thread, notifications, a submission."""
    entry = make_entry(
        trainee,
        cohort,
        title=f"Old {MARKERS['old_title']}",
        body=f"Old {MARKERS['old_body']}",
        visibility=Visibility.SHARED,
        tags=[MARKERS["tag"], "qzadmsecondtag"],
    )
    entry = services.entry_publish(
        author=trainee,
        cohort=cohort,
        entry=entry,
        data=entry_data(title=f"Now {MARKERS['title']}", body=f"Now {MARKERS['body']}", visibility=Visibility.SHARED),
    )
    comment = feedback.comment_create(entry=entry, author=tutor, body=f"Comment {MARKERS['comment']}")
    feedback.comment_reply(parent=comment, author=trainee, body=f"Reply {MARKERS['reply']}")
    make_submission(make_checkpoint(cohort), trainee, entries=[entry], summary=f"Summary {MARKERS['summary']}")
    return trainee


def test_the_user_delete_page_lists_their_writing_without_any_of_its_text(admin_client, trainee_with_everything, tutor):
    # Django's delete confirmation lists every related object by its __str__:
    # tags, entries, revisions, comments, notifications, snapshots.
    for user in (trainee_with_everything, tutor):
        url = f"/admin/accounts/user/{user.pk}/delete/"
        response = admin_client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "Tag #" in content or user == tutor
        assert "Comment #" in content
        assert_no_journal_text(response, url)


def test_no_model_names_its_journal_text_in_str(trainee_with_everything):
    objects = [
        *Tag.objects.all(),
        *JournalEntry.objects.all(),
        *EntryRevision.objects.all(),
        *AccessEvent.objects.all(),
        *Comment.objects.all(),
        *Notification.objects.all(),
        *Submission.objects.all(),
        *SubmittedEntry.objects.all(),
    ]
    assert len(objects) >= 8
    for obj in objects:
        leaked = [m for m in MARKERS.values() if m in str(obj)]
        assert not leaked, f"str() of {type(obj).__name__} shows {leaked}"
