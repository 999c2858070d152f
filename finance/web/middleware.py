"""When KEJIN_REQUIRE_OTP is on, approvers and administrators must pass a one-time-password check.

Pages redirect to the one-time-password form; the API (under /api/) is left to its own authentication, which
applies the same rule to sessions (finance.api.auth.SecondFactorSessionAuthentication) and none to API keys.
"""
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from finance.parties.rules import needs_second_factor


class SecondFactorMiddleware:
    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.EXEMPT_PREFIXES) and needs_second_factor(
            getattr(request, "user", None)
        ):
            return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.path})}")
        return self.get_response(request)
