"""Nothing a writer types can run in a reader's browser.

Each payload goes into an entry's title and body; the pages that show it are
parsed and searched for anything that could execute script or pull in active
content. The author is the first victim (self-XSS), the tutor the important one.
"""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from reflect.journal import services
from reflect.journal.markdown import render_markdown
from reflect.journal.models import Visibility
from tests.conftest import entry_data

pytestmark = pytest.mark.django_db

PAYLOADS = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script>alert(1)",  # unclosed
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "<textarea></textarea><script>alert(1)</script>",
    "<title></title><script>alert(1)</script>",
    # event handlers, in various casings
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",  # unclosed tag
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<b onmouseover=alert(1)>hover</b>",
    '<B OnMouseOver="alert(1)">hover</B>',
    "<p oNcLiCk=alert(1)>click</p>",
    "<details open ontoggle=alert(1)>x</details>",
    "<body onload=alert(1)>",
    '<a href="https://example.org" onfocus="alert(1)" autofocus>x</a>',
    # javascript:, vbscript:, data: URLs in Markdown
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](<javascript:alert(1)>)",
    "![pic](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    '[x][evil]\n\n[evil]: <javascript:alert(1)> "title"',
    "[x]\n\n[x]: data:text/html,<script>alert(1)</script>",
    # ... and in HTML
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116'
    '&#0000058alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    # embedded documents and plugins
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    # styles
    "<style>body{background:red}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="width: expression(alert(1))">x</div>',
    # forms
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<input onfocus=alert(1) autofocus>",
    # MathML / SVG / parser-differential (mutation XSS) tricks
    '<math href="javascript:alert(1)">CLICK</math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    # Markdown's raw-HTML-in-HTML extension
    '<div markdown="1"><script>alert(1)</script>[x](javascript:alert(1))</div>',
]
assert len(PAYLOADS) >= 25

# Elements that must never come out of a writer's text.
FORBIDDEN_IN_BODY = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "style",
    "svg",
    "math",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "template",
    "noscript",
    "title",
    "body",
    "html",
    "head",
}
# Elements no page here has any business containing at all.
FORBIDDEN_ANYWHERE = {"iframe", "frame", "frameset", "object", "embed", "applet", "style", "svg", "math", "base"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
    "srcset",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "ping",
}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
STATIC_SCRIPT_PREFIX = "/static/"


def normalise_url(value: str) -> str:
    # Browsers ignore leading control characters and whitespace and drop tabs
    # and newlines anywhere in a URL; compare what the browser would act on.
    return re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower()


@dataclass
class Found:
    scripts: list[dict] = field(default_factory=list)
    handlers: list[tuple[str, str, str]] = field(default_factory=list)
    bad_urls: list[tuple[str, str, str]] = field(default_factory=list)
    srcdoc: list[str] = field(default_factory=list)
    forbidden_anywhere: list[str] = field(default_factory=list)
    in_body: list[str] = field(default_factory=list)
    refresh: list[str] = field(default_factory=list)
    body_containers: int = 0


