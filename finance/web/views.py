"""The shell: login, second factor, a home page per role."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token

from finance.approvals.services import history
from finance.parties.selectors import organisation_list

from .navigation import home_panels


@login_required
def home(request):
    return render(request, "web/home.html", {"panels": home_panels(request.user),
                                             "organisation": request.user.organisation})


@login_required
def otp_verify(request):
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("token", "").strip())
        if device is not None:
            otp_login(request, device)
            nxt = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})
            return redirect(nxt if nxt and safe else "home")
        messages.error(request, _("The one-time password is not valid."))
    return render(request, "web/otp_verify.html")


def history_context(obj):
    """The state-change log shown on every item page."""
    return {"history": history(obj)}


@login_required
def organisation_detail(request, pk: int):
    """An organisation's profile; organisations outside the caller's scope answer 404."""
    org = get_object_or_404(organisation_list(user=request.user), pk=pk)
    return render(request, "web/organisation_detail.html", {"org": org})


def permission_denied(request, exception=None):
    """The 403 handler: pages get the site layout in the reader's language, ``/api/`` keeps problem+json."""
    from django.views import defaults

    from finance.api.hardening import API_PREFIX
    from finance.api.problems import problem_response

    if request.path.startswith(API_PREFIX):
        return problem_response(403, "forbidden", "无权执行此操作", "you may not perform this action")
    return defaults.permission_denied(request, exception)
