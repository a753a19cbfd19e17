from django import template

from reflect.journal.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text)


@register.simple_tag
def page_url(query: str, number: int, base: str = "", param: str = "page") -> str:
    """A link to page `number`: `?query&page=N` on the current URL, or on `base` when given
    (a page redrawn at a POST-only URL must link back to its GET page)."""
    param = param or "page"
    return f"{base}?{query}&{param}={number}" if query else f"{base}?{param}={number}"
