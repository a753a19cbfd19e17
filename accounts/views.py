from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect

from accounts.invitations import SESSION_KEY
from accounts.models import Invitation


@login_not_required
def accept_invitation(request, token: str):
    """Remember the invitation in the session and send the visitor to sign-up."""
    invitation = get_object_or_404(Invitation, token=token)
    if not invitation.is_open:
        messages.info(request, "This invitation has already been used. Please sign in instead.")
        return redirect("account_login")
    request.session[SESSION_KEY] = invitation.token
    return redirect("account_signup")
