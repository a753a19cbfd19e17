"""Who gets what, URL by URL: the expected status of GET and POST for every role.

Every URL pattern of the project (walked from the resolver, see `url_keys`) is
either in `TABLE` or in `SKIPPED` with a reason; `test_every_url_pattern_has_expectations`
fails for a pattern that is in neither, so a new URL cannot ship without saying
who may open it.

A row names the pattern (``namespace:name``, or the route for an unnamed one),
fills its kwargs from the world (`tests/access/world.py`, `World.ids`) and gives
the expected outcome per role and method:

- an int: the status code;
- ``LOGIN``: a redirect to the sign-in page (anonymous visitors of private pages);
- ``ADMIN_LOGIN``: a redirect to the Django admin's sign-in page;
- ``to("reflect:name")``: a redirect (302) to a page of that URL name.

Outcomes are written as a default plus exceptions (`who`), so that a row reads
like the policy: "author 200, the tutor who reads her 200, everyone else 404".
Anything not allowed answers 404, never 403 (README, "Who may see what").
"""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from tests.access.world import (
    AN,
    AT,
    AU,
    CA,
    MO,
    OT,
    PA,
    READ_OT,
    ROLES,
    SM,
    SO,
    TUTORS_A,
    UT,
    XA,
    XT,
)

LOGIN = "login"
ADMIN_LOGIN = "admin-login"
GONE = 405  # the method is not allowed for this URL


def to(name: str) -> str:
    """A 302 to a page of this URL name."""
    return f"302>{name}"


Outcome = int | str

# Groups of roles, for compact rows.
TRAINEES = (AU, OT)
ADMINS_P1 = (CA, PA)  # run every cohort of programme 1
PROGRAMME_RUNNERS = (CA, PA, XA)  # run some programme
MEMBERS_P1 = (AU, OT, *TUTORS_A, XT, CA)  # hold a membership in a cohort of programme 1
SIGNED_IN = tuple(r for r in ROLES if r != AN)


def who(default: Outcome, exceptions: dict | None = None, *, anon: Outcome = LOGIN) -> dict[str, Outcome]:
    """Every role gets `default`, anonymous gets `anon`, except the roles named in
    `exceptions` (a role or a tuple of roles → outcome)."""
    outcome = {role: default for role in SIGNED_IN}
    outcome[AN] = anon
    for roles, value in (exceptions or {}).items():
        for role in (roles,) if isinstance(roles, str) else roles:
            outcome[role] = value
    return outcome


ANY_SIGNED_IN_405 = who(GONE)


@dataclass(frozen=True)
class Url:
    key: str
    get: dict[str, Outcome]
    post: dict[str, Outcome]
    kwargs: dict[str, str] = field(default_factory=dict)  # URL kwarg → key of World.ids
    variant: str = ""
    data: dict = field(default_factory=dict)  # POST body; a value "@key" is World.ids[key]
    path: str = ""  # for unnamed patterns: a path template filled with the kwargs
    shows: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role → markers a 200 GET must show

    @property
    def id(self) -> str:
        return f"{self.key}[{self.variant}]" if self.variant else self.key


def get_only(get: dict[str, Outcome], **extra) -> dict:
    """A @require_GET page: POST is 405 for everyone signed in."""
    return {"get": get, "post": ANY_SIGNED_IN_405, **extra}


def post_only(post: dict[str, Outcome], **extra) -> dict:
    """A @require_POST action: GET is 405 for everyone signed in."""
    return {"get": ANY_SIGNED_IN_405, "post": post, **extra}


ENTRY_FORM = {
    "title": "Autosaved qzAutosave",
    "body": "Autosaved body.",
    "kind": "general",
    "template": "free",
    "visibility": "shared",
    "cohort": "@cohort",
}

# --- Reflect: journal ------------------------------------------------------------------------------------------

