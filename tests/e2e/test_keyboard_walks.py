"""Keyboard-only walks (issue 11): the journal editor, the rubric marking grid and the
roster import, driven by Tab, Shift+Tab, arrows, Space and Enter; never a mouse click.
At a few stops the focused control must show where focus is (an outline or a ring)."""

import re

import pytest
from playwright.sync_api import expect

from config.celery import app
from reflect.assessment import services as assessment_services
from reflect.assessment.models import Assessment
from reflect.cohorts.models import Membership, Role
from reflect.journal.models import JournalEntry, Status
from reflect.manage.models import CohortInvitation
from tests.reflect.assessment_factories import make_checkpoint, make_rubric, make_submission

pytestmark = pytest.mark.e2e

MAX_TABS = 80


def focused_matches(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, backwards: bool = False) -> int:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`; return how many presses."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press(key)
        if focused_matches(page, selector):
            return presses
    where = page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 120)")
    raise AssertionError(f"{MAX_TABS} × {key} never reached {selector}; focus is on {where}")


FOCUS_SHOWN = """el => {
    const shown = e => {
        const s = getComputedStyle(e);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        return outline || (s.boxShadow && s.boxShadow !== 'none');
    };
    // A visually hidden radio (Bootstrap's .btn-check) can only show its focus on its label.
    if (el.classList.contains('btn-check')) return !!el.labels[0] && shown(el.labels[0]);
    return shown(el);
}"""


def assert_focus_visible(page) -> None:
    focused = page.locator(":focus")
    assert focused.evaluate(FOCUS_SHOWN), "the focused element shows no outline or focus ring: " + focused.evaluate(
        "el => el.outerHTML.slice(0, 120)"
    )


def start_at_top(page) -> None:
    """Focus the start of the document, as after a page load, before the first Tab."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")


def test_a_trainee_writes_switches_template_and_publishes_with_the_keyboard_only(page_for, trainee, cohort):
    page = page_for(trainee)
    page.goto("/journal/new/")
    start_at_top(page)

    tab_to(page, "input[name=title]")
    assert_focus_visible(page)
    page.keyboard.type("Written without a mouse")
    tab_to(page, "textarea[name=body]")
    page.keyboard.type("The client went quiet and I noticed my breath hold.")

    # Back up to the template and choose Gibbs with an arrow key: the text moves with it.
    tab_to(page, "select[name=template]", backwards=True)
    page.keyboard.press("ArrowDown")
    expect(page.locator("select[name=template]")).to_have_value("gibbs")
    expect(page.locator("textarea[name=body]")).to_be_hidden()
    tab_to(page, "textarea[name=gibbs_description]")
    expect(page.locator(":focus")).to_have_value(re.compile("my breath hold"))
    tab_to(page, "textarea[name=gibbs_feelings]")
    page.keyboard.type("A tightness in my chest, then curiosity.")

    tab_to(page, "button[name=action][value=draft]")
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    (entry,) = [e for e in JournalEntry.objects.filter(author=trainee) if e.title == "Written without a mouse"]
    assert (entry.status, entry.template) == (Status.DRAFT, "gibbs")
    assert "my breath hold" in entry.sections["description"]
    assert "curiosity" in entry.sections["feelings"]

    # Saving a draft leaves the editor open on it: publish from there.
    expect(page).to_have_url(re.compile(rf"/journal/{entry.pk}/edit/$"))
    start_at_top(page)
    tab_to(page, "button[name=action][value=publish]")
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(rf"/journal/{entry.pk}/$"))
    entry.refresh_from_db()
    assert entry.status == Status.PUBLISHED


def test_a_tutor_marks_the_rubric_grid_with_arrow_keys_and_saves(page_for, programme, cohort, trainee, tutor):
    rubric = make_rubric(programme, criteria=3, levels=4)
    submission = make_submission(make_checkpoint(cohort, rubric), trainee)
    marking = assessment_services.assessment_start(submission=submission, assessor=tutor)
    criteria = list(rubric.criteria.prefetch_related("levels"))
    page = page_for(tutor)
    page.goto(f"/assessments/{marking.pk}/")
    start_at_top(page)

    # Tab enters each criterion's group of levels at its first level; arrows move and choose.
    moves = {0: ["ArrowRight", "ArrowRight"], 1: ["Space", "ArrowRight"], 2: ["ArrowLeft"]}  # Left wraps to last
    chosen = {}
    for n, criterion in enumerate(criteria):
        tab_to(page, f"input[name=level-{criterion.pk}]")
        if n == 0:
            assert_focus_visible(page)
        for key in moves[n]:
            page.keyboard.press(key)
        chosen[criterion.pk] = int(page.locator(f"input[name=level-{criterion.pk}]:checked").get_attribute("value"))
        tab_to(page, f"textarea[name=comment-{criterion.pk}]")
        page.keyboard.type(f"Comment typed for criterion {n + 1}.")
    levels = [list(c.levels.all()) for c in criteria]
    assert chosen == {criteria[0].pk: levels[0][2].pk, criteria[1].pk: levels[1][1].pk, criteria[2].pk: levels[2][3].pk}
    expect(page.locator("[data-total]")).to_have_text("6")

    tab_to(page, "textarea[name=overall_feedback]")
    page.keyboard.type("Careful, warm work.")
    tab_to(page, "button[name=action][value=save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    saved = Assessment.objects.get(pk=marking.pk)
    scores = {s.criterion_id: (s.level_id, s.comment) for s in saved.scores.all()}
    typed = {pk: f"Comment typed for criterion {n + 1}." for n, pk in enumerate(chosen)}
    assert scores == {pk: (level, typed[pk]) for pk, level in chosen.items()}
    assert saved.overall_feedback == "Careful, warm work."


@pytest.fixture
def _emails_sent_at_once():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.mark.usefixtures("_emails_sent_at_once")
def test_a_course_admin_imports_a_roster_with_the_keyboard_only(
    new_context, course_admin, cohort, user_factory, tmp_path
):
    from tests.e2e.conftest import sign_in

    known = user_factory("known.person@example.org", "Known Person")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Email,First name,Last name,Role,Tutor email\r\n"
        "known.person@example.org,Known,Person,trainee,\r\n"
        "new.person@example.org,Nova,Person-With-A-Long-Double-Barrelled-Surname,trainee,\r\n"
    )
    page = new_context(viewport={"width": 390, "height": 844}).new_page()  # a phone: the preview scrolls sideways
    sign_in(page, course_admin.email)
    page.goto(f"/manage/cohorts/{cohort.pk}/import/")
    start_at_top(page)

    tab_to(page, "input[type=file][name=file]")
    # A file chooser can't be driven by keys headless: give the focused input its file.
    page.locator(":focus").set_input_files(str(roster))
    tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("roster-summary")).to_contain_text("1 new")

    # The rows' table is a region Tab reaches; arrow keys scroll it sideways.
    start_at_top(page)
    tab_to(page, "[role=region][aria-label^='Rows of the file']")
    assert_focus_visible(page)
    region = page.locator(":focus")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "at phone width the rows should scroll"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")

    # The Apply button comes before the table: back to it, and press it.
    tab_to(page, "form[action$='/apply/'] button[type=submit]", backwards=True)
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/manage/cohorts/{cohort.pk}/import/[^/]+/result/$"))
    assert Membership.objects.filter(user=known, cohort=cohort, role=Role.TRAINEE).exists()
    assert CohortInvitation.objects.filter(cohort=cohort, email="new.person@example.org").exists()
