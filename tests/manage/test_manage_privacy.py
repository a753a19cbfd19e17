"""Every course-admin URL, discovered from reflect.manage.urls: no private text, and 404 for outsiders.

The patterns are read when the tests are collected, so a page added under /manage/ later is
covered without touching this file. Ids in a pattern are filled from what the route says
(`cohorts/<int:pk>` takes a cohort, `<int:membership_pk>` a membership, and so on); when the
route says nothing clear, the first candidate the course admin can open wins.

1. As the course admin, no response (pages, CSV exports) contains MARKER, which is seeded into
   everything private: entry titles, text, check-in notes, pending edits, earlier revisions,
   tags, comments, submission summaries and snapshots, assessment feedback, criterion comments
   and the trainee's reply.
2. The admin of another programme, a tutor and a trainee get 404 for every /manage/ URL with an
   object id (405 where the view takes POST only), change nothing by POSTing, and anonymous
   visitors are sent to sign in.
"""

import datetime
import itertools
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from reflect.assessment import services as assessment_services
from reflect.assessment.models import Allocation, Assessment, Checkpoint
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.feedback import services as feedback_services
from reflect.journal import services as journal_services
from reflect.journal.models import JournalEntry, Visibility
from reflect.manage import urls as manage_urls
from reflect.manage.models import CohortInvitation, MembershipMove
from tests.conftest import entry_data
from tests.reflect.assessment_factories import full_levels, make_checkpoint, make_submission

pytestmark = pytest.mark.django_db

MARKER = "Qx7MARKERzv"
LOGIN_PREFIX = "/accounts/login/"
OUTSIDERS = ["other_programme_admin", "tutor", "trainee"]
MAX_TRIES = 40
# Which kind of object a route parameter takes, from its name or the route segment before it.
HINTS = [
    ("programme", "programme"),
    ("cohort", "cohort"),
    ("invitation", "invitation"),
    ("invite", "invitation"),
    ("membership", "membership"),
    ("member", "membership"),
    ("move", "move"),
    ("user", "user"),
    ("trainee", "user"),
    ("tutor", "user"),
    ("people", "user"),
    ("person", "user"),
    ("checkpoint", "checkpoint"),
    ("submission", "submission"),
]
KIND_ORDER = ["cohort", "programme", "membership", "user", "invitation", "move", "checkpoint", "submission"]


# --- Discovering the patterns ---------------------------------------------------------


def _flatten(patterns, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _flatten(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), p))
    return found


PATTERNS = {p.name or route: (route, p) for route, p in _flatten(manage_urls.urlpatterns)}


def is_public(pattern: URLPattern) -> bool:
    return getattr(pattern.callback, "login_required", True) is False


def params(route: str, pattern: URLPattern) -> list[tuple[str, str, str]]:
    """(name, converter, the literal segment before it) for each parameter of the route."""
    found = []
    for match in re.finditer(r"<(?:(\w+):)?(\w+)>", route):
        segments = [s for s in route[: match.start()].split("/") if s and "<" not in s]
        found.append((match.group(2), match.group(1) or "str", segments[-1] if segments else ""))
    return found


def has_object_ids(route: str, pattern: URLPattern) -> bool:
    return any(converter == "int" for _, converter, _ in params(route, pattern))


MANAGE_PATTERNS = sorted(name for name, (route, p) in PATTERNS.items() if route.startswith("manage/"))
OBJECT_PATTERNS = sorted(
    name for name in MANAGE_PATTERNS if has_object_ids(*PATTERNS[name]) and not is_public(PATTERNS[name][1])
)
PLAIN_PATTERNS = sorted(name for name in MANAGE_PATTERNS if name not in OBJECT_PATTERNS)


# --- The world ----------------------------------------------------------------------------


