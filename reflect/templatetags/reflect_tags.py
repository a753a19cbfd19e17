import datetime

from django import template
from django.template.defaultfilters import pluralize
from django.utils import timezone

from reflect.journal.editor import is_editor_path
from reflect.journal.markdown import render_markdown

register = template.Library()


@register.filter
def is_editor_url(path: str) -> bool:
    return is_editor_path(path)


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.simple_tag
def page_url(query: str, number: int, base: str = "", param: str = "page") -> str:
    """A link to page `number`: `?query&page=N` on the current URL, or on `base` when given
    (a page redrawn at a POST-only URL must link back to its GET page)."""
    param = param or "page"
    return f"{base}?{query}&{param}={number}" if query else f"{base}?{param}={number}"


@register.filter
def due_phrase(moment: datetime.datetime, today: datetime.date | None = None) -> str:
    """How far away a deadline is, counted in calendar days of the current time
    zone (the reader's own): "today", "tomorrow", "in 3 days", "in 2 weeks",
    "yesterday", "3 days ago". Reads after "due": "due in 3 days"."""
    today = today or timezone.localdate()
    days = (timezone.localtime(moment).date() - today).days
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}
    if days in named:
        return named[days]
    span = _span(abs(days))
    return f"in {span}" if days > 0 else f"{span} ago"


def _span(days: int) -> str:
    if days < 14:
        count, unit = days, "day"
    elif days < 60:
        count, unit = days // 7, "week"
    else:
        count, unit = days // 30, "month"
    return f"{count} {unit}{pluralize(count)}"
