"""Moderation and released feedback on a phone, and rubric grids that keep their text
inside their cells, in a real browser."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from reflect.assessment.models import Assessment, MarkingRole
from reflect.assessment.rubric_content import SESSION_LEVELS
from tests.e2e.conftest import sign_in
from tests.reflect.assessment_factories import add_tutor, allocate, full_levels, make_checkpoint, make_rubric, mark
from tests.reflect.assessment_factories import make_submission as submit

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def marker(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def open_as(new_context):
    """open_as(user, viewport) -> a page of that size, signed in as that user."""

    def make(user, viewport):
        page = new_context(viewport=viewport).new_page()
        sign_in(page, user.email)
        return page

    return make


def test_a_moderator_on_a_phone_takes_the_second_markers_comment_and_the_trainee_reads_it_near_the_top(
    open_as, programme, cohort, trainee, tutor, user_factory
):
    second_marker = add_tutor(user_factory, cohort, "frank@example.test", "Frank Tutor")
    moderator = add_tutor(user_factory, cohort, "gail@example.test", "Gail Moderator")
    checkpoint = make_checkpoint(cohort, make_rubric(programme, criteria=6, levels=4))
    submission = submit(checkpoint, trainee)
    c = list(checkpoint.rubric.criteria.values_list("pk", flat=True))
    two, one = full_levels(checkpoint.rubric, 2), full_levels(checkpoint.rubric, 1)
    first_c1, second_c1 = marker("First on the alliance"), marker("Second on the alliance")
    first_c2, second_c2 = marker("First on attunement"), marker("Second names the misattunement")
    mark(submission, tutor, levels=two, comments={c[0]: first_c1, c[1]: first_c2}, feedback=marker("First overall"))
    allocate(submission, by=tutor, second=second_marker, moderator=moderator)
    mark(
        submission,
        second_marker,
        levels={**two, c[1]: one[c[1]]},
        comments={c[0]: second_c1, c[1]: second_c2},
        feedback=marker("Second overall"),
    )
    merged, overall = marker("We agree you attune well"), marker("An honest portfolio")

    # --- the moderator, on a phone, opens moderation from the submission ------------
    page = open_as(moderator, PHONE)
    page.goto(f"/submissions/{submission.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Moderate").click()
    expect(page).to_have_url(re.compile(rf"/submissions/{submission.pk}/moderate/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    criterion2 = page.get_by_role("group", name="2. Criterion 2")
    expect(criterion2).to_contain_text(first_c2)
    expect(criterion2).to_contain_text(second_c2)
    comment2 = criterion2.get_by_label(re.compile("Agreed comment"))
    expect(comment2).to_have_value(re.compile(r"^\[First marker\]"))  # both, labelled, to merge

    criterion2.get_by_role("button", name="Use second marker's").click()
    expect(comment2).to_have_value(second_c2)
    expect(criterion2.get_by_role("radio", name=re.compile(r"^Emerging "))).to_be_checked()
    expect(criterion2.get_by_role("status")).to_contain_text("second marker's level and comment")
    page.get_by_role("group", name="1. Criterion 1").get_by_label(re.compile("Agreed comment")).fill(merged)
    page.get_by_label(re.compile("Agreed overall feedback")).fill(overall)
    expect(page.get_by_label("Pass", exact=True)).to_be_checked()  # both markers passed it
    with page.expect_navigation():
        page.get_by_role("button", name="Complete and release…").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Release feedback").click()
    expect(page.locator("main")).to_contain_text("Feedback released to")
    agreed = Assessment.objects.get(submission=submission, role=MarkingRole.AGREED)
    assert agreed.is_released and agreed.scores.get(criterion_id=c[1]).comment == second_c2

    # --- the trainee, on a phone, reads the outcome first and that comment near the top
    page = open_as(trainee, PHONE)
    page.goto(f"/submissions/{submission.pk}/feedback/")
    main = page.locator("main")
    expect(main.get_by_role("heading", name=re.compile("^Outcome"))).to_contain_text("Pass")
    assert main.get_by_role("heading", name=re.compile("^Outcome")).bounding_box()["y"] < PHONE["height"]
    expect(main.get_by_role("button", name="Acknowledge")).to_be_visible()
    summary = main.locator("summary", has_text="2. Criterion 2")
    expect(summary).to_contain_text("Emerging")
    comment = main.get_by_text(second_c2)
    expect(comment).to_be_hidden()  # folded until asked for
    summary.click()
    expect(comment).to_be_visible()
    assert comment.bounding_box()["y"] < 2.5 * PHONE["height"], "the comment is far down the page"
    for unagreed in (first_c2, first_c1, second_c1, "[First marker]", "[Second marker]"):
        expect(main).not_to_contain_text(unagreed)
    expect(main).to_contain_text(merged)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_seven_level_grid_keeps_its_text_inside_its_cells(
    open_as, programme, cohort, trainee, tutor, course_admin, viewport
):
    rubric = make_rubric(programme, criteria=2, levels=7)
    for level in rubric.criteria.first().levels.all():
        level.label = SESSION_LEVELS[level.position][0]  # "1 – Inappropriate", "3 – Advanced beginner"…
        level.save()
    submission = submit(make_checkpoint(cohort, rubric), trainee)
    marking = mark(submission, tutor, complete=False)

    # Cells whose text reaches past their content box (into the padding, or beyond the border).
    overflowing = """els => els.filter(el => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const box = el.getBoundingClientRect(), style = getComputedStyle(el);
        return range.getBoundingClientRect().right > box.right - parseFloat(style.paddingRight) + 0.5;
    }).map(el => el.textContent.trim().slice(0, 40))"""
    page = open_as(tutor, viewport)
    page.goto(f"/assessments/{marking.pk}/")
    assert page.locator(".marking-cell").count() == 14
    assert page.locator(".marking-cell").evaluate_all(overflowing) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page = open_as(course_admin, viewport)
    page.goto(f"/rubrics/{rubric.pk}/")
    grid = page.locator(".rubric-grid")
    assert grid.locator("td").evaluate_all(overflowing) == []
    # Nothing hides off to the side: the grid is no wider than its box (on a phone it stacks).
    assert grid.evaluate("el => el.scrollWidth <= el.parentElement.clientWidth")