@pytest.fixture
def world(programme, cohort, other_cohort, course_admin, tutor, trainee, trainee2, user_factory):
    """Private writing with MARKER everywhere, and one of every object a /manage/ URL may take."""
    shared = journal_services.entry_publish(
        author=trainee,
        cohort=cohort,
        data=entry_data(
            title=f"Shared {MARKER} title",
            body=f"Shared body {MARKER}",
            visibility=Visibility.SHARED,
            state_before="hyper",
            body_note=f"Tight chest {MARKER}",
        ),
        tags=[f"tag{MARKER}"],
    )
    # Republishing keeps the earlier text as a revision; a later draft edit is held as pending.
    journal_services.entry_publish(
        author=trainee, cohort=cohort, entry=shared, data=entry_data(title="Shared title", body=f"New {MARKER}")
    )
    JournalEntry.objects.filter(pk=shared.pk).update(
        visibility=Visibility.SHARED, pending={"title": f"Pending {MARKER}", "body": f"Pending {MARKER}"}
    )
    shared.refresh_from_db()
    journal_services.entry_publish(
        author=trainee, cohort=cohort, data=entry_data(title=f"Private {MARKER}", body_note=f"Note {MARKER}")
    )
    journal_services.entry_save_draft(
        author=trainee2,
        cohort=cohort,
        data=entry_data(title=f"Draft {MARKER}", body=f"Draft body {MARKER}", visibility=Visibility.SHARED),
    )
    comment = feedback_services.comment_create(entry=shared, author=tutor, body=f"Tutor comment {MARKER}")
    feedback_services.comment_reply(parent=comment, author=trainee, body=f"Trainee reply {MARKER}")

    checkpoint = make_checkpoint(cohort, title="First portfolio")
    submission = make_submission(checkpoint, trainee, entries=[shared], summary=f"Summary {MARKER}")
    assessment = assessment_services.assessment_start(submission=submission, assessor=tutor)
    levels = full_levels(assessment.rubric)
    assessment = assessment_services.assessment_save(
        assessment=assessment,
        by=tutor,
        levels=levels,
        comments={criterion_id: f"Criterion comment {MARKER}" for criterion_id in levels},
        overall_feedback=f"Overall feedback {MARKER}",
        outcome="pass",
        complete=True,
    )
    assessment = assessment_services.assessment_release(assessment=assessment, by=tutor)
    assessment_services.assessment_acknowledge(assessment=assessment, trainee=trainee, reply=f"Thanks {MARKER}")
    unreleased = make_submission(
        checkpoint, trainee2, entries=[], summary=f"Other summary {MARKER}", submit=False
    )  # a draft submission
    assert [a for a in Assessment.objects.all() if MARKER in a.overall_feedback] and unreleased.pk

    invitation = CohortInvitation.objects.create(
        cohort=cohort, email="newcomer@example.test", first_name="Nia", last_name="Newcomer", invited_by=course_admin
    )
    move = MembershipMove.objects.create(user=trainee2, from_cohort=other_cohort, to_cohort=cohort, entries_moved=1)

    other_admin = user_factory("olga@example.test", "Olga Otheradmin")
    elsewhere = Programme.objects.create(name="Other Diploma")
    elsewhere.admins.add(other_admin)
    elsewhere_cohort = Cohort.objects.create(
        programme=elsewhere, name="Elsewhere", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2027, 7, 1)
    )
    Membership.objects.create(user=other_admin, cohort=elsewhere_cohort, role=Role.COURSE_ADMIN)

    memberships = Membership.objects.filter(cohort=cohort).order_by("role", "pk")
    return {
        "people": {
            "course_admin": course_admin,
            "other_programme_admin": other_admin,
            "tutor": tutor,
            "trainee": trainee,
            "anonymous": None,
        },
        "ids": {
            "cohort": [cohort.pk, other_cohort.pk],
            "programme": [programme.pk],
            "membership": [m.pk for m in memberships.filter(role=Role.TRAINEE)]
            + [m.pk for m in memberships.exclude(role=Role.TRAINEE)],
            "user": [trainee.pk, trainee2.pk, tutor.pk],
            "invitation": [invitation.pk],
            "move": [move.pk],
            "checkpoint": [checkpoint.pk],
            "submission": [submission.pk, unreleased.pk],
        },
    }


def candidates(world, name: str, converter: str, segment: str) -> list:
    if converter != "int":
        return [uuid.uuid4()] if converter == "uuid" else ["x"]
    ids = world["ids"]
    words = f"{name} {segment}".lower()
    hinted = [kind for word, kind in HINTS if word in words]
    if not hinted and name == "pk":
        hinted = ["cohort"]
    kinds = list(dict.fromkeys(hinted + KIND_ORDER))
    return list(dict.fromkeys(pk for kind in kinds for pk in ids[kind]))


def body_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def resolve(world, name: str) -> tuple[str, object]:
    """The URL to test, and the course admin's GET response to it: the first filling of the
    parameters that the admin can open (not 404)."""
    route, pattern = PATTERNS[name]
    spec = params(route, pattern)
    admin = Client()
    admin.force_login(world["people"]["course_admin"])
    options = [candidates(world, *p) for p in spec]
    first = None
    for values in itertools.islice(itertools.product(*options), MAX_TRIES):
        url = reverse(f"reflect:{name}", kwargs={p[0]: v for p, v in zip(spec, values, strict=True)})
        response = admin.get(url)
        first = first or (url, response)
        if response.status_code != 404:
            return url, response
    return first


def database_state() -> tuple:
    return (
        Programme.objects.count(),
        Cohort.objects.count(),
        Cohort.objects.filter(archived_at__isnull=False).count(),
        sorted(Membership.objects.values_list("user_id", "cohort_id", "role")),
        sorted(CohortInvitation.objects.values_list("pk", "sent_at", "revoked_at", "accepted_at")),
        MembershipMove.objects.count(),
        JournalEntry.objects.filter(deleted_at__isnull=False).count(),
        sorted(Checkpoint.objects.values_list("pk", "title", "due_at", "rubric_id", "reminder_days", "closed_at")),
        sorted(Allocation.objects.values_list("checkpoint_id", "submission_id", "role", "user_id")),
    )