JOURNAL = [
    Url("reflect:dashboard", **get_only(who(200)), shows={AU: ("qzShrTTL", "Casey Assignedtutor")}),
    Url("reflect:entry-list", **get_only(who(200)), shows={AU: ("qzPrivTTL", "qzDraftTTL", "qzShrTTL")}),
    # Anyone signed in may open an empty editor; an empty POST is an invalid form.
    Url("reflect:entry-new", get=who(200), post=who(400)),
    # Autosave of someone else's entry is not found; the author's is saved aside (pending).
    Url("reflect:entry-autosave", **post_only(who(404, {AU: 200})), data={**ENTRY_FORM, "entry_id": "@entry_shared"}),
    Url("reflect:entry-preview", **post_only(who(200)), data={"body": "**qzPreview**"}),
    Url("reflect:trash", **get_only(who(200)), shows={AU: ("qzTrashTTL",)}),
    Url(
        "reflect:entry-restore", **post_only(who(404, {AU: to("reflect:entry-detail")})), kwargs={"pk": "entry_trashed"}
    ),
    # Reading entries: the author; a shared, published entry also the tutor who reads her.
    Url(
        "reflect:entry-detail",
        variant="shared",
        **get_only(who(404, {(AU, AT): 200})),
        kwargs={"pk": "entry_shared"},
        shows={AU: ("qzShrBDY", "qzCmtPosted", "qzCmtReply"), AT: ("qzShrBDY", "qzCmtPosted", "qzCmtDraft")},
    ),
    Url("reflect:entry-detail", variant="private", **get_only(who(404, {AU: 200})), kwargs={"pk": "entry_private"}),
    Url("reflect:entry-detail", variant="draft", **get_only(who(404, {AU: 200})), kwargs={"pk": "entry_draft"}),
    Url("reflect:entry-detail", variant="trashed", **get_only(who(404)), kwargs={"pk": "entry_trashed"}),
    Url(
        "reflect:entry-detail",
        variant="shared-draft",
        **get_only(who(404, {AU: 200})),
        kwargs={"pk": "entry_shared_draft"},
    ),
    # Written in cohort A by someone no longer a trainee there: no tutor reads it any more.
    Url("reflect:entry-detail", variant="former-trainee", **get_only(who(404)), kwargs={"pk": "entry_former"}),
    # The entry a portfolio was made from, edited since: a journal page, so not the allocated markers'.
    Url(
        "reflect:entry-detail",
        variant="submitted",
        **get_only(who(404, {(AU, AT): 200})),
        kwargs={"pk": "entry_submitted"},
        shows={AT: ("qzSubNowBDY",)},
    ),
    # The other trainee has no assigned tutor: every tutor of her cohort reads her.
    Url(
        "reflect:entry-detail",
        variant="t2-shared",
        **get_only(who(404, {READ_OT: 200})),
        kwargs={"pk": "entry_t2_shared"},
        shows={UT: ("qzT2ShrBDY",)},
    ),
    Url(
        "reflect:entry-detail", variant="t2-private", **get_only(who(404, {OT: 200})), kwargs={"pk": "entry_t2_private"}
    ),
    Url(
        "reflect:entry-detail",
        variant="cohort-b",
        **get_only(who(404, {XT: 200})),
        kwargs={"pk": "entry_b_shared"},
        shows={XT: ("qzBShrBDY",)},
    ),
    # Only the author edits.
    Url("reflect:entry-edit", get=who(404, {AU: 200}), post=who(404, {AU: 400}), kwargs={"pk": "entry_shared"}),
    Url(
        "reflect:entry-visibility",
        **post_only(who(404, {AU: to("reflect:entry-detail")})),
        kwargs={"pk": "entry_shared"},
        data={"visibility": "private"},
    ),
    Url(
        "reflect:entry-delete",
        get=who(404, {AU: 200}),
        post=who(404, {AU: to("reflect:entry-list")}),
        kwargs={"pk": "entry_shared"},
    ),
    Url(
        "reflect:entry-history",
        **get_only(who(404, {AU: 200})),
        kwargs={"pk": "entry_shared"},
        shows={AU: ("qzShrOldBDY",)},
    ),
    Url(
        "reflect:revision-restore",
        **post_only(who(404, {AU: to("reflect:entry-detail")})),
        kwargs={"pk": "entry_shared", "revision_pk": "revision"},
    ),
    # A cohort's staff page: its tutors and the people who run its programme; counts only for admins.
    Url(
        "reflect:cohort-detail",
        **get_only(who(404, {(*TUTORS_A, *ADMINS_P1): 200})),
        kwargs={"pk": "cohort"},
        shows={AT: ("qzShrTTL", "qzT2ShrTTL"), UT: ("qzT2ShrTTL",), CA: ("Avery Author",)},
    ),
    Url(
        "reflect:cohort-detail",
        variant="cohort-b",
        **get_only(who(404, {(XT, *ADMINS_P1): 200})),
        kwargs={"pk": "cohort_b"},
        shows={XT: ("qzBShrTTL",)},
    ),
    # The author's calendar feed: its secret address is the key (calendar apps can't sign in),
    # like an unsubscribe link. It names checkpoints, never an entry: nobody but her may see
    # her titles in it, so the matrix's check of every role's response covers that.
    Url(
        "reflect:calendar-feed",
        get=who(200, anon=200),
        post=who(GONE, anon=GONE),
        kwargs={"token": "calendar_token"},
        shows={AN: ("Portfolio due: Portfolio one",), OT: ("Portfolio due: Portfolio two",)},
    ),
    Url(
        "reflect:calendar-feed",
        variant="unknown-token",
        get=who(404, anon=404),
        post=who(GONE, anon=GONE),
        kwargs={"token": "calendar_token_unknown"},
    ),
]

# --- Reflect: comments and notifications -------------------------------------------------------------------------

