"""Where moderation starts from, and what a finished agreed marking may not contain.

The moderator agrees one marking from the first and the second; that agreed marking
is all the trainee ever reads. So it starts from both markers' work rather than
from nothing: the level where both chose the same one, and their comments, with
labels where both wrote something different. The labels are for the moderator to
edit away; an agreed marking still carrying them can't be completed, because the
trainee would read two markers' unmerged drafts as "the agreed feedback"."""

from dataclasses import dataclass, field

from reflect.assessment.models import Assessment

FIRST_LABEL = "[First marker]"
SECOND_LABEL = "[Second marker]"
LABELS = (FIRST_LABEL, SECOND_LABEL)
MARKERS = {"first": "First marker", "second": "Second marker"}


@dataclass
class Start:
    """The agreed marking's starting point: criterion id → level id / comment."""

    levels: dict[int, int] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    overall_feedback: str = ""
    outcome: str = ""


def merged(first: str, second: str) -> str:
    """Both markers' texts for the moderator to edit into one. Labelled only when both
    wrote something and it differs; otherwise the one text as it is."""
    first, second = first.strip(), second.strip()
    if not first or not second or first == second:
        return first or second
    return f"{FIRST_LABEL}\n{first}\n\n{SECOND_LABEL}\n{second}"


def used_note(key: str, *, overall: bool = False) -> str:
    """What the page says once a "Use … marker's" button has put that marking in."""
    marker = MARKERS[key].lower()
    if overall:
        return f"The {marker}'s overall feedback is in the agreed feedback. Save to keep it."
    return f"The {marker}'s level and comment are now agreed here. Save to keep them."


def still_labelled(text: str) -> bool:
    """True while a text still holds a marker label on a line of its own."""
    return any(line.strip() in LABELS for line in text.splitlines())


def starting_point(first: Assessment, second: Assessment, comparison: list[dict]) -> Start:
    """`comparison` is `services.agreement(first=…, second=…)`: one row per criterion."""
    start = Start(
        overall_feedback=merged(first.overall_feedback, second.overall_feedback),
        outcome=first.outcome if first.outcome == second.outcome else "",
    )
    for row in comparison:
        pk, a, b = row["criterion"].pk, row["first"], row["second"]
        if row["agree"]:
            start.levels[pk] = a.level_id
        comment = merged(a.comment if a else "", b.comment if b else "")
        if comment:
            start.comments[pk] = comment
    return start


def unmerged(comments: dict[int, str], overall_feedback: str, titles: dict[int, str]) -> list[str]:
    """What still carries marker labels, by name: criterion titles, then "Overall feedback"."""
    names = [titles.get(pk, "a criterion") for pk, text in comments.items() if still_labelled(text)]
    return names + (["Overall feedback"] if still_labelled(overall_feedback) else [])


def same_text(a: str, b: str) -> bool:
    """Equal once a browser's line endings and the edges are set aside."""
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
