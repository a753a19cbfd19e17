"""Rubric services: building, reordering and removing; locking and versioning;
JSON export and import; the seeded rubrics."""

import datetime
import json

import pytest
from django.utils import timezone

from reflect.assessment import rubrics, services
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Assessment, Checkpoint, Criterion, Level, Rubric, Score, Submission
from reflect.assessment.rubric_content import RELATIONAL_RUBRIC, SESSION_SKILLS_RUBRIC
from reflect.cohorts.models import Programme

pytestmark = pytest.mark.django_db


def rubric_data(*, criteria: int = 3, levels: int = 4, title: str = "Test rubric") -> dict:
    return {
        "format": "reflect-rubric",
        "version": 1,
        "title": title,
        "description": "For testing.",
        "criteria": [
            {
                "title": f"Criterion {n}",
                "description": f"What criterion {n} covers.",
                "levels": [
                    {"label": f"Level {m}", "points": m, "descriptor": f"Criterion {n} at level {m}."}
                    for m in range(levels)
                ],
            }
            for n in range(1, criteria + 1)
        ],
    }


def make_rubric(programme, **kwargs) -> Rubric:
    return rubrics.rubric_import(programme=programme, data=rubric_data(**kwargs))


def assess(rubric: Rubric, *, cohort, trainee, tutor, make_entry) -> Assessment:
    """A submitted portfolio for a checkpoint using `rubric`, with assessment started."""
    checkpoint = Checkpoint.objects.create(
        cohort=cohort, rubric=rubric, title="First portfolio", due_at=timezone.now() + datetime.timedelta(days=7)
    )
    submission = Submission.objects.create(checkpoint=checkpoint, trainee=trainee, summary="What I learned.")
    submission.entries.set([make_entry(trainee, cohort)])
    services.submission_submit(submission=submission)
    return services.assessment_start(submission=submission, assessor=tutor)


def titles(rubric: Rubric) -> list[str]:
    return list(rubric.criteria.values_list("title", flat=True))


def labels(criterion: Criterion) -> list[str]:
    return list(criterion.levels.values_list("label", flat=True))


# --- Building ---------------------------------------------------------------


def test_builder_adds_criteria_and_levels_in_order(programme, course_admin):
    rubric = rubrics.rubric_create(programme=programme, title="  Placement skills ", by=course_admin)
    first = rubrics.criterion_add(rubric=rubric, title="Listening")
    second = rubrics.criterion_add(rubric=rubric, title="Boundaries", description="Time and role.")
    for points, label in enumerate(["Emerging", "Competent", "Strong"]):
        rubrics.level_add(criterion=first, label=label, points=points, descriptor=f"{label} listening.")

    assert rubric.title == "Placement skills"
    assert rubric.version == 1 and rubric.created_by == course_admin
    assert titles(rubric) == ["Listening", "Boundaries"]
    assert [c.position for c in rubric.criteria.all()] == [0, 1]
    assert labels(first) == ["Emerging", "Competent", "Strong"]
    assert list(first.levels.values_list("points", flat=True)) == [0, 1, 2]
    assert second.levels.count() == 0


def test_editing_criteria_and_levels_changes_their_text(programme):
    rubric = make_rubric(programme, criteria=1, levels=2)
    criterion = rubric.criteria.get()
    level = criterion.levels.first()

    rubrics.rubric_update(rubric=rubric, title="Renamed", description="New words.")
    rubrics.criterion_update(criterion=criterion, title="Attunement", description="Feeling with.")
    rubrics.level_update(level=level, label="Not yet", points=5, descriptor="Not seen yet.")

    rubric.refresh_from_db()
    criterion.refresh_from_db()
    level.refresh_from_db()
    assert (rubric.title, rubric.description) == ("Renamed", "New words.")
    assert (criterion.title, criterion.description) == ("Attunement", "Feeling with.")
    assert (level.label, level.points, level.descriptor) == ("Not yet", 5, "Not seen yet.")


def test_moving_a_criterion_swaps_it_with_its_neighbour(programme):
    rubric = make_rubric(programme, criteria=3)
    first, second, third = rubric.criteria.all()

    assert rubrics.criterion_move(criterion=third, offset=-1) is True
    assert titles(rubric) == ["Criterion 1", "Criterion 3", "Criterion 2"]
    assert rubrics.criterion_move(criterion=first, offset=1) is True
    assert titles(rubric) == ["Criterion 3", "Criterion 1", "Criterion 2"]
    assert [c.position for c in rubric.criteria.all()] == [0, 1, 2]