FEEDBACK = [
    # Tutors who read the entry start a thread; the author may only reply.
    Url(
        "reflect:comment-create",
        **post_only(who(404, {AU: 400, AT: to("reflect:entry-detail")})),
        kwargs={"entry_id": "entry_shared"},
        data={"body": "A new comment qzNewComment"},
    ),
    Url(
        "reflect:comment-reply",
        **post_only(who(404, {(AU, AT): to("reflect:entry-detail")})),
        kwargs={"pk": "comment_posted"},
        data={"body": "A new reply qzNewReply"},
    ),
    # Editing: the comment's writer only; a draft is seen by nobody else.
    Url("reflect:comment-edit", get=who(404, {AT: 200}), post=who(404, {AT: 400}), kwargs={"pk": "comment_draft"}),
    Url(
        "reflect:comment-edit",
        variant="posted",
        get=who(404, {AT: 200}),
        post=who(404, {AT: 400}),
        kwargs={"pk": "comment_posted"},
    ),
    Url(
        "reflect:comment-post", **post_only(who(404, {AT: to("reflect:entry-detail")})), kwargs={"pk": "comment_draft"}
    ),
    # Form drafts: a key signed for another person (or none) is not found; signed out
    # answers 401 JSON, not the sign-in page, so the page can say so (tests/drafts).
    Url("reflect:drafts", get=who(404, anon=401), post=who(404, anon=401)),
    Url("reflect:notification-list", **get_only(who(200)), shows={AU: ("qzNoteAU",), AT: ("qzNoteAT",)}),
    Url("reflect:notifications-read-all", **post_only(who(to("reflect:notification-list")))),
    Url(
        "reflect:notification-open", **get_only(who(404, {AU: to("reflect:entry-list")})), kwargs={"pk": "notification"}
    ),
]

# --- Reflect: rubrics ---------------------------------------------------------------------------------------------

RUBRIC_BUILDER = who(404, {ADMINS_P1: 400})  # an empty POST is an invalid form for those who run programme 1
RUBRIC_REFUSED = who(404, {ADMINS_P1: to("reflect:rubric-edit")})  # a refused change goes back to the editor

RUBRICS = [
    # Members of the programme's cohorts read its rubrics; the people who run a programme build them.
    Url("reflect:rubric-list", **get_only(who(404, {(*MEMBERS_P1, PA, XA): 200}))),
    # `Form(request.POST or None)`: an empty POST shows the form again (200), like a GET.
    Url("reflect:rubric-create", get=who(404, {PROGRAMME_RUNNERS: 200}), post=who(404, {PROGRAMME_RUNNERS: 200})),
    Url("reflect:rubric-import", get=who(404, {PROGRAMME_RUNNERS: 200}), post=who(404, {PROGRAMME_RUNNERS: 400})),
    Url("reflect:rubric-detail", **get_only(who(404, {(*MEMBERS_P1, PA): 200})), kwargs={"pk": "rubric"}),
    Url("reflect:rubric-detail", variant="programme-2", **get_only(who(404, {XA: 200})), kwargs={"pk": "rubric_p2"}),
    Url("reflect:rubric-export", **get_only(who(404, {(*MEMBERS_P1, PA): 200})), kwargs={"pk": "rubric"}),
    Url("reflect:rubric-edit", get=who(404, {ADMINS_P1: 200}), post=RUBRIC_BUILDER, kwargs={"pk": "rubric_draft"}),
    Url(
        "reflect:rubric-edit",
        variant="programme-2",
        get=who(404, {XA: 200}),
        post=who(404, {XA: 400}),
        kwargs={"pk": "rubric_p2"},
    ),
    Url(
        "reflect:rubric-new-version",
        **post_only(who(404, {ADMINS_P1: to("reflect:rubric-edit")})),
        kwargs={"pk": "rubric_draft"},
    ),
    Url("reflect:rubric-criterion-add", **post_only(RUBRIC_BUILDER), kwargs={"pk": "rubric_draft"}),
    Url(
        "reflect:rubric-criterion-edit",
        **post_only(RUBRIC_BUILDER),
        kwargs={"pk": "rubric_draft", "criterion_pk": "criterion"},
    ),
    Url(
        "reflect:rubric-criterion-move",
        **post_only(RUBRIC_REFUSED),
        kwargs={"pk": "rubric_draft", "criterion_pk": "criterion"},
    ),
    Url(
        "reflect:rubric-criterion-remove",
        get=who(404, {ADMINS_P1: 200}),
        post=RUBRIC_REFUSED,
        kwargs={"pk": "rubric_draft", "criterion_pk": "criterion"},
    ),
    Url(
        "reflect:rubric-level-add",
        **post_only(RUBRIC_BUILDER),
        kwargs={"pk": "rubric_draft", "criterion_pk": "criterion"},
    ),
    Url("reflect:rubric-level-edit", **post_only(RUBRIC_BUILDER), kwargs={"pk": "rubric_draft", "level_pk": "level"}),
    Url("reflect:rubric-level-move", **post_only(RUBRIC_REFUSED), kwargs={"pk": "rubric_draft", "level_pk": "level"}),
    Url(
        "reflect:rubric-level-remove",
        get=who(404, {ADMINS_P1: 200}),
        post=RUBRIC_REFUSED,
        kwargs={"pk": "rubric_draft", "level_pk": "level"},
    ),
]

# --- Reflect: checkpoints, portfolios, marking --------------------------------------------------------------------

# Who opens portfolio one's submission: the author; the tutor who reads her; its own second
# marker (overriding the checkpoint's) and the checkpoint's moderator. Not the checkpoint's
# second marker (overridden), not other tutors, never admins.
READ_SUB1 = (AU, AT, SM, MO)

