"""django-allauth's emails (confirming an address, resetting a password, sign-in
codes, security notices) go through the outbox too.

They are sent at once, in the request, as allauth expects: the person is
waiting for them. What the outbox adds is that a mail server refusing for now
(greylisting, a full queue, no connection) is no longer a lost email or an
error page: the row waits and the sweep sends it later. The rendered email is
kept in the row only until it is done, so a password-reset link does not stay
in the database."""

import datetime
import uuid

from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.utils import timezone

from accounts.adapter import AccountAdapter
from reflect.outbox.kinds import Kind, register
from reflect.outbox.models import Delivery, DeliveryKind, DeliveryStatus
from reflect.outbox.sending import delivery_send

KEEPS = datetime.timedelta(days=1)  # a confirmation or reset link later than this is better asked for again


class OutboxAccountAdapter(AccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        account_email_send(self.render_mail(template_prefix, email, context))


def account_email_send(message: EmailMessage) -> str:
    """Record the email as an outbox row and try it now; its status."""
    html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
    row = Delivery.objects.create(
        kind=DeliveryKind.ACCOUNT,
        to=message.to[0],
        period=uuid.uuid4().hex,
        payload={
            "subject": message.subject,
            "from": message.from_email,
            "body": message.body,
            "html": html,
            "subtype": message.content_subtype,
            "headers": dict(message.extra_headers),
        },
        expires_at=timezone.now() + KEEPS,
    )
    return delivery_send(delivery_id=row.pk)


def _build(delivery: Delivery, context) -> EmailMessage | None:
    payload = delivery.payload
    if not payload.get("subject"):
        return None
    message = EmailMultiAlternatives(
        payload["subject"], payload["body"], payload["from"], [delivery.to], headers=payload.get("headers") or {}
    )
    message.content_subtype = payload.get("subtype") or "plain"
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    return message


def _forget_when_done(delivery: Delivery, status: str, error: str) -> None:
    if status != DeliveryStatus.PENDING:
        Delivery.objects.filter(pk=delivery.pk).update(payload={})


def register_kinds() -> None:
    register(DeliveryKind.ACCOUNT, Kind(build=_build, on_outcome=_forget_when_done))