# --- 1. No private text for the course admin -------------------------------------------------


def test_the_report_urls_are_discovered():
    assert {"manage-report", "manage-report-csv"} <= set(MANAGE_PATTERNS)
    assert {"manage-report", "manage-report-csv"} <= set(OBJECT_PATTERNS)


def test_the_checkpoint_urls_are_discovered():
    names = {"manage-checkpoints", "manage-checkpoint", "manage-checkpoint-edit", "manage-submission-allocate"}
    assert names <= set(OBJECT_PATTERNS)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_course_admin_sees_no_private_text(world, name):
    url, response = resolve(world, name)
    assert response.status_code < 500, f"{url} answered {response.status_code}"
    assert MARKER not in body_of(response), f"{url} shows private text to the course admin"
    if response.status_code == 404 and has_object_ids(*PATTERNS[name]):
        pytest.fail(f"{url}: the course admin could not open this page with any of the seeded objects")


@pytest.mark.parametrize("query", [{}, {"sort": "shared", "dir": "desc"}, {"sort": "sub-1", "dir": "asc"}])
@pytest.mark.parametrize("name", ["manage-report", "manage-report-csv"])
def test_report_and_export_show_no_private_text_in_any_order(world, client_for, cohort, name, query):
    response = client_for(world["people"]["course_admin"]).get(reverse(f"reflect:{name}", args=[cohort.pk]), query)
    text = body_of(response)
    assert response.status_code == 200 and MARKER not in text
    assert "Alice Trainee" in text and "Pass" in text  # the figures are there; the writing is not


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pages_redrawn_after_a_bad_form_show_no_private_text(world, client_for, name):
    """A POST with nothing filled in: forms come back with their errors (400), one-click
    actions redirect; whatever comes back holds no private text."""
    url, _ = resolve(world, name)
    client = client_for(world["people"]["course_admin"])
    response = client.post(url, {"email": "", "role": "nonsense", "name": "", "trainees": ["0"]}, follow=True)
    assert response.status_code < 500, f"POST {url} answered {response.status_code}"
    assert MARKER not in body_of(response), f"POST {url} shows private text to the course admin"


def test_a_real_roster_preview_shows_no_private_text(world, client_for, cohort):
    client = client_for(world["people"]["course_admin"])
    data = b"email,first name,last name,role,tutor email\r\nalice@example.test,,,tutor,\r\nnew@example.org,,,,\r\n"
    upload = SimpleUploadedFile("roster.csv", data, content_type="text/csv")
    response = client.post(reverse("reflect:manage-roster-import", args=[cohort.pk]), {"file": upload}, follow=True)
    text = body_of(response)
    assert response.status_code == 200 and "new@example.org" in text
    assert MARKER not in text


def test_course_admin_pages_outside_manage_show_no_private_text(world, client_for, cohort):
    client = client_for(world["people"]["course_admin"])
    for url in ["/", f"/cohorts/{cohort.pk}/"]:
        response = client.get(url)
        assert response.status_code == 200 and MARKER not in body_of(response), url


# --- 2. Outsiders and anonymous visitors ---------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("name", OBJECT_PATTERNS)
def test_outsiders_get_404_for_every_manage_url_with_ids(world, client_for, name, role):
    url, admin_response = resolve(world, name)
    client = client_for(world["people"][role])
    expected_get = 405 if admin_response.status_code == 405 else 404
    response = client.get(url)
    assert response.status_code == expected_get, f"{role} GET {url}: {response.status_code}"
    before = database_state()
    response = client.post(url, {})
    assert response.status_code in (404, 405), f"{role} POST {url}: {response.status_code}"
    assert database_state() == before, f"{role} POST {url} changed something"
    assert MARKER not in body_of(response)


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("name", PLAIN_PATTERNS)
def test_outsiders_see_nothing_of_this_programme_on_pages_without_ids(world, client_for, name, role):
    url, _ = resolve(world, name)
    response = client_for(world["people"][role]).get(url)
    text = body_of(response)
    assert response.status_code < 500, f"{role} GET {url}: {response.status_code}"
    for private in (MARKER, "alice@example.test", "Bob Trainee"):
        assert private not in text, f"{role} saw {private!r} on {url}"


@pytest.mark.parametrize("name", [n for n in MANAGE_PATTERNS if not is_public(PATTERNS[n][1])])
def test_anonymous_visitors_are_sent_to_sign_in(world, name):
    url, _ = resolve(world, name)
    before = database_state()
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, f"anonymous {method.upper()} {url}: {response.status_code}"
        assert response["Location"].startswith(LOGIN_PREFIX)
    assert database_state() == before
