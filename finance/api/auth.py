"""Who is calling the API, and how often.

* ``Authorization: Api-Key <key>``: a bank's (or guarantor's) system acts as its organisation's system user. A
  key is refused once revoked or expired, or when its user or organisation is deactivated.
* A browser session is accepted too, under the same second-factor rule as pages
  (``finance.parties.rules.needs_second_factor``): an approver who has not passed the one-time password in
  this session gets 403 ``second_factor_required``.
* Throttling (DRF over the Django cache, Redis in production): per API key and per client address; wrong API
  keys count per client address and, past their limit, are answered 429 before the key is even looked at.
  Every 429 is problem+json with ``Retry-After``.
"""
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions
from rest_framework.throttling import SimpleRateThrottle

from finance.core.errors import PermissionDenied
from finance.parties.models import OrganisationAPIKey
from finance.parties.rules import account_usable, needs_second_factor
from finance.web.client import client_address


class AddressRateThrottle(SimpleRateThrottle):
    """Every API request, per client address (the address the trusted proxy saw, never a client-sent
    header)."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or "unknown"}


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests authenticated by an API key, per key."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(getattr(request, "auth", None), OrganisationAPIKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}


class FailedKeyThrottle(SimpleRateThrottle):
    """Wrong API keys, per client address: DRF's throttles run after authentication, so they never see
    these."""

    scope = "auth_failure"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or "unknown"}

    def _load(self, request):
        self.key = self.get_cache_key(request)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def refuse_if_over(self, request):
        if self.rate is None:
            return
        self._load(request)
        if len(self.history) >= self.num_requests:
            raise exceptions.Throttled(wait=self.wait())

    def record(self, request):
        if self.rate is None:
            return
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class OrganisationAPIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(self.keyword + " "):
            return None
        failures = FailedKeyThrottle()
        failures.refuse_if_over(request)
        key = header[len(self.keyword) + 1:].strip()
        try:
            api_key = OrganisationAPIKey.objects.get_from_key(key)
        except OrganisationAPIKey.DoesNotExist:
            api_key = None
        if (api_key is None or not api_key.is_valid(key) or api_key.has_expired
                or not api_key.organisation.is_active or not account_usable(api_key.user)):
            failures.record(request)
            raise exceptions.AuthenticationFailed("API 密钥无效 / invalid API key")
        return api_key.user, api_key

    def authenticate_header(self, request):
        return self.keyword


class SecondFactorSessionAuthentication(authentication.SessionAuthentication):
    """The browser session (with its CSRF check), under the pages' second-factor rule."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and needs_second_factor(result[0]):
            raise PermissionDenied("审批人须先完成第二重身份验证（一次性密码）",
                                   "approvers must first pass the second factor (one-time password)",
                                   code="second_factor_required")
        return result


class SecondFactorSessionScheme(SessionScheme):
    """OpenAPI: the session scheme, as drf-spectacular describes Django's (cookie ``sessionid``)."""

    target_class = "finance.api.auth.SecondFactorSessionAuthentication"

