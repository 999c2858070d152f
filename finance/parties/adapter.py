"""django-allauth wired to the platform: logins it performs (after an email confirmation) go through our own
authentication backend, so the session is checked like any other (``backends.ActiveOrganisationBackend``)."""
from allauth.account.adapter import DefaultAccountAdapter

BACKEND = "finance.parties.backends.ActiveOrganisationBackend"


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request, user):
        # allauth would otherwise pick the first backend with get_user (django-axes' one, which finds nobody)
        user.backend = BACKEND
        super().login(request, user)