ASSESSMENT = [
    Url("reflect:checkpoint-list", **get_only(who(200))),
    # Trainees get their workspace (an empty POST is an invalid form); staff a status table.
    Url(
        "reflect:checkpoint-detail",
        get=who(404, {(*TRAINEES, *TUTORS_A, *ADMINS_P1): 200}),
        post=who(404, {TRAINEES: 400}),
        kwargs={"pk": "checkpoint"},
    ),
    # Submitting again what is already submitted is refused with a message.
    Url(
        "reflect:checkpoint-submit",
        get=who(404, {TRAINEES: to("reflect:checkpoint-detail")}),
        post=who(404, {AU: to("reflect:checkpoint-detail")}),
        kwargs={"pk": "checkpoint"},
        data={"submission": "@submission"},
    ),
    Url(
        "reflect:submission-start",
        **post_only(who(404, {TRAINEES: to("reflect:checkpoint-detail")})),
        kwargs={"pk": "checkpoint"},
    ),
    Url(
        "reflect:submission-detail",
        **get_only(who(404, {READ_SUB1: 200})),
        kwargs={"pk": "submission"},
        shows={SM: ("qzSnapBDY", "qzSummary1"), MO: ("qzSnapBDY", "qzSummary1"), AT: ("qzSnapBDY",)},
    ),
    Url(
        "reflect:submission-detail",
        variant="other-trainee",
        **get_only(who(404, {READ_OT: 200})),
        kwargs={"pk": "submission_t2"},
    ),
    # A portfolio still being prepared: its trainee is sent to her workspace; nobody else sees it.
    Url(
        "reflect:submission-detail",
        variant="being-prepared",
        **get_only(who(404, {OT: to("reflect:checkpoint-detail")})),
        kwargs={"pk": "submission_t2_draft"},
    ),
    Url(
        "reflect:submission-detail",
        variant="released",
        **get_only(who(404, {(AU, AT): 200})),
        kwargs={"pk": "submission_2"},
        shows={AU: ("qzSnap2BDY",)},
    ),
    # Withdrawing: the author only, and not once marking has started.
    Url(
        "reflect:submission-withdraw",
        get=who(404, {AU: 200}),
        post=who(404, {AU: to("reflect:checkpoint-detail")}),
        kwargs={"pk": "submission"},
    ),
    # Markers go back to their own marking; anyone else who may read it is told why not.
    Url(
        "reflect:submission-assess",
        **post_only(
            who(
                404,
                {(AT, SM): to("reflect:assessment-edit"), MO: to("reflect:submission-detail")},
            )
        ),
        kwargs={"pk": "submission"},
    ),
    Url(
        "reflect:submission-assess",
        variant="other-trainee",
        **post_only(
            who(
                404,
                {
                    (AT, UT): to("reflect:assessment-edit"),
                    (SM, MO): to("reflect:submission-detail"),
                },
            )
        ),
        kwargs={"pk": "submission_t2"},
    ),
    # Moderation opens to the allocated moderator once both markings are complete.
    Url(
        "reflect:submission-moderate",
        get=who(404, {MO: to("reflect:submission-detail")}),
        post=who(404, {MO: to("reflect:submission-detail")}),
        kwargs={"pk": "submission"},
    ),
    # The first marker (or the course admin, on /manage/) chooses this submission's markers.
    Url(
        "reflect:submission-allocate",
        **post_only(who(404, {AT: to("reflect:submission-detail")})),
        kwargs={"pk": "submission"},
    ),
    Url(
        "reflect:submission-moderate",
        variant="other-trainee",
        get=who(404, {MO: 200}),
        post=who(404, {MO: to("reflect:submission-moderate")}),
        kwargs={"pk": "submission_t2"},
        shows={MO: ("qzT2FirstFB", "qzT2SecondFB")},
    ),
    # Released feedback: the trainee (who acknowledges it) and the tutor who reads her.
    Url(
        "reflect:submission-feedback",
        get=who(404, {(AU, AT): 200}),
        post=who(404, {AU: to("reflect:submission-feedback")}),
        kwargs={"pk": "submission_2"},
        shows={AU: ("qzRelFB",), AT: ("qzRelFB",)},
    ),
    Url("reflect:submission-feedback", variant="unreleased", get=who(404), post=who(404), kwargs={"pk": "submission"}),
    # Markings: blind until both are complete; the moderator reads complete ones.
    # The moderator reads markings only once both are complete (here the second isn't).
    Url(
        "reflect:assessment-edit",
        get=who(404, {AT: 200}),
        post=who(404, {AT: to("reflect:assessment-edit")}),
        kwargs={"pk": "marking_first"},
        shows={AT: ("qzFirstFB", "qzFirstCRIT")},
    ),
    Url(
        "reflect:assessment-edit",
        variant="second-in-progress",
        get=who(404, {SM: 200}),
        post=who(404, {SM: to("reflect:assessment-edit")}),
        kwargs={"pk": "marking_second"},
        shows={SM: ("qzSecondFB",)},
    ),
    Url(
        "reflect:assessment-edit",
        variant="both-complete",
        get=who(404, {(AT, UT, MO): 200}),
        post=who(404, {AT: to("reflect:assessment-edit")}),
        kwargs={"pk": "marking_t2_first"},
    ),
    Url(
        "reflect:assessment-edit",
        variant="released",
        get=who(404, {AU: to("reflect:submission-feedback"), AT: 200}),
        post=who(404, {AT: 400}),
        kwargs={"pk": "marking_released"},
    ),
    # Release: the marker only; a second-marked submission releases its agreed marking instead.
    Url(
        "reflect:assessment-release",
        get=who(404, {AT: 200}),
        post=who(404, {AT: to("reflect:assessment-edit")}),
        kwargs={"pk": "marking_first"},
    ),
]

