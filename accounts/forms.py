from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms

from accounts.invitations import SESSION_KEY, invitation_accept, invitation_from_session


def _invitation():
    # allauth's signup view doesn't hand the request to its form; its
    # middleware keeps the current request in a context variable instead.
    request = context.request
    return invitation_from_session(request) if request is not None else None


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        max_length=80,
        label="Your name as others will see it",
        help_text="Tutors see this name next to anything you share.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invitation = _invitation()
        if invitation is not None:
            self.initial.setdefault("email", invitation.email)

    def clean_email(self):
        email = super().clean_email()
        invitation = _invitation()
        if invitation is not None and invitation.email != email.lower():
            raise forms.ValidationError(f"This invitation is for {invitation.email}. Please sign up with that address.")
        return email

    def save(self, request):
        invitation = invitation_from_session(request)
        user = super().save(request)
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
        if invitation is not None:
            invitation_accept(invitation=invitation, user=user)
            request.session.pop(SESSION_KEY, None)
        return user