def test_moving_past_either_end_changes_nothing(programme):
    rubric = make_rubric(programme, criteria=2, levels=2)
    first, last = rubric.criteria.all()

    assert rubrics.criterion_move(criterion=first, offset=-1) is False
    assert rubrics.criterion_move(criterion=last, offset=1) is False
    assert rubrics.level_move(level=first.levels.last(), offset=1) is False
    assert titles(rubric) == ["Criterion 1", "Criterion 2"]
    assert labels(first) == ["Level 0", "Level 1"]


def test_moving_a_level_reorders_only_its_criterion(programme):
    rubric = make_rubric(programme, criteria=2, levels=3)
    first, second = rubric.criteria.all()

    rubrics.level_move(level=first.levels.first(), offset=1)

    assert labels(first) == ["Level 1", "Level 0", "Level 2"]
    assert labels(second) == ["Level 0", "Level 1", "Level 2"]


def test_removing_a_criterion_removes_its_levels_and_closes_the_gap(programme):
    rubric = make_rubric(programme, criteria=3, levels=4)
    middle = rubric.criteria.all()[1]

    rubrics.criterion_remove(criterion=middle)

    assert titles(rubric) == ["Criterion 1", "Criterion 3"]
    assert [c.position for c in rubric.criteria.all()] == [0, 1]
    assert not Level.objects.filter(criterion_id=middle.pk).exists()
    assert Level.objects.filter(criterion__rubric=rubric).count() == 8


def test_removing_a_level(programme):
    rubric = make_rubric(programme, criteria=1, levels=3)
    criterion = rubric.criteria.get()

    rubrics.level_remove(level=criterion.levels.first())

    assert labels(criterion) == ["Level 1", "Level 2"]
    assert list(criterion.levels.values_list("position", flat=True)) == [0, 1]


def test_builder_refuses_more_than_the_limits(programme):
    rubric = make_rubric(programme, criteria=rubrics.MAX_CRITERIA, levels=rubrics.MAX_LEVELS)

    with pytest.raises(AssessmentError, match="at most 40 criteria"):
        rubrics.criterion_add(rubric=rubric, title="One too many")
    with pytest.raises(AssessmentError, match="at most 10 levels"):
        rubrics.level_add(criterion=rubric.criteria.first(), label="One too many", points=11)
    assert rubric.criteria.count() == 40
    assert rubric.criteria.first().levels.count() == 10


@pytest.mark.parametrize("points", [1.5, "2", True, -1, 1001])
def test_builder_refuses_points_that_are_not_whole_numbers_in_range(programme, points):
    rubric = make_rubric(programme, criteria=1, levels=1)

    with pytest.raises(AssessmentError, match="whole number"):
        rubrics.level_add(criterion=rubric.criteria.get(), label="Odd", points=points)
    assert Level.objects.filter(criterion__rubric=rubric).count() == 1


def test_builder_refuses_blank_titles(programme):
    with pytest.raises(AssessmentError, match="title"):
        rubrics.rubric_create(programme=programme, title="   ")
    assert not Rubric.objects.exists()


# --- Locking and versioning --------------------------------------------------


def test_starting_an_assessment_locks_the_rubric_version(programme, cohort, trainee, tutor, make_entry):
    rubric = make_rubric(programme)
    assert not rubrics.rubric_is_locked(rubric)

    assessment = assess(rubric, cohort=cohort, trainee=trainee, tutor=tutor, make_entry=make_entry)

    rubric.refresh_from_db()
    assert assessment.rubric == rubric
    assert rubric.locked_at is not None
    assert rubrics.rubric_is_locked(rubric)


def test_a_rubric_used_by_an_assessment_counts_as_locked_even_without_a_lock_stamp(
    programme, cohort, trainee, tutor, make_entry
):
    rubric = make_rubric(programme)
    assess(rubric, cohort=cohort, trainee=trainee, tutor=tutor, make_entry=make_entry)
    Rubric.objects.filter(pk=rubric.pk).update(locked_at=None)
    rubric.refresh_from_db()

    assert rubrics.rubric_is_locked(rubric)
    with pytest.raises(AssessmentError, match="locked"):
        rubrics.criterion_add(rubric=rubric, title="Sneaked in")
    assert rubric.criteria.count() == 3