# --- Course admin: /manage/ and the reminder schedule ---------------------------------------------------------------

# A form page of the people who run programme 1; an empty POST is an invalid form (400)...
ADMIN_FORM = {"get": who(404, {ADMINS_P1: 200}), "post": who(404, {ADMINS_P1: 400})}
# ...or, for a `Form(request.POST or None)` page, the form shown again (200).
ADMIN_FORM_UNBOUND = {"get": who(404, {ADMINS_P1: 200}), "post": who(404, {ADMINS_P1: 200})}

MANAGE = [
    Url("reflect:cohort-schedule", **ADMIN_FORM, kwargs={"pk": "cohort"}),
    Url("reflect:cohort-schedule", variant="cohort-b", **ADMIN_FORM, kwargs={"pk": "cohort_b"}),
    # Clearing a member's refused-address mark: only for a member of that cohort.
    Url(
        "reflect:cohort-email-try-again",
        **post_only(who(404, {ADMINS_P1: to("reflect:cohort-schedule")})),
        kwargs={"pk": "cohort_b", "user_pk": "user_b_trainee"},
    ),
    Url(
        "reflect:cohort-email-try-again",
        variant="not-a-member",
        **post_only(who(404)),
        kwargs={"pk": "cohort", "user_pk": "user_b_trainee"},
    ),
    Url(
        "reflect:manage-home",
        **get_only(who(200)),
        shows={CA: ("Cohort A", "Cohort B"), PA: ("Cohort A", "Cohort B"), XA: ("Cohort C",)},
    ),
    Url(
        "reflect:manage-programme-create",
        get=who(404, {(*PROGRAMME_RUNNERS, SO): 200}),
        post=who(404, {(*PROGRAMME_RUNNERS, SO): 200}),
    ),
    Url("reflect:manage-programme-edit", **ADMIN_FORM_UNBOUND, kwargs={"pk": "programme"}),
    Url(
        "reflect:manage-programme-edit",
        variant="programme-2",
        get=who(404, {XA: 200}),
        post=who(404, {XA: 200}),
        kwargs={"pk": "programme_2"},
    ),
    Url("reflect:manage-cohort-create", **ADMIN_FORM_UNBOUND, kwargs={"pk": "programme"}),
    Url("reflect:manage-cohort-edit", **ADMIN_FORM_UNBOUND, kwargs={"pk": "cohort"}),
    Url("reflect:manage-cohort-edit", variant="cohort-b", **ADMIN_FORM_UNBOUND, kwargs={"pk": "cohort_b"}),
    Url(
        "reflect:manage-cohort-archive",
        get=who(404, {ADMINS_P1: 200}),
        post=who(404, {ADMINS_P1: to("reflect:manage-home")}),
        kwargs={"pk": "cohort"},
    ),
    Url(
        "reflect:manage-cohort-unarchive",
        **post_only(who(404, {ADMINS_P1: to("reflect:manage-home")})),
        kwargs={"pk": "cohort"},
    ),
    Url(
        "reflect:manage-members",
        **get_only(who(404, {ADMINS_P1: 200})),
        kwargs={"pk": "cohort"},
        shows={CA: ("Avery Author", "Casey Assignedtutor")},
    ),
    Url("reflect:manage-member-add", **post_only(who(404, {ADMINS_P1: 400})), kwargs={"pk": "cohort"}),
    # Inviting one person: an empty form is refused with its errors; a complete one invites.
    Url("reflect:manage-member-invite", **post_only(who(404, {ADMINS_P1: 400})), kwargs={"pk": "cohort"}),
    Url(
        "reflect:manage-member-invite",
        variant="complete",
        **post_only(who(404, {ADMINS_P1: to("reflect:manage-members")})),
        kwargs={"pk": "cohort"},
        data={"invite-first_name": "Quinn", "invite-email": "quinn.new@example.test", "invite-role": "trainee"},
    ),
    Url("reflect:manage-assign-tutors", **post_only(who(404, {ADMINS_P1: 400})), kwargs={"pk": "cohort"}),
    Url(
        "reflect:manage-member-remove",
        get=who(404, {ADMINS_P1: 200}),
        post=who(404, {ADMINS_P1: to("reflect:manage-members")}),
        kwargs={"pk": "cohort", "membership_pk": "membership_other"},
    ),
    Url(
        "reflect:manage-member-role",
        get=who(404, {ADMINS_P1: to("reflect:manage-members")}),
        post=who(404, {ADMINS_P1: to("reflect:manage-members")}),
        kwargs={"pk": "cohort", "membership_pk": "membership_other"},
    ),
    Url(
        "reflect:manage-member-move",
        **ADMIN_FORM_UNBOUND,
        kwargs={"pk": "cohort", "membership_pk": "membership_other"},
    ),
    Url("reflect:manage-roster-import", **ADMIN_FORM, kwargs={"pk": "cohort"}),
    Url(
        "reflect:manage-roster-preview",
        **get_only(who(404, {ADMINS_P1: 200})),
        kwargs={"pk": "cohort", "key": "roster_key"},
        shows={CA: ("rory.roster@example.test",)},
    ),
    Url(
        "reflect:manage-roster-apply",
        **post_only(who(404, {ADMINS_P1: to("reflect:manage-roster-result")})),
        kwargs={"pk": "cohort", "key": "roster_key"},
    ),
    Url(
        "reflect:manage-roster-result",
        **get_only(who(404, {ADMINS_P1: 200})),
        kwargs={"pk": "cohort", "key": "roster_done_key"},
    ),
    Url("reflect:manage-roster-template", **get_only(who(404, {PROGRAMME_RUNNERS: 200}))),
    Url(
        "reflect:manage-invitations",
        **get_only(who(404, {ADMINS_P1: 200})),
        kwargs={"pk": "cohort"},
        shows={CA: ("invitee@example.test",)},
    ),
    Url(
        "reflect:manage-invitation-resend",
        **post_only(who(404, {ADMINS_P1: to("reflect:manage-invitations")})),
        kwargs={"pk": "invitation"},
    ),
    Url(
        "reflect:manage-invitation-revoke",
        get=who(404, {ADMINS_P1: 200}),
        post=who(404, {ADMINS_P1: to("reflect:manage-invitations")}),
        kwargs={"pk": "invitation"},
    ),
    # The invited person's page works without signing in: the signed link is the key.
    Url(
        "reflect:invitation-accept",
        get=who(200, anon=200),
        post=who(200, anon=200),
        kwargs={"token": "invitation_token"},
    ),
    # Checkpoints and their markers: the people who run programme 1; statuses only, never text.
    Url("reflect:manage-checkpoints", **get_only(who(404, {ADMINS_P1: 200})), kwargs={"pk": "cohort"}),
    Url("reflect:manage-checkpoint-create", **ADMIN_FORM, kwargs={"pk": "cohort"}),
    Url(
        "reflect:manage-checkpoint",
        **get_only(who(404, {ADMINS_P1: 200})),
        kwargs={"pk": "cohort", "checkpoint_pk": "checkpoint"},
    ),
    Url("reflect:manage-checkpoint-edit", **ADMIN_FORM, kwargs={"pk": "cohort", "checkpoint_pk": "checkpoint"}),
    Url(
        "reflect:manage-checkpoint-close",
        get=who(404, {ADMINS_P1: 200}),
        post=who(404, {ADMINS_P1: to("reflect:manage-checkpoints")}),
        kwargs={"pk": "cohort", "checkpoint_pk": "checkpoint"},
    ),
    Url(
        "reflect:manage-checkpoint-reopen",
        **post_only(who(404, {ADMINS_P1: to("reflect:manage-checkpoints")})),
        kwargs={"pk": "cohort", "checkpoint_pk": "checkpoint"},
    ),
    Url(
        "reflect:manage-submission-allocate",
        **post_only(who(404, {ADMINS_P1: to("reflect:manage-checkpoint")})),
        kwargs={"pk": "cohort", "checkpoint_pk": "checkpoint", "submission_pk": "submission"},
    ),
    # The audit log: the people who run programme 1.
    Url("reflect:manage-audit-log", **get_only(who(404, {ADMINS_P1: 200})), kwargs={"pk": "cohort"}),
    Url("reflect:manage-audit-log-csv", **get_only(who(404, {ADMINS_P1: 200})), kwargs={"pk": "cohort"}),
    Url("reflect:manage-report", **get_only(who(404, {ADMINS_P1: 200})), kwargs={"pk": "cohort"}),
    Url("reflect:manage-report", variant="cohort-b", **get_only(who(404, {ADMINS_P1: 200})), kwargs={"pk": "cohort_b"}),
    Url("reflect:manage-report-csv", **get_only(who(404, {ADMINS_P1: 200})), kwargs={"pk": "cohort"}),
]

