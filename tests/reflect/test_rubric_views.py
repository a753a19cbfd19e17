"""The rubric builder pages: who may see and change what, building with and
without htmx, locking, versions, export and import, and query counts."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from reflect.assessment import rubrics
from reflect.assessment.models import Criterion, Rubric
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from tests.reflect.test_rubrics import assess, make_rubric, rubric_data

pytestmark = pytest.mark.django_db

LOGIN_PREFIX = "/accounts/login/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def outsider(user_factory):
    """Course admin of a different programme, with a rubric of their own."""
    other = Programme.objects.create(name="Other Diploma")
    cohort = Cohort.objects.create(
        programme=other, name="Elsewhere", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2027, 7, 1)
    )
    user = user_factory("olive@example.test", "Olive Outsider")
    Membership.objects.create(user=user, cohort=cohort, role=Role.COURSE_ADMIN)
    make_rubric(other, title="Their own rubric qzTHEIRS")
    return user


@pytest.fixture
def rubric(programme):
    return make_rubric(programme, criteria=3, levels=3, title="Our rubric qzOURS")


def snapshot(rubric: Rubric) -> tuple:
    rubric.refresh_from_db()
    return rubrics.rubric_export(rubric=rubric), rubric.locked_at, Rubric.objects.count(), Criterion.objects.count()


def get_urls(rubric: Rubric) -> dict[str, str]:
    criterion = rubric.criteria.first()
    level = criterion.levels.first()
    return {
        "list": reverse("reflect:rubric-list"),
        "create": reverse("reflect:rubric-create"),
        "import": reverse("reflect:rubric-import"),
        "detail": reverse("reflect:rubric-detail", args=[rubric.pk]),
        "export": reverse("reflect:rubric-export", args=[rubric.pk]),
        "edit": reverse("reflect:rubric-edit", args=[rubric.pk]),
        "criterion-remove": reverse("reflect:rubric-criterion-remove", args=[rubric.pk, criterion.pk]),
        "level-remove": reverse("reflect:rubric-level-remove", args=[rubric.pk, level.pk]),
    }


def post_requests(rubric: Rubric) -> dict[str, tuple[str, dict]]:
    """Every editing POST, with valid data, so only the access rule or the lock can stop it."""
    c = rubric.criteria.first()
    lv = c.levels.first()
    level = {"label": "Changed", "points": "7", "descriptor": "Changed."}
    return {
        "edit": (reverse("reflect:rubric-edit", args=[rubric.pk]), {"title": "Changed", "description": "x"}),
        "new-version": (reverse("reflect:rubric-new-version", args=[rubric.pk]), {}),
        "criterion-add": (reverse("reflect:rubric-criterion-add", args=[rubric.pk]), {"title": "New"}),
        "criterion-edit": (reverse("reflect:rubric-criterion-edit", args=[rubric.pk, c.pk]), {"title": "Changed"}),
        "criterion-move": (reverse("reflect:rubric-criterion-move", args=[rubric.pk, c.pk]), {"direction": "down"}),
        "criterion-remove": (reverse("reflect:rubric-criterion-remove", args=[rubric.pk, c.pk]), {}),
        "level-add": (reverse("reflect:rubric-level-add", args=[rubric.pk, c.pk]), level),
        "level-edit": (reverse("reflect:rubric-level-edit", args=[rubric.pk, lv.pk]), level),
        "level-move": (reverse("reflect:rubric-level-move", args=[rubric.pk, lv.pk]), {"direction": "down"}),
        "level-remove": (reverse("reflect:rubric-level-remove", args=[rubric.pk, lv.pk]), {}),
    }


# --- Access matrix -------------------------------------------------------------------

VIEWERS = ("tutor", "trainee", "other_tutor")  # other_tutor tutors another cohort of the same programme
READ_PAGES = ("list", "detail", "export")


PAGES = ["list", "create", "import", "detail", "export", "edit", "criterion-remove", "level-remove"]
EDIT_ACTIONS = [
    "edit",
    "criterion-add",
    "criterion-edit",
    "criterion-move",
    "criterion-remove",
    "level-add",
    "level-edit",
    "level-move",
    "level-remove",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["course_admin", *VIEWERS, "outsider", "anonymous"])
def test_rubric_pages_answer_each_role_as_the_access_rules_say(request, rubric, client_for, page, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    url = get_urls(rubric)[page]

    response = client_for(user).get(url)

    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_PREFIX)
    elif role == "course_admin" or (role in VIEWERS and page in READ_PAGES):
        assert response.status_code == 200
    elif role == "outsider" and page in ("list", "create", "import"):
        # They run another programme: their own list and forms, without our rubric in them.
        assert response.status_code == 200
        assert b"qzOURS" not in response.content
    else:
        assert response.status_code == 404
        assert b"qzOURS" not in response.content


@pytest.mark.parametrize("action", ["new-version", *EDIT_ACTIONS])
@pytest.mark.parametrize("role", [*VIEWERS, "outsider", "anonymous"])
def test_only_course_admins_of_the_programme_can_post_edits(request, rubric, client_for, action, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    url, data = post_requests(rubric)[action]
    before = snapshot(rubric)

    response = client_for(user).post(url, data)

    assert response.status_code == (302 if role == "anonymous" else 404)
    assert snapshot(rubric) == before


def test_someone_in_no_cohort_gets_404_for_the_rubric_list(user_factory, client_for, rubric):
    loner = user_factory("lone@example.test", "Lone User")

    assert client_for(loner).get("/rubrics/").status_code == 404


def test_tutor_sees_the_grid_read_only(tutor, rubric, client_for):
    response = client_for(tutor).get(reverse("reflect:rubric-detail", args=[rubric.pk]))

    content = response.content.decode()
    assert "Criterion 2 at level 1." in content
    assert reverse("reflect:rubric-export", args=[rubric.pk]) in content
    assert reverse("reflect:rubric-edit", args=[rubric.pk]) not in content


def test_rubric_list_shows_the_latest_version_of_each_rubric_of_my_programmes(trainee, rubric, outsider, client_for):
    newer = rubrics.rubric_new_version(rubric=rubric)
    rubrics.rubric_update(rubric=newer, title="Our rubric qzOURS revised", description="")

    content = client_for(trainee).get("/rubrics/").content.decode()

    assert reverse("reflect:rubric-detail", args=[newer.pk]) in content
    assert reverse("reflect:rubric-detail", args=[rubric.pk]) not in content
    assert "qzTHEIRS" not in content
    assert "New rubric" not in content


# --- Creating and editing --------------------------------------------------------------


def test_course_admin_creates_a_rubric_in_a_programme_they_run(course_admin, programme, client_for):
    response = client_for(course_admin).post(
        "/rubrics/new/", {"programme": programme.pk, "title": "Placement skills", "description": ""}
    )

    rubric = Rubric.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reflect:rubric-edit", args=[rubric.pk])
    assert (rubric.programme, rubric.title, rubric.created_by) == (programme, "Placement skills", course_admin)


def test_course_admin_cannot_create_a_rubric_in_someone_elses_programme(course_admin, outsider, client_for):
    theirs = Programme.objects.get(name="Other Diploma")

    response = client_for(course_admin).post("/rubrics/new/", {"programme": theirs.pk, "title": "Sneaky"})

    assert response.status_code == 400
    assert "Please choose one of the programmes you run." in response.content.decode()
    assert not Rubric.objects.filter(title="Sneaky").exists()


def test_building_with_plain_posts(course_admin, programme, client_for):
    client = client_for(course_admin)
    rubric = rubrics.rubric_create(programme=programme, title="Plain")
    edit_url = reverse("reflect:rubric-edit", args=[rubric.pk])

    response = client.post(reverse("reflect:rubric-criterion-add", args=[rubric.pk]), {"title": "Presence"})
    criterion = rubric.criteria.get()
    assert response.status_code == 302 and response["Location"] == f"{edit_url}#criterion-{criterion.pk}"
    for points, label in enumerate(["Emerging", "Strong"]):
        client.post(
            reverse("reflect:rubric-level-add", args=[rubric.pk, criterion.pk]),
            {"label": label, "points": points, "descriptor": f"{label} presence."},
        )
    strong = criterion.levels.get(label="Strong")
    client.post(reverse("reflect:rubric-level-move", args=[rubric.pk, strong.pk]), {"direction": "up"})

    assert list(criterion.levels.values_list("label", flat=True)) == ["Strong", "Emerging"]
    page = client.get(edit_url).content.decode()
    assert "Presence" in page and "Strong presence." in page and "Add a criterion" in page


def test_building_with_htmx_returns_just_the_criteria_section(course_admin, rubric, client_for):
    response = client_for(course_admin).post(
        reverse("reflect:rubric-criterion-add", args=[rubric.pk]), {"title": "Cultural attunement qzNEW"}, **HTMX
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "Cultural attunement qzNEW" in content
    assert 'hx-swap-oob="true"' in content and "added" in content
    assert rubric.criteria.last().title == "Cultural attunement qzNEW"


def test_moving_a_criterion_with_htmx_reorders_and_keeps_focus_on_the_button(course_admin, rubric, client_for):
    first = rubric.criteria.first()

    response = client_for(course_admin).post(
        reverse("reflect:rubric-criterion-move", args=[rubric.pk, first.pk]), {"direction": "down"}, **HTMX
    )

    assert list(rubric.criteria.values_list("title", flat=True)) == ["Criterion 2", "Criterion 1", "Criterion 3"]
    assert "autofocus" in response.content.decode()


def test_level_points_must_be_whole_numbers(course_admin, rubric, client_for):
    criterion = rubric.criteria.first()
    url = reverse("reflect:rubric-level-add", args=[rubric.pk, criterion.pk])
    data = {"label": "Halfway qzHALF", "points": "1.5", "descriptor": ""}

    plain = client_for(course_admin).post(url, data)
    htmx = client_for(course_admin).post(url, data, **HTMX)

    assert plain.status_code == 400
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()
    for response in (plain, htmx):
        content = response.content.decode()
        assert "Points must be a whole number." in content
        assert 'value="Halfway qzHALF"' in content
    assert criterion.levels.count() == 3


def test_editing_a_level(course_admin, rubric, client_for):
    level = rubric.criteria.first().levels.first()

    client_for(course_admin).post(
        reverse("reflect:rubric-level-edit", args=[rubric.pk, level.pk]),
        {"label": "Not yet evident", "points": "0", "descriptor": "No sign yet."},
    )

    level.refresh_from_db()
    assert (level.label, level.points, level.descriptor) == ("Not yet evident", 0, "No sign yet.")


def test_removing_asks_for_confirmation_first(course_admin, rubric, client_for):
    client = client_for(course_admin)
    criterion = rubric.criteria.first()
    url = reverse("reflect:rubric-criterion-remove", args=[rubric.pk, criterion.pk])

    confirm = client.get(url)
    assert "Remove the criterion “Criterion 1”?" in confirm.content.decode()
    assert "Its 3 levels will be removed with it." in confirm.content.decode()
    assert rubric.criteria.count() == 3

    client.post(url)
    assert list(rubric.criteria.values_list("title", flat=True)) == ["Criterion 2", "Criterion 3"]


def test_a_level_of_another_rubric_is_not_found(course_admin, rubric, programme, client_for):
    other = make_rubric(programme, title="Second")
    foreign_level = other.criteria.first().levels.first()

    response = client_for(course_admin).post(
        reverse("reflect:rubric-level-edit", args=[rubric.pk, foreign_level.pk]),
        {"label": "Hijacked", "points": "1"},
    )

    assert response.status_code == 404
    foreign_level.refresh_from_db()
    assert foreign_level.label == "Level 0"


# --- Locking and versions ---------------------------------------------------------------


@pytest.fixture
def locked(rubric, cohort, trainee, tutor, make_entry):
    assess(rubric, cohort=cohort, trainee=trainee, tutor=tutor, make_entry=make_entry)
    rubric.refresh_from_db()
    return rubric


@pytest.mark.parametrize("action", EDIT_ACTIONS)
def test_posting_edits_to_a_locked_rubric_changes_nothing(course_admin, locked, client_for, action):
    client = client_for(course_admin)
    url, data = post_requests(locked)[action]
    before = snapshot(locked)

    response = client.post(url, data, follow=True)
    htmx = client.post(url, data, **HTMX)

    assert snapshot(locked) == before
    assert response.redirect_chain[-1][0] == reverse("reflect:rubric-edit", args=[locked.pk])
    assert "This rubric version is locked" in response.content.decode()
    assert htmx["HX-Redirect"] == reverse("reflect:rubric-edit", args=[locked.pk])


def test_edit_page_of_a_locked_rubric_offers_a_new_version(course_admin, locked, client_for):
    content = client_for(course_admin).get(reverse("reflect:rubric-edit", args=[locked.pk])).content.decode()

    assert "This version is locked" in content
    assert "Create a new version" in content
    assert reverse("reflect:rubric-new-version", args=[locked.pk]) in content
    assert reverse("reflect:rubric-criterion-add", args=[locked.pk]) not in content


def test_new_version_copies_the_rubric_and_editing_continues_there(course_admin, locked, client_for):
    client = client_for(course_admin)
    old = rubrics.rubric_export(rubric=locked)

    response = client.post(reverse("reflect:rubric-new-version", args=[locked.pk]))

    copy = Rubric.objects.get(lineage=locked.lineage, version=2)
    assert response["Location"] == reverse("reflect:rubric-edit", args=[copy.pk])
    client.post(reverse("reflect:rubric-criterion-add", args=[copy.pk]), {"title": "Added in version 2"})
    assert copy.criteria.count() == 4
    assert rubrics.rubric_export(rubric=locked) == old
    assert locked.assessments.get().rubric_id == locked.pk

    detail = client.get(reverse("reflect:rubric-detail", args=[locked.pk])).content.decode()
    assert "This is an earlier version" in detail
    assert reverse("reflect:rubric-detail", args=[copy.pk]) in detail

    again = client.post(reverse("reflect:rubric-new-version", args=[locked.pk]), follow=True)
    assert "already a newer version" in again.content.decode()
    assert Rubric.objects.filter(lineage=locked.lineage).count() == 2


# --- Export and import ---------------------------------------------------------------


def test_export_downloads_the_rubric_as_json(trainee, rubric, client_for):
    response = client_for(trainee).get(reverse("reflect:rubric-export", args=[rubric.pk]))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="our-rubric-qzours-v1.json"'
    assert json.loads(response.content) == rubrics.rubric_export(rubric=rubric)


def test_export_then_import_through_the_pages_round_trips(course_admin, programme, client_for):
    client = client_for(course_admin)
    original = rubrics.rubrics_seed(programme=programme)[1]
    exported = client.get(reverse("reflect:rubric-export", args=[original.pk])).content

    upload = SimpleUploadedFile("session.json", exported, content_type="application/json")
    response = client.post("/rubrics/import/", {"programme": programme.pk, "file": upload})

    imported = Rubric.objects.exclude(lineage=original.lineage).get(title=original.title)
    assert response["Location"] == reverse("reflect:rubric-detail", args=[imported.pk])
    assert client.get(reverse("reflect:rubric-export", args=[imported.pk])).content == exported


def test_pasted_json_is_imported(course_admin, programme, client_for):
    text = json.dumps(rubric_data(title="Pasted rubric"))

    response = client_for(course_admin).post("/rubrics/import/", {"programme": programme.pk, "text": text})

    assert response.status_code == 302
    assert Rubric.objects.get(title="Pasted rubric").criteria.count() == 3


def test_import_errors_are_specific_and_keep_the_pasted_text(course_admin, programme, client_for):
    data = rubric_data(title="Pasted qzKEEP")
    data["criteria"][2]["levels"] = []
    data["criteria"][0]["levels"][0]["points"] = 1.5
    text = json.dumps(data)

    response = client_for(course_admin).post("/rubrics/import/", {"programme": programme.pk, "text": text})

    content = response.content.decode()
    assert response.status_code == 400
    assert "Criterion 3 has no levels." in content
    assert "Criterion 1, level 1: level points must be whole numbers (found 1.5)." in content
    assert "Pasted qzKEEP" in content and "&quot;points&quot;: 1.5" in content
    assert not Rubric.objects.exists()


def test_a_broken_file_is_shown_in_the_box_to_be_fixed(course_admin, programme, client_for):
    upload = SimpleUploadedFile("broken.json", b'{"format": "reflect-rubric", "title": "qzBROKEN"')

    response = client_for(course_admin).post("/rubrics/import/", {"programme": programme.pk, "file": upload})

    content = response.content.decode()
    assert response.status_code == 400
    assert "This isn&#x27;t valid JSON" in content
    assert "qzBROKEN" in content and "correct it there" in content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Please choose a rubric file or paste its JSON."),
        ({"text": "{}", "file": True}, "not both"),
        ({"file": b"x" * (rubrics.MAX_IMPORT_BYTES + 1)}, "the limit is 1 MB"),
        ({"text": "[]"}, "should be an object"),
    ],
)
def test_import_form_refuses_bad_input_clearly(course_admin, programme, client_for, data, message):
    post = {"programme": programme.pk}
    if "text" in data:
        post["text"] = data["text"]
    if "file" in data:
        content = data["file"] if isinstance(data["file"], bytes) else json.dumps(rubric_data()).encode()
        post["file"] = SimpleUploadedFile("rubric.json", content)

    response = client_for(course_admin).post("/rubrics/import/", post)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Rubric.objects.exists()


# --- The grid partial and query counts ------------------------------------------------------


def test_grid_partial_highlights_selected_levels(programme):
    rubric = Rubric.objects.prefetch_related("criteria__levels").get(pk=make_rubric(programme, criteria=2).pk)
    first, second = rubric.criteria.all()
    chosen = first.levels.all()[2]

    html = render_to_string(
        "reflect/assessment/_rubric_grid.html", {"rubric": rubric, "selected": {first.pk: chosen.pk}}
    )

    assert html.count('data-selected="true"') == 1
    assert f'data-level-id="{chosen.pk}" data-selected="true"' in html
    assert "Chosen level:" in html
    assert "Criterion 2 at level 3." in html


DETAIL_QUERIES = 8  # session, user, rubric, criteria, levels, versions, can-edit check, unread notifications
EDIT_QUERIES = 9  # session, user, rubric, criteria, levels, assessments exist, latest version, notifications (+1 lock)


@pytest.mark.parametrize("size", [5, 15])
def test_rubric_detail_queries_do_not_grow_with_criteria(tutor, programme, client_for, django_assert_num_queries, size):
    rubric = make_rubric(programme, criteria=size, levels=7)
    client = client_for(tutor)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reverse("reflect:rubric-detail", args=[rubric.pk]))

    assert response.content.decode().count('data-level-id="') == size * 7


@pytest.mark.parametrize("size", [5, 15])
def test_rubric_edit_queries_do_not_grow_with_criteria(
    course_admin, programme, client_for, django_assert_num_queries, size
):
    rubric = make_rubric(programme, criteria=size, levels=7)
    client = client_for(course_admin)

    with django_assert_num_queries(EDIT_QUERIES - 1):
        response = client.get(reverse("reflect:rubric-edit", args=[rubric.pk]))

    assert response.content.decode().count("Save level") == size * 7


@pytest.mark.parametrize("size", [5, 15])
def test_rubric_list_queries_do_not_grow(course_admin, programme, client_for, django_assert_num_queries, size):
    for n in range(size):
        make_rubric(programme, criteria=2, levels=2, title=f"Rubric {n}")
    client = client_for(course_admin)

    with django_assert_num_queries(7):
        response = client.get("/rubrics/")

    assert response.content.decode().count("Export") == size
