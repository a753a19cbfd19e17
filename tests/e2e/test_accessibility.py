"""axe-core on every page each role reaches, at desktop and phone widths (issue 11).

The world is the access tests' (`tests/access/world.py`): an entry with comments,
portfolios being marked, a moderation, released feedback, an import waiting. Each role
(a visitor, two trainees, the tutor, a second marker, a moderator, a course admin) gets
its session and crawls from the home page: same-origin GET links, one URL per URL
pattern (two for a few), at most MAX_PAGES pages. Then a few states no link reaches
are driven (STATES): a roster preview, forms with errors. Every page is checked by
axe-core (vendored and pinned in tests/e2e/vendor/) with the WCAG 2.0/2.1/2.2 A and AA
rules at 1280×800, then again at 390×844. A serious or critical finding fails the test.
The report lists every finding: rule, impact, page, width and elements."""

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from reflect.assessment.models import Assessment, Checkpoint, Rubric, Score, Submission
from reflect.audit.models import AuditEvent
from reflect.cohorts.models import Membership
from reflect.feedback.models import Comment
from reflect.journal.models import JournalEntry
from reflect.manage.models import CohortInvitation
from tests.access.world import AN, AT, AU, CA, MO, OT, SM, build_world

pytestmark = pytest.mark.e2e

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
MAX_PAGES = 45  # per role; a crawl that reaches it has found something new to look at

# URL names never opened: they sign out, download a file, or change something on GET.
NOT_PAGES = {
    "account_logout",
    "reflect:notification-open",  # marks the notification read, then redirects to what it is about
    "reflect:calendar-feed",
    "reflect:manage-report-csv",
    "reflect:manage-audit-log-csv",
    "reflect:manage-roster-template",
    "reflect:rubric-export",
    "mfa_download_recovery_codes",
}
# Patterns whose pages differ a lot between objects (a portfolio open or with feedback
# released, a marking in progress or complete): two of each.
TWICE = {"reflect:checkpoint-detail", "reflect:submission-detail", "reflect:entry-detail", "reflect:assessment-edit"}
DOWNLOADS = re.compile(r"\.(csv|ics|pdf|json|txt|zip)$")

# What each role's crawl must reach, so the test cannot pass by crawling nothing.
MUST_REACH = {
    AU: {
        "reflect:dashboard",
        "reflect:entry-list",
        "reflect:entry-new",
        "reflect:entry-detail",
        "reflect:entry-edit",
        "reflect:entry-history",
        "reflect:trash",
        "reflect:checkpoint-list",
        "reflect:checkpoint-detail",
        "reflect:submission-feedback",
        "reflect:notification-list",
        "accounts:preferences",
        "account_email",
        "account_change_password",
        "mfa_index",
    },
    AN: {"account_login", "account_reset_password", "reflect:invitation-accept"},
    AT: {
        "reflect:dashboard",
        "reflect:cohort-detail",
        "reflect:entry-detail",
        "reflect:checkpoint-detail",
        "reflect:submission-detail",
        "reflect:assessment-edit",
        "reflect:notification-list",
        "accounts:preferences",
    },
    OT: {"reflect:checkpoint-detail"},
    SM: {"reflect:assessment-edit"},
    MO: {"reflect:submission-moderate"},
    CA: {
        "reflect:dashboard",
        "reflect:manage-home",
        "reflect:manage-members",
        "reflect:manage-roster-import",
        "reflect:manage-roster-preview",
        "reflect:manage-roster-result",
        "reflect:manage-invitations",
        "reflect:manage-report",
        "reflect:manage-checkpoints",
        "reflect:manage-checkpoint",
        "reflect:manage-audit-log",
        "reflect:manage-cohort-edit",
        "reflect:rubric-list",
        "reflect:rubric-detail",
        "reflect:rubric-edit",
        "reflect:rubric-import",
        "reflect:cohort-detail",
        "reflect:cohort-schedule",
    },
}

ROSTER = (
    "Email,First name,Last name,Role,Tutor email\r\n"
    "rowan.new@example.org,Rowan,New,trainee,assigned.tutor@example.test\r\n"
    "other.trainee@example.test,Blake,Othertrainee,trainee,\r\n"
    "not-an-email,Broken,Row,trainee,\r\n"
)


# Following links must change nothing (reads are recorded, by design, in AccessEvent and
# read notifications, so those are not counted).
FOOTPRINT = (
    JournalEntry,
    Comment,
    Membership,
    CohortInvitation,
    AuditEvent,
    Assessment,
    Score,
    Submission,
    Checkpoint,
    Rubric,
)


def footprint() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in FOOTPRINT}


def url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


# axe cannot work out the contrast of text over a gradient or a background image: it
# leaves it "incomplete" (for a person to review), not failed. Ours are decorations away
# from the text: the edge shadows of a table that scrolls sideways (.table-scroll, white
# where the text is) and a select's chevron. A second pass, of the contrast rule only,
# checks that text with the decorations taken off, against the colours it really sits on.
UNDECORATED = """.table-scroll { background: #fff !important; }
.form-select { background-image: none !important; }"""