# --- Accounts ------------------------------------------------------------------------------------------------------

ACCOUNTS = [
    # Every browser asks for it, signed in or not: sent to the static file.
    Url("favicon", get=who("302>/static/favicon.ico", anon="302>/static/favicon.ico"), post=who(GONE, anon=GONE)),
    # Signed links: they work for whoever holds them, signed in or not.
    Url(
        "accounts:accept-invitation",
        get=who(to("account_signup"), anon=to("account_signup")),
        post=who(to("account_signup"), anon=to("account_signup")),
        kwargs={"token": "signup_token"},
    ),
    Url("accounts:preferences", get=who(200), post=who(400)),
    Url("accounts:email-try-again", **post_only(who(to("accounts:preferences")))),
    # GET asks "Reset your calendar link?"; POST resets one's own link, whoever one is.
    Url("accounts:calendar-reset", get=who(200), post=who(to("accounts:preferences"))),
    Url(
        "accounts:unsubscribe",
        get=who(200, anon=200),
        post=who(200, anon=200),
        kwargs={"token": "unsubscribe_token"},
        data={"List-Unsubscribe": "One-Click"},
    ),
    Url(
        "accounts:resubscribe", get=who(GONE, anon=GONE), post=who(200, anon=200), kwargs={"token": "unsubscribe_token"}
    ),
]

