"""Reflective templates: the stages each one walks through, in our own words."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    question: str


FREE = "free"
GIBBS = "gibbs"
DRISCOLL = "driscoll"

TEMPLATE_CHOICES = [
    (FREE, "Free writing"),
    (GIBBS, "Gibbs reflective cycle"),
    (DRISCOLL, "Driscoll: What? So what? Now what?"),
]

STAGES: dict[str, list[Stage]] = {
    FREE: [],
    GIBBS: [
        Stage("description", "Description", "What happened? Set the scene briefly: who, where, what was said or done."),
        Stage("feelings", "Feelings", "What were you feeling and noticing in your body, then and now?"),
        Stage("evaluation", "Evaluation", "What felt attuned or helpful, and what felt out of step?"),
        Stage("analysis", "Analysis", "What might explain it? Bring in theory, your own patterns, the relationship."),
        Stage("conclusion", "Conclusion", "What do you understand now that you didn't before?"),
        Stage("action_plan", "Action plan", "What will you try, notice or take to supervision next time?"),
    ],
    DRISCOLL: [
        Stage("what", "What?", "What happened, and what was your part in it?"),
        Stage("so_what", "So what?", "Why does it matter? What did it stir in you and in the relationship?"),
        Stage("now_what", "Now what?", "What will you do differently, and what support do you need?"),
    ],
}


def section_field_name(template: str, key: str) -> str:
    """The editor's field for one stage, e.g. "gibbs_feelings"."""
    return f"{template}_{key}"


def stages_for(template: str) -> list[Stage]:
    return STAGES.get(template, [])


def compose_body(template: str, sections: dict[str, str]) -> str:
    """The Markdown text of a templated entry: one heading per stage that has text."""
    parts = []
    for stage in stages_for(template):
        text = (sections.get(stage.key) or "").strip()
        if text:
            parts.append(f"### {stage.label}\n\n{text}")
    return "\n\n".join(parts)
