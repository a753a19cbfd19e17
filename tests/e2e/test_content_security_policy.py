"""The Content-Security-Policy holds in a real browser (issue 12): every role's pages,
and what their scripts do (switching template, autosave, an htmx comment, the marking
grid's live total, a roster import, two-factor setup, the Django admin), run without
a single violation.

A violation is caught twice: the page's `securitypolicyviolation` events (pushed to
window.__csp by an init script, and handed to the test as they happen) and Chromium's
console messages about the Content Security Policy. Chromium's complaints about the
Permissions-Policy header (an unknown feature) fail the test too. Every HTML page must
carry the policy header, with nothing 'unsafe-inline' in it."""

import re
from collections.abc import Callable

import pytest
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import expect

from reflect.assessment import services as assessment_services
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.reflect.assessment_factories import make_checkpoint, make_rubric, make_submission, mark

pytestmark = pytest.mark.e2e

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const v = e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber
    + (e.sample ? " (" + e.sample + ")" : "");
  window.__csp.push(v);
  if (window.__reportCsp) window.__reportCsp(location.pathname + ": " + v);
});
"""


class Watch:
    """Everything a page tells us about the policies, from a context's first request on."""

    def __init__(self, context):
        self.problems: list[str] = []
        self.documents: list[str] = []
        context.expose_function("__reportCsp", self.report)
        context.add_init_script(WATCH)
        context.on("page", self.attach)

    def report(self, violation: str) -> None:
        self.problems.append(violation)

    def attach(self, page) -> None:
        page.on("console", self.console)
        page.on("response", self.response)

    def console(self, message) -> None:
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def response(self, response) -> None:
        if response.request.resource_type != "document" or response.status >= 300:
            return
        self.documents.append(response.url)
        policy = response.headers.get("content-security-policy")
        if not policy:
            self.problems.append(f"no Content-Security-Policy on {response.url}")
        elif "unsafe-inline" in policy or "unsafe-eval" in policy:
            self.problems.append(f"an unsafe source in the policy on {response.url}: {policy}")

    def check(self, page) -> None:
        """No violation so far, on this page (window.__csp) or any before it."""
        page.wait_for_timeout(200)  # an event reported just now reaches the test
        self.problems.extend(f"{page.url}: {v}" for v in page.evaluate("window.__csp || []"))
        page.evaluate("window.__csp = []")
        assert not self.problems, "\n".join(dict.fromkeys(self.problems))


@pytest.fixture
def watched(new_context) -> Callable:
    """watched(user) -> (page, watch): a page signed in as `user` (or signed out for
    None), watched from before the sign-in page loads."""

    def make(user=None, **options):
        context = new_context(**options)
        watch = Watch(context)
        page = context.new_page()
        if user is not None:
            sign_in(page, user.email)
        return page, watch

    return make


