from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render

from accounts.invitations import SESSION_KEY
from accounts.models import INVITATION_VALID_FOR, Invitation


@login_not_required
def accept_invitation(request, token: str):
    """Remember the invitation in the session and send the visitor to sign-up.
    An expired link gets a page saying what to do instead (410: it existed)."""
    invitation = get_object_or_404(Invitation, token=token)
    if not invitation.is_open:
        messages.info(request, "This invitation has already been used. Please sign in instead.")
        return redirect("account_login")
    if invitation.is_expired:
        request.session.pop(SESSION_KEY, None)
        context = {"invitation": invitation, "valid_days": INVITATION_VALID_FOR.days}
        return render(request, "account/invitation_expired.html", context, status=410)
    request.session[SESSION_KEY] = invitation.token
    return redirect("account_signup")
