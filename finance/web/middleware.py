"""When KEJIN_REQUIRE_OTP is on, approvers and administrators must pass a one-time-password check."""
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from finance.parties.models import APPROVER_ROLES


class SecondFactorMiddleware:
    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (settings.KEJIN_REQUIRE_OTP and user is not None and user.is_authenticated
                and not request.path.startswith(self.EXEMPT_PREFIXES)
                and hasattr(user, "has_role") and user.has_role(*APPROVER_ROLES) and not user.is_verified()):
            return redirect(f"{reverse('otp_verify')}?next={request.path}")
        return self.get_response(request)
