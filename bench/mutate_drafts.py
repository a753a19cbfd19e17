"""Remove each rule of form drafts (reflect/drafts, static/js/drafts.js) in turn and
check that a test fails.

    .venv/bin/python bench/mutate_drafts.py [--list] [--only id,...] [--report tests/drafts/mutations.md]

The same machinery as bench/mutate_policy.py. The server's rules are checked by
tests/drafts; the page's (ids starting "js.") by the browser tests, so run those
with Chromium: CHROMIUM_PATH=/usr/bin/chromium REQUIRE_E2E=1 ... --only js."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mutate_policy  # noqa: E402
from mutate_policy import Mutation  # noqa: E402

KEYS = "reflect/drafts/keys.py"
SERVICES = "reflect/drafts/services.py"
VIEWS = "reflect/drafts/views.py"
TAG = "reflect/templatetags/drafts.py"
JS = "static/js/drafts.js"

DRAFTS: list[Mutation] = [
    Mutation(
        "keys.owner",
        KEYS,
        "return key if owner == user_id and",
        "return key if",
        "a key signed for one person opens another's draft",
    ),
    Mutation(
        "views.signed-out",
        VIEWS,
        "    if not request.user.is_authenticated:\n        return _signed_out()\n",
        "    if not request.user.is_authenticated:\n        return JsonResponse({})\n",
        "signed out answers as if saved",
    ),
    Mutation(
        "views.bad-token-read",
        VIEWS,
        "if not tokens or None in keys.values():",
        "if not tokens:",
        "a made-up key is read (as empty) rather than refused",
    ),
    Mutation(
        "services.max-chars",
        SERVICES,
        " or sum(len(v) for items in values.values() for v in items) > settings.DRAFT_MAX_CHARS",
        "",
        "no limit on a draft's length",
    ),
    Mutation(
        "services.late-save",
        SERVICES,
        "    if nonce and FormDraft.objects.filter(user_id=user_id, key=key, sent_nonce=nonce).exists():\n"
        "        return None\n",
        "",
        "a save that arrives after the sending brings the sent text back",
    ),
    Mutation(
        "services.sent-nonce",
        SERVICES,
        '"sent_nonce": nonce, ',
        "",
        "the sending is not recorded, so the browser's copy is offered again",
    ),
    Mutation(
        "services.sent-empties",
        SERVICES,
        'defaults={"values": {}, "saved_at": None, "sent_nonce"',
        'defaults={"saved_at": None, "sent_nonce"',
        "sending leaves the draft's text to be offered again",
    ),
    Mutation(
        "services.discard",
        SERVICES,
        ".update(values={}, saved_at=None)",
        ".update(saved_at=None)",
        "Discard keeps the text",
    ),
    Mutation(
        "services.purge-age", SERVICES, "filter(updated_at__lt=cutoff)", "all()", "purging deletes recent drafts too"
    ),
    Mutation(
        "feedback.sent",
        "reflect/feedback/views.py",
        "    drafts.sent(request)\n",
        "",
        "a posted comment's draft is not ended",
    ),
    Mutation(
        "assessment.grid-sent",
        "reflect/assessment/view_helpers.py",
        "    drafts.sent(request)\n",
        "",
        "a saved marking's draft is not ended",
    ),
    Mutation(
        "assessment.workspace-sent",
        "reflect/assessment/views.py",
        "                drafts.sent(request)\n",
        "",
        "a saved portfolio's draft is not ended",
    ),
    Mutation(
        "assessment.ack-sent",
        "reflect/assessment/views.py",
        "            drafts.sent(request)\n            messages.success",
        "            messages.success",
        "an acknowledgement's draft is not ended",
    ),
    Mutation(
        "tag.echo",
        TAG,
        '    if request.method == "POST" and request.POST.get("_draft") == token:',
        "    if False:",
        "a form shown again after its sending does not say so",
    ),
    # The page's rules: run with the browser tests.
    Mutation(
        "js.restore",
        JS,
        "    apply(this.form, values);\n    const note",
        "    return;\n    const note",
        "unsent text is not put back",
    ),
    Mutation(
        "js.local-copy",
        JS,
        "const values = copy ? copy.values : server.values;",
        "const values = server.values;",
        "the browser's copy (signed out, offline) is ignored",
    ),
    Mutation(
        "js.sent-copy-dropped",
        JS,
        "if (copy && copy.nonce && server.sent_nonce === copy.nonce) { dropLocal(this.token); copy = null; }",
        "",
        "a sent comment's copy is offered again",
    ),
    Mutation(
        "js.beforeunload",
        JS,
        '      event.preventDefault();\n      event.returnValue = "";\n',
        "",
        "leaving with unsent text does not ask",
    ),
    Mutation(
        "js.flush-on-leave",
        JS,
        "function flushAll() { tracked.forEach(function (d) { d.flush(); }); }",
        "function flushAll() {}",
        "closing the tab loses what the idle save had not sent",
    ),
    Mutation(
        "js.signed-out-message",
        JS,
        "if (response.status === 401) self.say(",
        "if (false) self.say(",
        "signed out is not explained",
    ),
    Mutation(
        "js.discard",
        JS,
        '      fetch(self.url, { method: "POST", body: body, credentials: "same-origin" });\n',
        "",
        "Discard it leaves the draft on the server",
    ),
]

mutate_policy.MUTATIONS = DRAFTS
mutate_policy.TESTS = ["tests/drafts", "tests/e2e/test_drafts_keep_text.py"]

if __name__ == "__main__":
    sys.exit(mutate_policy.main())
