"""Every email the site sends is rendered here: plain text plus HTML from
templates/emails/<name>_subject.txt, <name>_message.txt and <name>_message.html.

It sits in accounts, the bottom layer, so every capability that emails people
(reminders, course admin invitations) renders them the same way."""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_mail(name: str, to: str, context: dict, *, headers: dict[str, str] | None = None) -> EmailMultiAlternatives:
    """The email `name` to one address, ready to send. Templates get `site_url`;
    `headers` (such as List-Unsubscribe) are added to Auto-Submitted, which tells
    mail servers and out-of-office replies that no person sent it."""
    context = {"site_url": settings.SITE_URL, **context}
    # A subject is one line, however the template wraps it.
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=tidy(render_to_string(f"emails/{name}_message.txt", context)),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    message.attach_alternative(render_to_string(f"emails/{name}_message.html", context), "text/html")
    return message


def tidy(text: str) -> str:
    """Template tags leave blank lines behind; keep at most one between paragraphs."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"
