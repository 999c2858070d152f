"""Pages of the direct instruments: the manager's board (due to convert, overdue, decisions awaiting), the
department's programme exposure, instrument pages with the manager's actions, and the enterprise's own page
with a form to report a round. Reads through selectors (another organisation's object is 404); writes through
services (a DomainError becomes a message and nothing is written)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from finance.core.errors import DomainError
from finance.core.inputs import parse_id, today
from finance.parties.models import Organisation, OrgKind, Role
from finance.parties.rules import can_see_everything
from finance.web.views import history_context

from . import captable, selectors, services
from .caps import cap_state
from .memo import instrument_memo
from .models import Closure, Conversion


def _error(request, exc: DomainError):
    messages.error(request, exc.detail_zh if request.LANGUAGE_CODE.startswith("zh") else exc.detail_en)


def _is_manager(user, programme) -> bool:
    return user.organisation_id == programme.manager_id and user.has_role(Role.FUND_MANAGER)


@login_required
def board(request):
    """Managers: what to act on. Departments and auditors: programme exposure and the same lists,
    read-only."""
    user = request.user
    if not (can_see_everything(user) or user.has_role(Role.FUND_MANAGER)):
        if user.organisation_id and user.organisation.kind in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
            return redirect("funds:direct-mine")
        raise Http404
    programmes = [(p, selectors.programme_exposure(p))
                  for p in selectors.programme_list(user=user).select_related("owner_department", "manager")]
    ctx = {"programmes": programmes, **selectors.manager_board(user=user),
           "talent": list(selectors.talent_list(user=user)[:100]),
           "projects": list(selectors.grant_invest_loan_list(user=user)[:100]),
           "positions": list(selectors.position_list(user=user)[:100])}
    return render(request, "funds/direct/board.html", ctx)


@login_required
def agreement_detail(request, pk: int):
    a = get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)
    ctx = {"a": a, "tranches": list(a.tranches.all()), "is_manager": _is_manager(request.user, a.programme),
           "conversions": list(a.conversions.select_related("round")), "closures": list(a.closures.all()),
           "rounds": list(selectors.round_list(user=request.user).filter(enterprise=a.enterprise)),
           "approval": selectors.pending_approval(a), "today": today(), **history_context(a)}
    ctx["cap"] = _cap(a.enterprise_id)
    ctx["memo"] = instrument_memo(a)
    return render(request, "funds/direct/agreement.html", ctx)


def _cap(enterprise_id):
    try:
        return cap_state(enterprise_id, on=today())
    except DomainError:
        return None


def _on(request):
    return request.POST.get("on") or today()


@login_required
@require_POST
def agreement_action(request, pk: int):
    a = get_object_or_404(selectors.agreement_list(user=request.user), pk=pk)
    act, by, post = request.POST.get("action"), request.user, request.POST
    try:
        if act == "submit":
            services.invest_first_submit(agreement=a, by=by)
        elif act in ("approve", "reject"):
            services.invest_first_decide(
                agreement=a, by=by, approve=act == "approve", comment=post.get("comment", "")
            )
        elif act == "sign":
            services.invest_first_sign(agreement=a, signed_on=_on(request), by=by)
        elif act == "pay":
            t = a.tranches.filter(pk=parse_id(post.get("tranche"), "tranche")).first()
            if t is None:
                raise Http404
            services.tranche_pay(tranche=t, paid_on=_on(request), by=by)
        elif act == "convert":
            r = selectors.round_list(user=by).filter(pk=parse_id(post.get("round"), "round")).first()
            if r is None:
                raise Http404
            services.conversion_propose(agreement=a, round=r, by=by)
        elif act == "decide_conversion":
            c = get_object_or_404(Conversion, pk=parse_id(post.get("conversion"), "conversion"), agreement=a)
            services.conversion_decide(conversion=c, by=by, approve=post.get("approve") == "1",
                                       comment=post.get("comment", ""))
        elif act == "close":
            services.closure_propose(
                agreement=a,
                way=post.get("way", ""),
                reason=post.get("comment", ""),
                by=by,
                agreed_amount=post.get("agreed_amount") or None,
                target_project=post.get("target_project", ""),
            )
        elif act == "decide_closure":
            c = get_object_or_404(Closure, pk=parse_id(post.get("closure"), "closure"), agreement=a)
            services.closure_decide(
                closure=c, by=by, approve=post.get("approve") == "1", comment=post.get("comment", "")
            )
        else:
            raise Http404
        messages.success(request, "已完成")
    except DomainError as exc:
        _error(request, exc)
    return redirect("funds:direct-agreement", pk=a.pk)


@login_required
def talent_detail(request, pk: int):
    t = get_object_or_404(selectors.talent_list(user=request.user), pk=pk)
    return render(
        request,
        "funds/direct/talent.html",
        {
            "t": t,
            "is_manager": _is_manager(request.user, t.programme),
            "approval": selectors.pending_approval(t),
            "today": today(),
            "cap": _cap(t.enterprise_id),
            "memo": instrument_memo(t),
            **history_context(t),
        },
    )


@login_required
@require_POST
def talent_action(request, pk: int):
    t = get_object_or_404(selectors.talent_list(user=request.user), pk=pk)
    act, by = request.POST.get("action"), request.user
    try:
        if act == "submit":
            services.talent_equity_submit(talent=t, by=by)
        elif act in ("approve", "reject"):
            services.talent_equity_decide(talent=t, by=by, approve=act == "approve",
                                          comment=request.POST.get("comment", ""))
        elif act == "sign":
            services.talent_equity_sign(talent=t, by=by)
        elif act == "fund":
            services.talent_equity_fund(talent=t, funded_on=_on(request), by=by)
        else:
            raise Http404
        messages.success(request, "已完成")
    except DomainError as exc:
        _error(request, exc)
    return redirect("funds:direct-talent", pk=t.pk)


@login_required
def project_detail(request, pk: int):
    g = get_object_or_404(selectors.grant_invest_loan_list(user=request.user), pk=pk)
    try:
        exposure = services.grant_invest_loan_exposure(g)
    except DomainError as exc:
        exposure = {"error": exc.detail_zh}
    banks = Organisation.objects.filter(kind=OrgKind.BANK).order_by("name")
    return render(request, "funds/direct/project.html", {
        "g": g, "x": exposure, "is_manager": _is_manager(request.user, g.programme), "banks": banks,
        "approval": selectors.pending_approval(g), "today": today(), "memo": instrument_memo(g),
        **history_context(g)})


@login_required
@require_POST
def project_action(request, pk: int):
    g = get_object_or_404(selectors.grant_invest_loan_list(user=request.user), pk=pk)
    act, by, post = request.POST.get("action"), request.user, request.POST
    try:
        if act == "review":
            services.grant_invest_loan_review(project=g, by=by)
        elif act == "submit":
            services.grant_invest_loan_submit(project=g, by=by)
        elif act in ("approve", "reject"):
            services.grant_invest_loan_decide(
                project=g, by=by, approve=act == "approve", comment=post.get("comment", "")
            )
        elif act == "sign":
            services.grant_invest_loan_sign(project=g, signed_on=_on(request), by=by)
        elif act == "pay_grant":
            services.grant_invest_loan_pay_grant(project=g, paid_on=_on(request), by=by)
        elif act == "fund_equity":
            services.grant_invest_loan_fund_equity(project=g, funded_on=_on(request), by=by)
        elif act == "link_loan":
            bank = Organisation.objects.filter(
                pk=parse_id(post.get("bank"), "bank"), kind=OrgKind.BANK
            ).first()
            if bank is None:
                raise Http404
            services.grant_invest_loan_link_loan(
                project=g,
                bank=bank,
                reference=post.get("reference", ""),
                by=by,
                pool_enrolled=post.get("pool_enrolled") == "1",
            )
        elif act in ("monitoring", "exited", "closed"):
            services.grant_invest_loan_move(project=g, to=act, by=by)
        else:
            raise Http404
        messages.success(request, "已完成")
    except DomainError as exc:
        _error(request, exc)
    return redirect("funds:direct-project", pk=g.pk)


@login_required
def mine(request):
    """The enterprise's own instruments, its cap table and headroom, and the form to report a round."""
    user = request.user
    if not user.organisation_id or user.organisation.kind not in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
        raise Http404
    ent = user.organisation
    return render(
        request,
        "funds/direct/mine.html",
        {
            "agreements": list(selectors.agreement_list(user=user)),
            "talent": list(selectors.talent_list(user=user)),
            "projects": list(selectors.grant_invest_loan_list(user=user)),
            "table": captable.cap_table(ent.pk),
            "cap": _cap(ent.pk),
            "today": today(),
            "can_report": user.has_role(Role.APPLICANT),
        },
    )


@login_required
@require_POST
def round_report(request):
    user = request.user
    if not user.organisation_id or not user.has_role(Role.APPLICANT):
        raise Http404
    post = request.POST
    try:
        services.round_report(
            enterprise=user.organisation,
            round_date=post.get("round_date"),
            price_per_share=post.get("price_per_share"),
            pre_money=post.get("pre_money"),
            new_money=post.get("new_money"),
            fd_shares_before=post.get("fd_shares_before"),
            by=user,
        )
        messages.success(request, "融资轮已报告，管理机构将据此办理转股")
    except DomainError as exc:
        _error(request, exc)
    return redirect("funds:direct-mine")


@login_required
def cap_table(request, pk: int):
    if not selectors.enterprise_visible(user=request.user, enterprise_id=pk):
        raise Http404
    ent = get_object_or_404(Organisation, pk=pk)
    return render(
        request, "funds/direct/cap_table.html", {"ent": ent, "table": captable.cap_table(pk), "cap": _cap(pk)}
    )


@login_required
def cap_table_ocf(request, pk: int):
    if not selectors.enterprise_visible(user=request.user, enterprise_id=pk):
        raise Http404
    response = JsonResponse(captable.ocf_export(pk), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="captable-{pk}.ocf.json"'
    return response