LOCKED_EDITS = {
    "rubric_update": lambda r, c, lv: rubrics.rubric_update(rubric=r, title="Changed", description="Changed"),
    "criterion_add": lambda r, c, lv: rubrics.criterion_add(rubric=r, title="New"),
    "criterion_update": lambda r, c, lv: rubrics.criterion_update(criterion=c, title="Changed", description=""),
    "criterion_remove": lambda r, c, lv: rubrics.criterion_remove(criterion=c),
    "criterion_move": lambda r, c, lv: rubrics.criterion_move(criterion=c, offset=1),
    "level_add": lambda r, c, lv: rubrics.level_add(criterion=c, label="New", points=9),
    "level_update": lambda r, c, lv: rubrics.level_update(level=lv, label="Changed", points=9, descriptor=""),
    "level_remove": lambda r, c, lv: rubrics.level_remove(level=lv),
    "level_move": lambda r, c, lv: rubrics.level_move(level=lv, offset=1),
}


@pytest.mark.parametrize("edit", LOCKED_EDITS)
def test_every_edit_of_a_locked_rubric_is_refused_and_changes_nothing(
    programme, cohort, trainee, tutor, make_entry, edit
):
    rubric = make_rubric(programme)
    assess(rubric, cohort=cohort, trainee=trainee, tutor=tutor, make_entry=make_entry)
    rubric.refresh_from_db()
    before = rubrics.rubric_export(rubric=rubric)
    criterion = rubric.criteria.first()

    with pytest.raises(AssessmentError, match="Create a new version"):
        LOCKED_EDITS[edit](rubric, criterion, criterion.levels.first())

    assert rubrics.rubric_export(rubric=rubric) == before


def test_new_version_copies_everything_into_the_next_version_of_the_lineage(programme, course_admin):
    rubric = rubrics.rubric_import(programme=programme, data=RELATIONAL_RUBRIC)
    services.rubric_lock(rubric=rubric)

    copy = rubrics.rubric_new_version(rubric=rubric, by=course_admin)

    assert copy.pk != rubric.pk
    assert (copy.lineage, copy.version, copy.programme_id) == (rubric.lineage, 2, programme.pk)
    assert copy.locked_at is None and copy.created_by == course_admin
    assert rubrics.rubric_export(rubric=copy) == rubrics.rubric_export(rubric=rubric)
    assert not set(copy.criteria.values_list("pk", flat=True)) & set(rubric.criteria.values_list("pk", flat=True))
    assert list(Rubric.objects.filter(lineage=rubric.lineage).latest_versions()) == [copy]


def test_new_version_leaves_existing_assessments_on_the_exact_old_version(
    programme, cohort, trainee, tutor, make_entry
):
    rubric = make_rubric(programme, criteria=2, levels=3)
    assessment = assess(rubric, cohort=cohort, trainee=trainee, tutor=tutor, make_entry=make_entry)
    criteria = list(rubric.criteria.all())
    services.assessment_save(
        assessment=assessment,
        by=tutor,
        levels={c.pk: c.levels.last().pk for c in criteria},
        comments={criteria[0].pk: "Clear growth here."},
        overall_feedback="A thoughtful portfolio.",
        outcome="pass",
        complete=True,
    )
    old = rubrics.rubric_export(rubric=rubric)

    copy = rubrics.rubric_new_version(rubric=rubric)
    new_first = copy.criteria.first()
    rubrics.criterion_update(criterion=new_first, title="Reworded", description="")
    rubrics.level_update(level=new_first.levels.last(), label="Top", points=10, descriptor="Changed.")
    rubrics.criterion_remove(criterion=copy.criteria.last())

    assessment.refresh_from_db()
    rubric.refresh_from_db()
    assert assessment.rubric_id == rubric.pk
    assert assessment.submission.checkpoint.rubric_id == rubric.pk
    assert rubrics.rubric_export(rubric=rubric) == old
    assert services.total_points(assessment) == 4
    assert {s.criterion_id for s in Score.objects.filter(assessment=assessment)} == {c.pk for c in criteria}
    assert titles(copy) == ["Reworded"]