class Collector(HTMLParser):
    """Collects every tag and attribute; notes which ones sit in an entry body."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = Found()
        self.body_div_depths: list[int] = []
        self.div_depth = 0

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        attrs = [(name.lower(), value or "") for name, value in attrs]
        in_body = bool(self.body_div_depths)
        if in_body:
            self.found.in_body.append(tag)
        if tag in FORBIDDEN_ANYWHERE:
            self.found.forbidden_anywhere.append(tag)
        if tag == "script":
            self.found.scripts.append(dict(attrs))
        if tag == "meta" and any(n == "http-equiv" and v.lower() == "refresh" for n, v in attrs):
            self.found.refresh.append(str(attrs))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.handlers.append((tag, name, value))
            if name in URL_ATTRIBUTES and normalise_url(value).startswith(BAD_SCHEMES):
                self.found.bad_urls.append((tag, name, value))
            if name == "srcdoc":
                self.found.srcdoc.append(value)
        if tag == "div":
            self.div_depth += 1
            if "entry-body" in dict(attrs).get("class", "").split():
                self.body_div_depths.append(self.div_depth)
                self.found.body_containers += 1

    def handle_endtag(self, tag):
        if tag.lower() == "div":
            if self.body_div_depths and self.body_div_depths[-1] == self.div_depth:
                self.body_div_depths.pop()
            self.div_depth -= 1


def collect(markup: str) -> Found:
    parser = Collector()
    parser.feed(markup)
    parser.close()
    return parser.found


def assert_safe(markup: str, *, where: str, expect_body: bool = True) -> None:
    found = collect(markup)
    unexpected_scripts = [s for s in found.scripts if not s.get("src", "").startswith(STATIC_SCRIPT_PREFIX)]
    assert not unexpected_scripts, f"{where}: script elements {unexpected_scripts}"
    assert not found.handlers, f"{where}: event handler attributes {found.handlers}"
    assert not found.bad_urls, f"{where}: dangerous URLs {found.bad_urls}"
    assert not found.srcdoc, f"{where}: srcdoc {found.srcdoc}"
    assert not found.forbidden_anywhere, f"{where}: elements {found.forbidden_anywhere}"
    assert not found.refresh, f"{where}: meta refresh {found.refresh}"
    bad_in_body = sorted(set(found.in_body) & FORBIDDEN_IN_BODY)
    assert not bad_in_body, f"{where}: elements inside the entry body {bad_in_body}"
    if expect_body:
        assert found.body_containers, f"{where}: no entry body found; the page changed shape"


def payload_id(payload: str) -> str:
    return f"{PAYLOADS.index(payload):02d}"


@pytest.fixture
def hostile_entry(trainee, cohort, make_entry):
    def make(payload: str):
        return make_entry(trainee, cohort, title=payload[:200], body=payload, visibility=Visibility.SHARED)

    return make


# --- the corpus, page by page ------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_id)
def test_entry_page_is_safe_for_the_author(payload, trainee, hostile_entry, client_for):
    entry = hostile_entry(payload)
    response = client_for(trainee).get(f"/journal/{entry.pk}/")
    assert response.status_code == 200
    assert_safe(response.content.decode(), where="author's entry page")


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_id)
def test_entry_page_is_safe_for_the_tutor(payload, tutor, hostile_entry, client_for):
    entry = hostile_entry(payload)
    response = client_for(tutor).get(f"/journal/{entry.pk}/")
    assert response.status_code == 200
    assert_safe(response.content.decode(), where="tutor's entry page")


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_id)
def test_live_preview_is_safe(payload, trainee, client_for):
    response = client_for(trainee).post("/journal/preview/", {"title": payload, "body": payload, "template": "free"})
    assert response.status_code == 200
    assert_safe(response.content.decode(), where="preview")


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_id)
def test_pages_listing_or_editing_the_entry_are_safe(payload, trainee, tutor, cohort, hostile_entry, client_for):
    entry = hostile_entry(payload)
    # An earlier version holding the payload, for the history page.
    services.entry_publish(
        author=trainee,
        cohort=cohort,
        entry=entry,
        data=entry_data(title="Later title", body="Later body", visibility=Visibility.SHARED),
    )
    services.entry_publish(
        author=trainee,
        cohort=cohort,
        entry=entry,
        data=entry_data(title=payload[:200], body=payload, visibility=Visibility.SHARED),
    )
    author, tutor_client = client_for(trainee), client_for(tutor)
    pages = {
        "history": (author, f"/journal/{entry.pk}/history/", True),
        "journal list": (author, "/journal/", False),
        "dashboard": (author, "/", False),
        "editor": (author, f"/journal/{entry.pk}/edit/", False),
        "delete confirmation": (author, f"/journal/{entry.pk}/delete/", False),
        "cohort page": (tutor_client, f"/cohorts/{cohort.pk}/", False),
    }
    for where, (client, url, has_body) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        assert_safe(response.content.decode(), where=where, expect_body=has_body)


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_id)
def test_trash_and_messages_naming_the_entry_are_safe(payload, trainee, hostile_entry, client_for):
    # Deleting and restoring put the title into a flash message.
    entry = hostile_entry(payload)
    client = client_for(trainee)
    response = client.post(f"/journal/{entry.pk}/delete/", follow=True)
    assert response.status_code == 200
    assert "moved to Trash" in response.content.decode()
    assert_safe(response.content.decode(), where="message after delete", expect_body=False)
    assert_safe(client.get("/journal/trash/").content.decode(), where="trash", expect_body=False)
    response = client.post(f"/journal/trash/{entry.pk}/restore/", follow=True)
    assert response.status_code == 200
    assert "restored" in response.content.decode()
    assert_safe(response.content.decode(), where="message after restore")


@pytest.mark.parametrize("payload", PAYLOADS, ids=payload_id)
def test_render_markdown_output_is_safe(payload):
    assert_safe(f'<div class="entry-body">{render_markdown(payload)}</div>', where="render_markdown")
    # Nothing outside the body is wrapped round it here, so no script at all.
    assert not collect(str(render_markdown(payload))).scripts


def test_the_checker_catches_what_it_looks_for():
    # The assertions above are only as good as this parser; show it bites.
    for markup in (
        '<div class="entry-body"><script>alert(1)</script></div>',
        '<div class="entry-body"><b OnClick="x">y</b></div>',
        '<div class="entry-body"><a href=" &#106;ava\tscript:alert(1)">x</a></div>',
        '<div class="entry-body"><a href="DATA:text/html,x">x</a></div>',
        '<div class="entry-body"><div><p>x</p></div><math></math></div>',
        '<div class="entry-body"><div><p>x</p></div><form></form></div>',
    ):
        with pytest.raises(AssertionError):
            assert_safe(markup, where="checker self-test")
    assert_safe(
        '<div class="entry-body"><a href="https://example.org">x</a></div><form></form>'
        '<script src="/static/x.js"></script>',
        where="checker self-test",
    )


# --- titles are text, not markup ----------------------------------------------


def test_a_title_is_shown_escaped(trainee, tutor, cohort, make_entry, client_for):
    entry = make_entry(
        trainee,
        cohort,
        title="<script>alert('t')</script> & <b>bold</b>",
        body="Plain words.",
        visibility=Visibility.SHARED,
    )
    escaped = "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    pages = [
        (client_for(trainee), f"/journal/{entry.pk}/"),
        (client_for(trainee), "/journal/"),
        (client_for(trainee), f"/journal/{entry.pk}/edit/"),
        (client_for(tutor), f"/journal/{entry.pk}/"),
        (client_for(tutor), f"/cohorts/{cohort.pk}/"),
    ]
    for client, url in pages:
        content = client.get(url).content.decode()
        assert "&lt;script&gt;" in content, url
        assert "<script>alert(" not in content, url
        assert "<b>bold</b>" not in content, url
    detail = client_for(tutor).get(f"/journal/{entry.pk}/").content.decode()
    assert f'<h1 class="h3">{escaped}</h1>' in detail


# --- ordinary Markdown still works ---------------------------------------------


def test_bold_and_italic_render():
    out = str(render_markdown("Some **bold** and *soft* words"))
    assert "<strong>bold</strong>" in out
    assert "<em>soft</em>" in out


def test_lists_render():
    out = str(render_markdown("Noticed:\n\n- tight chest\n- warm hands\n\n1. first\n2. second"))
    assert re.search(r"<ul>\s*<li>tight chest</li>\s*<li>warm hands</li>\s*</ul>", out)
    assert re.search(r"<ol>\s*<li>first</li>\s*<li>second</li>\s*</ol>", out)


def test_https_links_render_with_noopener():
    out = str(render_markdown("See [the reading](https://example.org/attachment) and <https://example.org/b>"))
    links = collect(f'<div class="entry-body">{out}</div>')
    assert not links.bad_urls

    class Anchors(HTMLParser):
        def __init__(self):
            super().__init__()
            self.anchors = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.anchors.append(dict(attrs))

    parser = Anchors()
    parser.feed(out)
    assert [a["href"] for a in parser.anchors] == ["https://example.org/attachment", "https://example.org/b"]
    for anchor in parser.anchors:
        assert "noopener" in anchor["rel"].split()


def test_headings_quotes_code_and_line_breaks_render():
    out = str(render_markdown("# Rupture\n\n> the client went quiet\n\n`window`\n\nline one\nline two"))
    assert "<h1>Rupture</h1>" in out
    assert "<blockquote>" in out
    assert "<code>window</code>" in out
    assert "<br" in out


def test_mailto_links_are_kept():
    out = str(render_markdown("[my supervisor](mailto:sup@example.org)"))
    assert 'href="mailto:sup@example.org"' in out


def test_markdown_in_a_page_still_renders_for_the_tutor(trainee, tutor, cohort, make_entry, client_for):
    entry = make_entry(trainee, cohort, body="I felt **settled** by the end.", visibility=Visibility.SHARED)
    content = client_for(tutor).get(f"/journal/{entry.pk}/").content.decode()
    assert "<strong>settled</strong>" in content


def test_a_javascript_link_keeps_its_text_but_loses_its_target():
    out = str(render_markdown("[click me](javascript:alert(1))"))
    assert "click me" in out
    assert "javascript" not in out.lower()
