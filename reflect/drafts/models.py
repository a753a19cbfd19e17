from django.conf import settings
from django.db import models

from config.encrypted_fields import EncryptedJSONField


class FormDraft(models.Model):
    """What one person has typed into one form and not yet sent: the portfolio summary,
    a marking, a comment or reply. Only its writer ever reads it back (through a key
    signed for them), and sending the form empties it.

    `sent_nonce` names the last sending the server received, so that a browser's own
    copy taken at that moment can tell it arrived and need not be offered again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts")
    key = models.CharField(max_length=120)
    values = EncryptedJSONField(default=dict, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    sent_nonce = models.CharField(max_length=40, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="form_draft_one_per_form")]
        indexes = [models.Index(fields=["updated_at"], name="form_draft_updated")]

    def __str__(self) -> str:
        # Never the text: this may be shown in logs or the admin's delete confirmation.
        return f"Draft {self.key} of user #{self.user_id}"
