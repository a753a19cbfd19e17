"""The privacy registry: for every model that refers to a person, what of it goes into
that person's export and what their erasure does to it. Export (Account → Export my
data) and erasure read these rules; `tests/reflect/test_privacy_registry.py` fails
when a model that refers to a person is missing here, so no new kind of personal
data can ship without saying how it is taken away or erased. (Moodle's Privacy API
is the model.)

`erase` is one of:
- DELETE: the person's rows are deleted.
- ANONYMISE: rows stay for others' records, with the person replaced by "a former …".
- KEEP: rows stay as they are, for the reason given (`why`), and hold no writing of theirs.
"""

from dataclasses import dataclass

DELETE, ANONYMISE, KEEP = "delete", "anonymise", "keep"


@dataclass(frozen=True)
class Rule:
    fields: tuple[str, ...]  # the fields that point at the person
    export: str  # what their export holds of it ("" = nothing)
    erase: str
    why: str = ""


REGISTRY: dict[str, Rule] = {
    # --- what a person writes --------------------------------------------------------
    "reflect.JournalEntry": Rule(
        ("author",), "every entry as Markdown and JSON: all fields, tags, check-ins and revisions", DELETE
    ),
    "reflect.Tag": Rule(("owner",), "tag names, with the entries", DELETE),
    "reflect.FormDraft": Rule(("user",), "unsent drafts", DELETE),
    "reflect.Comment": Rule(
        ("author",),
        "comments they wrote, and the comments on their entries",
        ANONYMISE,
        "a trainee's comments go with their entries; a tutor's stay on others' entries as 'a former tutor'",
    ),
    "reflect.Submission": Rule(
        ("trainee",),
        "submissions with their snapshots, summaries and released feedback",
        ANONYMISE,
        "released assessments are the programme's record, kept for its retention period with the trainee anonymised",
    ),
    "reflect.Assessment": Rule(
        ("assessor",), "", ANONYMISE, "a marking belongs to the trainee's record; its marker becomes 'a former tutor'"
    ),
    # --- what is recorded about them ---------------------------------------------------
    "reflect.AccessEvent": Rule(("user",), "who read their entries, when", DELETE),
    "reflect.Notification": Rule(("user", "actor"), "their notifications", DELETE),
    "reflect.Membership": Rule(("user", "assigned_trainees"), "their cohorts and roles", DELETE),
    "reflect.MembershipMove": Rule(("user", "moved_by"), "moves between cohorts", ANONYMISE, "the cohort's history"),
    "reflect.Allocation": Rule(("user", "allocated_by"), "", DELETE),
    "reflect.CohortInvitation": Rule(("invited_by", "user"), "", ANONYMISE, "the cohort's history of who was invited"),
    "reflect.AuditEvent": Rule(
        ("actor", "subject"), "", ANONYMISE, "the audit log is kept; it names people, never their writing"
    ),
    "reflect.Delivery": Rule(("user",), "", DELETE),
    "reflect.Programme": Rule(("admins",), "", KEEP, "the programme stays; the person is removed from its admins"),
    "reflect.Rubric": Rule(("created_by",), "", ANONYMISE, "rubrics are the programme's, used by markings"),
    # --- the account itself ------------------------------------------------------------
    "accounts.NotificationPreferences": Rule(("user",), "their settings", DELETE),
    "accounts.Invitation": Rule(("invited_by",), "", ANONYMISE, "sign-up invitations they sent stay valid"),
    "account.EmailAddress": Rule(("user",), "their email addresses", DELETE),
    "mfa.Authenticator": Rule(("user",), "", DELETE, "secrets are never exported"),
    "admin.LogEntry": Rule(("user",), "", ANONYMISE, "the operators' log; it holds object names, never text"),
}