# --- allauth (sign-in, sign-up, passwords, two-factor) -------------------------------------------------------------
# Each person's own account pages: nothing here is access-controlled beyond "signed in",
# and nothing may show anyone's writing. Empty POSTs show the form again with errors.

HOME = to("reflect:dashboard")

ALLAUTH = [
    Url("account_login", get=who(HOME, anon=200), post=who(HOME, anon=200)),
    Url("account_logout", get=who(200, anon=HOME), post=who(HOME, anon=HOME)),
    Url("account_inactive", get=who(200, anon=200), post=who(GONE, anon=GONE)),
    Url("account_signup", get=who(HOME, anon=200), post=who(HOME, anon=200)),
    Url("account_reauthenticate", get=who(200), post=who(200)),
    Url("account_email", get=who(200), post=who(to("account_email"))),
    Url("account_email_verification_sent", get=who(200, anon=200), post=who(GONE, anon=GONE)),
    Url("account_change_password", get=who(200), post=who(200)),
    Url("account_set_password", get=who(to("account_change_password")), post=who(to("account_change_password"))),
    Url("account_reset_password", get=who(200, anon=200), post=who(200, anon=200)),
    Url("account_confirm_login_code", get=who(HOME), post=who(HOME)),
    Url("account_confirm_email", get=who(200, anon=200), post=who(404, anon=404), kwargs={"key": "confirm_key"}),
    Url("account_reset_password_from_key_done", get=who(200, anon=200), post=who(GONE, anon=GONE)),
    Url(
        "account_reset_password_from_key",
        get=who(200, anon=200),
        post=who(200, anon=200),
        kwargs={"uidb36": "uidb36", "key": "reset_key"},
    ),
    Url("account_reset_password_done", get=who(200, anon=200), post=who(GONE, anon=GONE)),
    Url("mfa_index", get=who(200), post=who(GONE)),
    Url("mfa_authenticate", get=who(HOME), post=who(HOME)),
    Url("mfa_reauthenticate", get=who(to("account_reauthenticate")), post=who(to("account_reauthenticate"))),
    Url("mfa_activate_totp", get=who(to("account_reauthenticate")), post=who(to("account_reauthenticate"))),
    Url("mfa_deactivate_totp", get=who(404), post=who(404)),
    Url("mfa_view_recovery_codes", get=who(404), post=who(GONE)),
    Url(
        "mfa_generate_recovery_codes",
        get=who(to("account_reauthenticate")),
        post=who(to("account_reauthenticate")),
    ),
    Url("mfa_download_recovery_codes", get=who(404), post=who(404)),
]

# --- The Django admin: site operators only, never journal text, titles or tag names --------------------------------
# Site-level admin views send anyone who isn't staff to the admin's sign-in page; model
# pages are not exempt from LoginRequiredMiddleware, so anonymous visitors get the site's.


def staff(get: Outcome = 200, post: Outcome = 200, *, anon: Outcome = LOGIN, **extra) -> dict:
    refused = who(ADMIN_LOGIN, anon=anon)
    return {"get": {**refused, SO: get}, "post": {**refused, SO: post}, **extra}


def _model_admin(
    app: str, model_name: str, object_key: str, *, views=None, editable: bool = True, deletable: bool = True
) -> list[Url]:
    """The pages Django generates for a registered model (all five and the old-style
    redirect unless `views` names some)."""
    model = f"{app}_{model_name}"
    kwargs = {"object_id": object_key}
    # An empty POST to a change or add form shows it again with errors; read-only models answer 403.
    change_post = 200 if editable else 403
    pages = {
        "changelist": Url(f"admin:{model}_changelist", **staff(200, 200)),
        "add": Url(f"admin:{model}_add", **staff(200 if editable else 403, change_post)),
        "history": Url(f"admin:{model}_history", **staff(200, 200), kwargs=kwargs),
        "delete": Url(f"admin:{model}_delete", **staff(*((200, 200) if deletable else (403, 403))), kwargs=kwargs),
        "change": Url(f"admin:{model}_change", **staff(200, change_post), kwargs=kwargs),
        "redirect": Url(
            f"admin/{app}/{model_name}/<path:object_id>/",
            **staff(to(f"admin:{model}_change"), to(f"admin:{model}_change")),
            kwargs=kwargs,
            path=f"/admin/{app}/{model_name}/{{object_id}}/",
        ),
    }
    return [pages[view] for view in (views or pages)]


