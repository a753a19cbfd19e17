"""`{% draft_attrs "marking" assessment.pk %}` on a <form> makes static/js/drafts.js keep
what is typed in it as the signed-in person's draft (reflect/drafts)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from reflect.drafts.keys import token_for

register = template.Library()


@register.simple_tag(takes_context=True)
def draft_attrs(context, kind: str, *ids) -> str:
    request = context["request"]
    if not request.user.is_authenticated:
        return ""
    key = ":".join([kind, *(str(i) for i in ids if i not in (None, ""))])
    token = token_for(request.user.pk, key)
    attrs = format_html(' data-draft="{}" data-draft-url="{}"', token, reverse("reflect:drafts"))
    if request.method == "POST" and request.POST.get("_draft") == token:
        # This form is shown again in answer to its own sending (errors, or a choice made
        # on the page): the browser's copy of that sending arrived and is in the form.
        attrs += format_html(' data-draft-echo="{}"', request.POST.get("_draft_nonce", "")[:40])
    return attrs