def test_new_version_is_made_only_from_the_latest_version(programme):
    rubric = make_rubric(programme)
    rubrics.rubric_new_version(rubric=rubric)

    with pytest.raises(AssessmentError, match="newer version"):
        rubrics.rubric_new_version(rubric=rubric)
    assert Rubric.objects.filter(lineage=rubric.lineage).count() == 2


# --- Export and import --------------------------------------------------------


def test_export_is_the_documented_format(programme):
    rubric = make_rubric(programme, criteria=1, levels=2)

    data = json.loads(rubrics.rubric_export_json(rubric=rubric))

    assert data == {
        "format": "reflect-rubric",
        "version": 1,
        "title": "Test rubric",
        "description": "For testing.",
        "criteria": [
            {
                "title": "Criterion 1",
                "description": "What criterion 1 covers.",
                "levels": [
                    {"label": "Level 0", "points": 0, "descriptor": "Criterion 1 at level 0."},
                    {"label": "Level 1", "points": 1, "descriptor": "Criterion 1 at level 1."},
                ],
            }
        ],
    }


@pytest.mark.parametrize("content", [RELATIONAL_RUBRIC, SESSION_SKILLS_RUBRIC], ids=["relational", "session"])
def test_export_then_import_round_trips_exactly(programme, content):
    original = rubrics.rubric_import(programme=programme, data=content)
    # Reorder after import, so the round trip has to carry positions, not ids.
    rubrics.criterion_move(criterion=original.criteria.first(), offset=1)
    exported = rubrics.rubric_export_json(rubric=original)

    other = Programme.objects.create(name="Another course")
    imported = rubrics.rubric_import(programme=other, data=exported)

    assert rubrics.rubric_export_json(rubric=imported) == exported
    assert imported.lineage != original.lineage and imported.version == 1
    assert titles(imported) == titles(original)


def test_import_accepts_bytes_with_a_byte_order_mark_and_whole_floats(programme):
    data = rubric_data(criteria=1, levels=1)
    data["criteria"][0]["levels"][0]["points"] = 2.0

    rubric = rubrics.rubric_import(programme=programme, data=b"\xef\xbb\xbf" + json.dumps(data).encode())

    assert rubric.criteria.get().levels.get().points == 2


def _with(path: str, value) -> str:
    """rubric_data() as JSON, with one value (at a dotted path) replaced; `...` deletes it."""
    data = rubric_data()
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    key = int(last) if last.isdigit() else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return json.dumps(data)


