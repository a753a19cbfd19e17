from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from accounts.invitations import SESSION_KEY, invitation_accept, invitation_from_session


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        max_length=80,
        label="Your name as others will see it",
        help_text="Tutors see this name next to anything you share.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = getattr(self, "request", None)
        invitation = invitation_from_session(request) if request is not None else None
        if invitation is not None:
            self.fields["email"].initial = invitation.email

    def clean_email(self):
        email = super().clean_email()
        invitation = invitation_from_session(self.request) if getattr(self, "request", None) else None
        if invitation is not None and invitation.email != email.lower():
            raise forms.ValidationError(
                f"This invitation is for {invitation.email}. Please sign up with that address."
            )
        return email

    def save(self, request):
        user = super().save(request)
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
        invitation = invitation_from_session(request)
        if invitation is not None:
            invitation_accept(invitation=invitation, user=user)
            request.session.pop(SESSION_KEY, None)
        return user
