"""Password logins and sessions: refused for inactive users and for users of a deactivated organisation."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .rules import account_usable


class ActiveOrganisationBackend(ModelBackend):
    """Django's model backend, plus the organisation check of ``account_usable``.

    ``get_user`` runs on every request that carries a session, so an open session of a user whose organisation
    was deactivated resolves to an anonymous user at its next request.
    """

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and account_usable(user)

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("organisation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
