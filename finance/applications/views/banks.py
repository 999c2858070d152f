"""The partner banks' side: the financing needs open to them (融资对接) and their answers."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finance.core.errors import DomainError
from finance.parties.models import Role
from finance.web.permissions import roles_required

from .. import selectors, services
from ._common import _error


@login_required
@roles_required(Role.BANK_OFFICER)
def needs(request):
    items = list(selectors.financing_needs(user=request.user))
    return render(request, "applications/needs.html", {"needs": items})


@login_required
@roles_required(Role.BANK_OFFICER)
def need(request, pk: int):
    app = get_object_or_404(selectors.financing_needs(user=request.user), pk=pk)
    return render(request, "applications/need.html", {
        "a": app, "thread": list(selectors.messages_for(app, user=request.user))})


@login_required
@require_POST
@roles_required(Role.BANK_OFFICER)
def need_answer(request, pk: int):
    app = get_object_or_404(selectors.financing_needs(user=request.user), pk=pk)
    try:
        services.bank_answer(application=app, by=request.user, body=request.POST.get("body", ""))
        messages.success(request, _("Your answer was sent to the enterprise."))
    except DomainError as exc:
        _error(request, exc)
        return render(request, "applications/need.html", {
            "a": app, "thread": list(selectors.messages_for(app, user=request.user))}, status=400)
    return redirect("applications:need", pk=app.pk)