def run_axe(page) -> list[dict]:
    """axe's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
        assert page.evaluate("axe.version") == AXE_VERSION
    run = """([context, options]) => axe.run(context, {...options, resultTypes: ['violations']})
        .then(r => r.violations)"""
    violations = page.evaluate(run, ["html", {"runOnly": {"type": "tag", "values": WCAG_TAGS}}])
    if page.locator(".table-scroll, .form-select").count():
        style = page.add_style_tag(content=UNDECORATED)
        only = {"include": [[".table-scroll"], [".form-select"]]}
        contrast = page.evaluate(run, [only, {"runOnly": {"type": "rule", "values": ["color-contrast"]}}])
        style.evaluate("el => el.remove()")
        known = {(v["id"], tuple(map(str, n["target"]))) for v in violations for n in v["nodes"]}
        for v in contrast:
            v["nodes"] = [n for n in v["nodes"] if (v["id"], tuple(map(str, n["target"]))) not in known]
            if v["nodes"]:
                v["help"] += " (with decorative gradients off)"
                violations.append(v)
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


class Crawl:
    """One role's walk over the site, collecting axe findings as it goes."""

    def __init__(self, page, base_url: str, role: str):
        self.page, self.base, self.role = page, base_url, role
        self.origin = urlsplit(base_url).netloc
        self.seen_urls: set[str] = set()
        self.visited: dict[str, list[str]] = {}  # url name -> the paths checked for it
        self.skip: set[str] = set()  # url names another role has checked already
        self.findings: list[str] = []
        self.states: list[str] = []  # pages checked in a state a link can't reach (see STATES)

    def candidate(self, href: str) -> tuple[str, str] | None:
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != self.origin:
            return None
        path = parts.path
        if parts.query:
            if "page=" in parts.query:
                return None
            path = f"{path}?{parts.query}"
        if parts.path.startswith(("/admin/", "/static/", "/media/")) or DOWNLOADS.search(parts.path):
            return None
        name = url_name(parts.path)
        if name is None or name in NOT_PAGES or name in self.skip or path in self.seen_urls or self.full(name):
            return None
        return name, path

    def full(self, name: str) -> bool:
        return len(self.visited.get(name, ())) >= (2 if name in TWICE else 1)

    def check(self, name: str, where: str) -> None:
        """axe at each width on the page already open, with every fold (<details>) open,
        since axe passes over what is hidden."""
        self.page.evaluate("document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; })")
        for label, size in VIEWPORTS.items():
            self.page.set_viewport_size(size)
            for violation in run_axe(self.page):
                targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:6])
                more = len(violation["nodes"]) - 6
                why = " ".join(violation["nodes"][0].get("failureSummary", "").split())
                self.findings.append(
                    f"[{self.role} {label}] {violation['impact']} {violation['id']} on {where} ({name}): "
                    f"{violation['help']} -> {targets}{f' (+{more} more)' if more > 0 else ''}\n    first: {why}"
                )
        self.page.set_viewport_size(VIEWPORTS["desktop"])

    def links(self) -> list[str]:
        return self.page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")

    def visit(self, path: str) -> list[str]:
        self.seen_urls.add(path)
        response = self.page.goto(path)
        landed = urlsplit(self.page.url)
        name = url_name(landed.path)
        if response is None or response.status >= 400 or name is None or self.full(name):
            return []
        self.visited.setdefault(name, []).append(landed.path)
        self.check(name, landed.path)
        return self.links()

    def run(self, seeds: list[str]) -> None:
        queue = deque(seeds)
        while queue and sum(map(len, self.visited.values())) < MAX_PAGES:
            path = queue.popleft()
            for href in self.visit(path):
                found = self.candidate(href)
                if found and found[1] not in queue:
                    queue.append(found[1])


def seeds_for(role: str, ids: dict) -> list[str]:
    """Where a role's crawl starts: the home page, plus pages no link leads to."""
    cohort = ids["cohort"]
    return {
        AN: ["/accounts/login/", "/accounts/password/reset/", f"/invite/{ids['invitation_token']}/"],
        # Account pages the site's own pages don't link to (allauth's).
        AU: ["/", "/accounts/password/change/", "/accounts/2fa/"],
        # The other trainee's portfolio still being put together (the workspace's form).
        OT: [f"/checkpoints/{ids['checkpoint_2']}/"],
        AT: ["/"],
        # The second marker's marking in progress; the moderator's double-marked portfolio.
        SM: [f"/assessments/{ids['marking_second']}/"],
        MO: [f"/submissions/{ids['submission_t2']}/moderate/"],
        # An import's result page follows applying one; this admin's session holds one (world.py).
        CA: ["/", f"/manage/cohorts/{cohort}/import/{ids['roster_done_key']}/result/"],
    }[role]