def visit(page, watch, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    watch.check(page)


def test_signed_out_pages_keep_the_policy(watched):
    page, watch = watched()
    for path in ("/accounts/password/reset/", "/accounts/signup/", "/accounts/login/"):
        visit(page, watch, path)
    page.fill("input[name=login]", "nobody@example.test")
    page.fill("input[name=password]", "not-the-password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("not correct")
    watch.check(page)


def test_a_trainee_writes_with_autosave_and_sets_up_two_factor(watched, trainee, cohort):
    page, watch = watched(trainee)
    visit(page, watch, "/")
    page.goto("/journal/new/")
    page.locator("input[name=title]").fill("Written under the policy")
    page.locator("textarea[name=body]").fill("The client went quiet and I noticed my breath hold.")
    page.locator("select[name=template]").select_option("gibbs")
    expect(page.locator("textarea[name=gibbs_description]")).to_have_value(re.compile("my breath hold"))
    page.locator("textarea[name=gibbs_feelings]").fill("A tightness, then curiosity.")
    expect(page.locator("[data-save-status]")).to_have_text(re.compile(r"Saved at \d\d:\d\d"), timeout=15_000)
    watch.check(page)
    with page.expect_navigation():
        page.locator("button[name=action][value=publish]").click()
    watch.check(page)

    page.locator("[data-testid=account-menu]").click()  # Bootstrap's dropdown sets styles through the CSSOM
    expect(page.locator(".dropdown-menu.show")).to_be_visible()
    watch.check(page)

    for path in (
        "/journal/",
        "/notifications/",
        "/accounts/preferences/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ):
        visit(page, watch, path)
    visit(page, watch, "/accounts/2fa/totp/activate/")
    if page.locator("input[name=password]").count():  # allauth asks for the password again first
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
    qr = page.locator("main img").first  # the QR code, a data: image
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not load"
    watch.check(page)


def test_a_tutor_comments_with_htmx_and_marks_the_grid(watched, make_entry, programme, cohort, trainee, tutor):
    entry = make_entry(trainee, cohort, title="Shared for feedback", visibility="shared")
    rubric = make_rubric(programme, criteria=2, levels=3)
    submission = make_submission(make_checkpoint(cohort, rubric), trainee)
    marking = assessment_services.assessment_start(submission=submission, assessor=tutor)
    page, watch = watched(tutor)

    visit(page, watch, f"/journal/{entry.pk}/")
    thread = page.locator("#comment-thread")
    thread.get_by_label("Add a comment").fill("What did you **notice** in your body?")
    thread.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comments-status")).to_have_text("Comment posted.")
    expect(page.locator("#comment-thread .comment-text strong")).to_have_text("notice")
    watch.check(page)

    visit(page, watch, f"/assessments/{marking.pk}/")
    for criterion in rubric.criteria.all():
        page.locator(f"input[name=level-{criterion.pk}] + label").last.click()
    top = sum(max(level.points for level in c.levels.all()) for c in rubric.criteria.all())
    expect(page.locator("[data-total]")).to_have_text(str(top))  # marking-total.js adds the levels up
    watch.check(page)
    for path in ("/", f"/cohorts/{cohort.pk}/", "/checkpoints/"):
        visit(page, watch, path)


def test_a_moderator_agrees_the_marking(watched, user_factory, programme, cohort, trainee, tutor):
    from tests.reflect.assessment_factories import add_tutor, allocate

    second = add_tutor(user_factory, cohort, "frank@example.test", "Frank Tutor")
    moderator = add_tutor(user_factory, cohort, "gail@example.test", "Gail Moderator")
    submission = make_submission(make_checkpoint(cohort, make_rubric(programme, criteria=2, levels=3)), trainee)
    mark(submission, tutor)
    allocate(submission, by=tutor, second=second, moderator=moderator)
    mark(submission, second, index=1)
    page, watch = watched(moderator)
    visit(page, watch, f"/submissions/{submission.pk}/moderate/")
    expect(page.locator("#grid-form")).to_be_visible()
    page.locator("#grid-form input[data-points]").first.check(force=True)
    watch.check(page)


def test_a_course_admin_manages_and_imports_a_roster(watched, course_admin, cohort, trainee, tutor, tmp_path):
    checkpoint = make_checkpoint(cohort)
    make_submission(checkpoint, trainee)
    page, watch = watched(course_admin)
    for path in (
        "/manage/",
        f"/manage/cohorts/{cohort.pk}/members/",
        f"/manage/cohorts/{cohort.pk}/report/",
        f"/manage/cohorts/{cohort.pk}/checkpoints/",
        f"/manage/cohorts/{cohort.pk}/checkpoints/{checkpoint.pk}/",
        f"/manage/cohorts/{cohort.pk}/invitations/",
        f"/manage/cohorts/{cohort.pk}/audit/",
        f"/manage/cohorts/{cohort.pk}/edit/",
        "/rubrics/",
    ):
        visit(page, watch, path)

    roster = tmp_path / "roster.csv"
    roster.write_text("Email,First name,Last name,Role,Tutor email\r\nnew.person@example.org,Nova,Person,trainee,\r\n")
    visit(page, watch, f"/manage/cohorts/{cohort.pk}/import/")
    page.locator("input[type=file][name=file]").set_input_files(str(roster))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("roster-summary")).to_contain_text("1 new")
    watch.check(page)
    with page.expect_navigation():
        page.locator("form[action$='/apply/'] button[type=submit]").click()
    expect(page.get_by_test_id("roster-result")).to_be_visible()
    watch.check(page)


def test_the_django_admin_keeps_the_policy(watched, user_factory, trainee):
    admin = user_factory("root@example.test", "Root Admin", is_staff=True, is_superuser=True)
    page, watch = watched(admin)
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{trainee.pk}/change/",
        "/admin/accounts/user/add/",
        "/admin/auth/group/add/",
        "/admin/django_celery_beat/periodictask/",
    ):
        visit(page, watch, path)

    # django-celery-beat's task form had an inline script (templates/admin/djcelery/).
    crontab = CrontabSchedule.objects.create(minute="0", hour="7")
    visit(page, watch, "/admin/django_celery_beat/periodictask/add/")
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
    page.locator("#id_crontab").select_option(str(crontab.pk))
    expect(page.locator(".field-crontab .help")).to_contain_text("Translation: At 07:00")
    watch.check(page)
    page.goto("/admin/accounts/user/")
    page.locator("#searchbar").fill("alice")
    with page.expect_navigation():
        page.locator("#searchbar").press("Enter")
    watch.check(page)
    assert len(watch.documents) > 5
