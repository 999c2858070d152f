"""`Authorization: Api-Key <key>`: a bank's system acts as its organisation's system user."""
from rest_framework import authentication, exceptions

from finance.parties.models import OrganisationAPIKey


class OrganisationAPIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(self.keyword + " "):
            return None
        key = header[len(self.keyword) + 1:].strip()
        try:
            api_key = OrganisationAPIKey.objects.get_from_key(key)
        except OrganisationAPIKey.DoesNotExist:
            api_key = None
        if api_key is None or not api_key.is_valid(key) or not api_key.user.is_active:
            raise exceptions.AuthenticationFailed("API 密钥无效 / invalid API key")
        return api_key.user, api_key

    def authenticate_header(self, request):
        return self.keyword
