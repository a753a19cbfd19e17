from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from accounts.invitations import invitation_from_session


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Sign-up is open only with a valid invitation, unless OPEN_SIGNUP is set."""
        if settings.OPEN_SIGNUP:
            return True
        return invitation_from_session(request) is not None