IMPORT_ERRORS = {
    "bad_json": ('{"format": "reflect-rubric", "title": "Oops",', "This isn't valid JSON"),
    "not_an_object": ("[1, 2, 3]", "should be an object"),
    "empty": ("   ", "nothing to import"),
    "wrong_format": (_with("format", "something-else"), "isn't a Reflect rubric"),
    "future_version": (_with("version", 2), "format version 2"),
    "missing_title": (_with("title", ...), "The rubric has no “title”."),
    "empty_title": (_with("title", "  "), "The rubric has an empty “title”."),
    "title_not_text": (_with("title", 42), "“title” should be text"),
    "title_too_long": (_with("title", "x" * 201), "the limit is 200"),
    "no_criteria": (_with("criteria", []), "The rubric has no criteria."),
    "criteria_not_list": (_with("criteria", "all of them"), "“criteria” should be a list."),
    "criterion_not_object": (_with("criteria.1", "Boundaries"), "Criterion 2 should be an object"),
    "criterion_without_levels": (_with("criteria.2.levels", []), "Criterion 3 has no levels."),
    "criterion_missing_levels": (_with("criteria.2.levels", ...), "Criterion 3 has no levels."),
    "criterion_missing_title": (_with("criteria.0.title", ...), "Criterion 1 has no “title”."),
    "fractional_points": (_with("criteria.1.levels.2.points", 1.5), "Criterion 2, level 3: level points must be whole"),
    "text_points": (_with("criteria.0.levels.0.points", "two"), "level points must be whole numbers"),
    "negative_points": (_with("criteria.0.levels.0.points", -3), "from 0 to 1000"),
    "missing_points": (_with("criteria.0.levels.1.points", ...), "Criterion 1, level 2 has no “points”."),
    "label_not_text": (_with("criteria.0.levels.0.label", ["a"]), "“label” should be text"),
    "descriptor_too_long": (_with("criteria.0.levels.0.descriptor", "y" * 5001), "the limit is 5000"),
    "too_many_criteria": (json.dumps(rubric_data(criteria=41, levels=1)), "41 criteria; a rubric can have at most 40"),
    "too_many_levels": (json.dumps(rubric_data(criteria=1, levels=11)), "11 levels; a criterion can have at most 10"),
    "too_deep": ("[" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("case", IMPORT_ERRORS)
def test_import_explains_what_is_wrong_and_creates_nothing(programme, case):
    text, message = IMPORT_ERRORS[case]

    with pytest.raises(rubrics.RubricFormatError) as caught:
        rubrics.rubric_import(programme=programme, data=text)

    assert any(message in error for error in caught.value.errors), caught.value.errors
    assert not Rubric.objects.exists() and not Criterion.objects.exists()


def test_import_reports_every_problem_at_once(programme):
    data = rubric_data()
    data["title"] = ""
    data["criteria"][0]["levels"] = []
    data["criteria"][2]["levels"][1]["points"] = 0.5

    with pytest.raises(rubrics.RubricFormatError) as caught:
        rubrics.rubric_import(programme=programme, data=data)

    assert caught.value.errors == [
        "The rubric has an empty “title”.",
        "Criterion 1 has no levels.",
        "Criterion 3, level 2: level points must be whole numbers (found 0.5).",
    ]


def test_import_refuses_files_over_one_megabyte_and_non_utf8(programme):
    with pytest.raises(rubrics.RubricFormatError, match="larger than 1 MB"):
        rubrics.rubric_parse(b" " * (rubrics.MAX_IMPORT_BYTES + 1))
    with pytest.raises(rubrics.RubricFormatError, match="isn't UTF-8"):
        rubrics.rubric_parse('{"title": "caf\u00e9"}'.encode("latin-1"))


# --- Seeded rubrics ---------------------------------------------------------------


def test_seeded_rubrics_have_the_right_shape(programme):
    relational, session = rubrics.rubrics_seed(programme=programme)

    assert relational.title == "Relational, neuroscience-informed practice"
    assert relational.criteria.count() == 10
    for criterion in relational.criteria.prefetch_related("levels"):
        assert criterion.description
        assert [(lv.label, lv.points) for lv in criterion.levels.all()] == [
            ("Not yet evident", 0),
            ("Emerging", 1),
            ("Competent", 2),
            ("Strong", 3),
        ]
    assert titles(relational)[:2] == ["Therapeutic relationship and alliance", "Attunement and empathy"]
    assert "Ethics and confidentiality" in titles(relational)

    assert session.title == "Session skills (0–6)"
    assert titles(session)[0] == "Agenda setting and adherence"
    assert titles(session)[-1] == "Homework setting"
    assert session.criteria.count() == 12
    for criterion in session.criteria.prefetch_related("levels"):
        assert [lv.points for lv in criterion.levels.all()] == [0, 1, 2, 3, 4, 5, 6]
    assert relational.max_points == 30 and session.max_points == 72


def test_seeded_descriptors_are_specific_to_each_criterion(programme):
    for rubric in rubrics.rubrics_seed(programme=programme):
        descriptors = list(Level.objects.filter(criterion__rubric=rubric).values_list("descriptor", flat=True))
        assert all(len(d) > 20 for d in descriptors)
        assert len(set(descriptors)) == len(descriptors), f"{rubric.title} repeats a descriptor"


def test_seeding_is_idempotent_per_programme(programme, course_admin):
    first = rubrics.rubrics_seed(programme=programme, by=course_admin)
    again = rubrics.rubrics_seed(programme=programme, by=course_admin)
    elsewhere = rubrics.rubrics_seed(programme=Programme.objects.create(name="Another course"))

    assert [r.pk for r in again] == [r.pk for r in first]
    assert Rubric.objects.filter(programme=programme).count() == 2
    assert first[0].created_by == course_admin
    assert {r.pk for r in elsewhere}.isdisjoint(r.pk for r in first)


def test_seeding_skips_a_title_the_programme_already_has_and_returns_its_latest_version(programme):
    relational, _ = rubrics.rubrics_seed(programme=programme)
    newer = rubrics.rubric_new_version(rubric=relational)

    result = rubrics.rubrics_seed(programme=programme)

    assert result[0] == newer
    assert Rubric.objects.filter(programme=programme).count() == 3