def test_every_page_each_role_reaches_has_no_serious_axe_findings(new_context, live_server, tmp_path):
    world = build_world()
    findings: list[str] = []
    visited: dict[str, dict[str, list[str]]] = {}
    states: list[str] = []
    for role in (AN, AU, OT, AT, SM, MO, CA):
        # Reduced motion: Bootstrap then drops its colour transitions, so axe, run right after
        # a resize, sees the settled colours (not a tab half-way through fading in).
        # bypass_csp: axe and the contrast pass's stylesheet go in as inline <script> and
        # <style>, which the site's Content-Security-Policy refuses (it is tested on its own,
        # in test_content_security_policy.py).
        context = new_context(viewport=VIEWPORTS["desktop"], reduced_motion="reduce", bypass_csp=True)
        if role != AN:
            cookie = {"name": settings.SESSION_COOKIE_NAME, "value": world.sessions[role], "url": live_server.url}
            context.add_cookies([cookie])
        crawl = Crawl(context.new_page(), live_server.url, role)
        if role in (OT, SM, MO):
            # A second trainee, other tutors: only what the first one's crawl has not checked.
            crawl.skip = set(visited[AU if role == OT else AT]) - MUST_REACH[role]
        before = footprint()
        crawl.run(seeds_for(role, world.ids))
        assert footprint() == before, f"following links as the {role} changed something: {before} → {footprint()}"
        for drive in STATES.get(role, []):
            drive(crawl, world.ids, tmp_path)
        findings += crawl.findings
        states.append(f"{role}: {', '.join(crawl.states)}")
        visited[role] = crawl.visited
        context.close()

    report = "\n".join(
        f"{role}: {sum(map(len, pages.values()))} pages: {', '.join(sorted(pages))}" for role, pages in visited.items()
    )
    for role, pages in visited.items():  # shown with -s, or under a failure
        print(f"{role}:\n" + "\n".join(f"  {name}: {' '.join(paths)}" for name, paths in sorted(pages.items())))
    print("States:\n" + "\n".join(states))
    assert not findings, f"{len(findings)} serious or critical axe findings:\n" + "\n".join(findings)
    for role, names in MUST_REACH.items():
        missing = names - visited[role].keys()
        assert not missing, f"the {role}'s crawl never reached {sorted(missing)}\n{report}"


# Pages in states a link can't reach: the answers to POSTs, forms with their errors, the
# editor on another template. Each drives the page, then checks it like a crawled one.


def state(crawl: Crawl, label: str) -> None:
    path = urlsplit(crawl.page.url).path
    crawl.states.append(f"{label} ({path})")
    crawl.check(f"{url_name(path)}, {label}", path)


def roster_preview(crawl: Crawl, ids: dict, tmp_path) -> None:
    """The preview is the answer to a POST: upload a roster and check what comes back."""
    page = crawl.page
    page.goto(f"/manage/cohorts/{ids['cohort']}/import/")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    page.locator("input[name=file]").set_input_files(str(roster))
    with page.expect_navigation():
        page.locator("main form:has(input[name=file]) button[type=submit]").click()
    path = urlsplit(page.url).path
    name = url_name(path)
    assert name == "reflect:manage-roster-preview", page.url
    crawl.visited.setdefault(name, []).append(path)
    crawl.check(name, path)


def roster_refused(crawl: Crawl, ids: dict, tmp_path) -> None:
    page = crawl.page
    page.goto(f"/manage/cohorts/{ids['cohort']}/import/")
    not_a_roster = tmp_path / "notes.csv"
    not_a_roster.write_text("Just some notes\r\nwith no header we know\r\n")
    page.locator("input[name=file]").set_input_files(str(not_a_roster))
    with page.expect_navigation():
        page.locator("main form:has(input[name=file]) button[type=submit]").click()
    assert page.locator(".invalid-feedback, .alert-danger, .errorlist").count(), "expected the file to be refused"
    state(crawl, "a file refused")


def editor_on_gibbs(crawl: Crawl, ids: dict, tmp_path) -> None:
    page = crawl.page
    page.goto("/journal/new/")
    page.locator("select[name=template]").select_option("gibbs")
    page.locator("textarea[name=gibbs_description]").wait_for()
    state(crawl, "Gibbs template")


def editor_errors(crawl: Crawl, ids: dict, tmp_path) -> None:
    page = crawl.page
    page.goto("/journal/new/")
    title = page.locator("input[name=title]")
    title.evaluate("el => el.removeAttribute('maxlength')")  # as an older browser might send it
    title.fill("x" * 300)  # too long: the server says so
    page.locator("textarea[name=body]").fill("Body")
    with page.expect_navigation():
        page.locator("button[name=action][value=publish]").click()
    assert page.locator(".invalid-feedback").count(), "expected the editor to show an error"
    state(crawl, "with errors")


def marking_errors(crawl: Crawl, ids: dict, tmp_path) -> None:
    page = crawl.page
    page.goto(f"/assessments/{ids['marking_second']}/")
    with page.expect_navigation():
        page.locator("button[name=action][value=complete]").click()  # half the grid: refused
    assert page.locator(".alert-danger, .invalid-feedback").count(), "expected the grid to show its errors"
    state(crawl, "completing half a grid")


STATES = {AU: [editor_on_gibbs, editor_errors], SM: [marking_errors], CA: [roster_preview, roster_refused]}
