"""Policy parameter pages: the catalogue with values in force, proposals, a second administrator approving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finance.approvals.services import approval_current, history
from finance.core.errors import DomainError
from finance.core.inputs import today
from finance.parties.models import Role
from finance.web.permissions import roles_required

from .models import ChangeStatus, Parameter, ParameterChange
from .selectors import global_values_in_force
from .services import parameter_change_decide, parameter_change_propose

#: Who reads the catalogue (the oversight roles; the menu entry names the same roles); administrators alone
#: propose and decide.
ROLES_READING = (Role.ADMINISTRATOR, Role.DEPARTMENT_REVIEWER, Role.AUDITOR)


@login_required
@roles_required(*ROLES_READING)
def parameter_list(request):
    on = today()
    current = global_values_in_force(on)
    rows = [{"parameter": p, "value": current.get(p.pk)} for p in Parameter.objects.all()]
    pending = ParameterChange.objects.filter(status=ChangeStatus.PROPOSED).select_related("parameter",
                                                                                          "proposed_by")
    return render(request, "policy/parameter_list.html", {"rows": rows, "pending": pending, "today": on})


@login_required
@roles_required(*ROLES_READING)
def parameter_detail(request, key):
    param = get_object_or_404(Parameter, key=key)
    changes = param.changes.select_related("proposed_by").order_by("-created_at")
    return render(request, "policy/parameter_detail.html", {
        "parameter": param, "values": param.values.select_related("set_by"),
        "changes": [{"change": c, "approval": approval_current(c), "history": history(c)} for c in changes]})


@login_required
@require_POST
@roles_required(Role.ADMINISTRATOR)
def change_propose(request, key):
    try:
        parameter_change_propose(key=key, value=request.POST.get("value", ""),
                                 effective_from=request.POST.get("effective_from", ""), by=request.user,
                                 scope=request.POST.get("scope", "").strip(),
                                 source_note=request.POST.get("source_note", "").strip())
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Proposed. Another administrator must approve it."))
    return redirect("policy-detail", key=key)


@login_required
@require_POST
@roles_required(Role.ADMINISTRATOR)
def change_decide(request, pk):
    change = get_object_or_404(ParameterChange, pk=pk)
    try:
        parameter_change_decide(change=change, approver=request.user,
                                approve=request.POST.get("decision") == "approve",
                                comment=request.POST.get("comment", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("policy-detail", key=change.parameter.key)