ADMIN_REPRESENTATIVE = ("changelist", "change", "delete")

DJANGO_ADMIN = [
    Url("admin:index", **staff(200, 200, anon=ADMIN_LOGIN)),
    Url("admin:login", get=who(200, {SO: to("admin:index")}, anon=200), post=who(200, anon=200)),
    # Not staff: sent back to the admin's index (which then asks them to sign in).
    Url(
        "admin:logout",
        get=who(to("admin:index"), {SO: GONE}, anon=ADMIN_LOGIN),
        post=who(to("admin:index"), {SO: 200}, anon=ADMIN_LOGIN),
    ),
    Url("admin:password_change", **staff(200, 200, anon=ADMIN_LOGIN)),
    Url("admin:password_change_done", **staff(200, GONE, anon=ADMIN_LOGIN)),
    Url("admin:autocomplete", **staff(403, GONE, anon=ADMIN_LOGIN)),
    Url("admin:jsi18n", **staff(200, GONE, anon=ADMIN_LOGIN)),
    Url(
        "admin:view_on_site",
        **staff(404, 404, anon=ADMIN_LOGIN),
        kwargs={"content_type_id": "ct_entry", "object_id": "entry_shared"},
    ),
    Url("admin:app_list", **staff(200, 200, anon=ADMIN_LOGIN), kwargs={"app_label": "app_label"}),
    Url("admin/(?P<url>.*)$", **staff(404, 404, anon=ADMIN_LOGIN), kwargs={"url": "nowhere"}, path="/admin/{url}"),
    # Every page of the models that touch writing or access: entries (read-only, by number),
    # people (a user's delete page lists everything of theirs), memberships (assignments).
    *_model_admin("reflect", "journalentry", "entry_shared", editable=False),
    *_model_admin("accounts", "user", "user_author"),
    Url("admin:auth_user_password_change", **staff(200, 200), kwargs={"id": "user_author"}),
    *_model_admin("reflect", "membership", "membership_author"),
    # Representative pages of the others.
    *_model_admin("reflect", "cohort", "cohort", views=ADMIN_REPRESENTATIVE),
    *_model_admin("reflect", "programme", "programme", views=ADMIN_REPRESENTATIVE),
    *_model_admin("accounts", "invitation", "signup_invitation", views=ADMIN_REPRESENTATIVE),
    *_model_admin("reflect", "prompt", "prompt", views=ADMIN_REPRESENTATIVE),
    # The audit log is append-only: read, never added, changed or deleted.
    *_model_admin("reflect", "auditevent", "audit_event", editable=False, deletable=False),
]

TABLE: list[Url] = [*JOURNAL, *FEEDBACK, *RUBRICS, *ASSESSMENT, *MANAGE, *ACCOUNTS, *ALLAUTH, *DJANGO_ADMIN]

# --- Patterns deliberately left out, each with the reason ------------------------------------------------------------

_THIRD_PARTY_ADMIN = (
    "Django admin page generated for a third-party model that holds no journal data (auth groups, sites, "
    "allauth email addresses and MFA authenticators, Celery beat schedules); the same staff-only admin_view "
    "gate is covered by the reflect and accounts model pages"
)
_MORE_OF_THE_SAME_ADMIN = (
    "another generated ModelAdmin page of a model with no journal text; the same view is covered for "
    "journal entries, users and memberships, and this model's changelist, change and delete pages are covered"
)


def _admin_model_patterns(app: str, model_name: str, views, reason: str) -> dict[str, str]:
    model = f"{app}_{model_name}"
    keys = [f"admin:{model}_{view}" for view in views if view != "redirect"]
    if "redirect" in views:
        keys.append(f"admin/{app}/{model_name}/<path:object_id>/")
    return dict.fromkeys(keys, reason)


ALL_ADMIN_VIEWS = ("changelist", "add", "history", "delete", "change", "redirect")
SKIPPED: dict[str, str] = {}
for _app, _model in (
    ("auth", "group"),
    ("sites", "site"),
    ("account", "emailaddress"),
    ("mfa", "authenticator"),
    ("django_celery_beat", "periodictask"),
    ("django_celery_beat", "clockedschedule"),
    ("django_celery_beat", "crontabschedule"),
    ("django_celery_beat", "solarschedule"),
    ("django_celery_beat", "intervalschedule"),
):
    SKIPPED.update(_admin_model_patterns(_app, _model, ALL_ADMIN_VIEWS, _THIRD_PARTY_ADMIN))
for _app, _model in (
    ("reflect", "cohort"),
    ("reflect", "programme"),
    ("accounts", "invitation"),
    ("reflect", "prompt"),
):
    SKIPPED.update(_admin_model_patterns(_app, _model, ("add", "history", "redirect"), _MORE_OF_THE_SAME_ADMIN))


# --- The resolver --------------------------------------------------------------------------------------------------


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def url_keys() -> dict[str, str]:
    """Every URL pattern of the project: its key (``namespace:name``, or the route when
    it has no name) → its route."""
    return dict(_walk(get_resolver().url_patterns))
