"""Pages for fund managers, committee members and LPs. Reads through selectors (scoped: others' objects 404),
writes through services; a DomainError becomes a message and nothing is written."""
from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from finance.approvals.models import Committee, Meeting
from finance.approvals.services import meeting_tally
from finance.core.errors import DomainError
from finance.core.inputs import parse_id, today
from finance.parties.models import Organisation, OrgKind, Role
from finance.parties.selectors import scope_to_caller
from finance.web.permissions import roles_required
from finance.web.views import history_context

from .. import selectors, services
from ..charts import fund_chart
from ..forms import error_text
from ..models import (
    CallPurpose,
    CallStatus,
    CapitalCallLine,
    DealStatus,
    GuidanceFund,
    Instrument,
    Stage,
)
from ..services.deals import MANUAL_MOVES
from ..services.documents import CONTENT_TYPES, extension_of

log = logging.getLogger(__name__)


def _error(request, exc: DomainError):
    messages.error(request, exc.detail_zh if request.LANGUAGE_CODE.startswith("zh") else exc.detail_en)


def _chart(fund, navs, dists) -> str:
    """The fund's chart; bad stored data (a date the chart cannot draw) costs the chart, never the page."""
    paid = list(CapitalCallLine.objects.filter(call__sub_fund=fund, paid_on__isnull=False)
                .values_list("paid_on").annotate(s=Sum("amount")))
    try:
        return fund_chart(navs=[(n.as_of, n.nav) for n in navs], calls=paid,
                          dists=[(d.paid_on, d.amount) for d in dists], title=fund.name)
    except (ValueError, OverflowError, ArithmeticError):
        log.exception("fund chart failed for sub-fund %s", fund.pk)
        return ""


# ---------------------------------------------------------------- funds


@login_required
def subfund_list(request):
    funds = list(selectors.sub_fund_list(user=request.user).order_by("pk"))
    perf = selectors.performance(funds)
    comp = selectors.compliance(funds)
    rows = [{"fund": f, "perf": perf[f.pk], "comp": comp[f.pk]} for f in funds]
    guidance = [(g, selectors.guidance_performance(g))
                for g in selectors.guidance_fund_list(user=request.user)]
    can_set_up = request.user.has_role(Role.FUND_MANAGER) and GuidanceFund.objects.filter(
        manager_id=request.user.organisation_id).exists()
    return render(request, "funds/subfund_list.html", {"rows": rows, "guidance": guidance,
                                                       "can_set_up": can_set_up})


@login_required
def subfund_detail(request, pk: int):
    fund = get_object_or_404(selectors.sub_fund_list(user=request.user), pk=pk)
    series = None
    indices = selectors.index_series_list(user=request.user)
    if request.GET.get("index"):
        try:
            series = indices.filter(pk=parse_id(request.GET["index"], "index")).first()
        except DomainError as exc:
            _error(request, exc)
    perf = selectors.performance([fund], index=series)[fund.pk]
    comp = selectors.compliance([fund])[fund.pk]
    navs = selectors.nav_list(fund)
    calls = list(fund.calls.order_by("number").prefetch_related("lines__commitment__organisation"))
    dists = list(fund.distributions.order_by("number"))
    try:
        exit_price = services.guidance_exit_price(sub_fund=fund, exit_on=today())
    except DomainError as exc:
        exit_price = {"error": exc.detail_zh if request.LANGUAGE_CODE.startswith("zh") else exc.detail_en}
    can_manage = fund.manager_id == request.user.organisation_id and request.user.has_role(Role.FUND_MANAGER)
    return render(request, "funds/subfund_detail.html", {
        "fund": fund, "perf": perf, "comp": comp, "accounts": selectors.capital_accounts(fund), "navs": navs,
        "calls": calls, "dists": dists, "holdings": selectors.holdings_with_values(fund),
        "chart": mark_safe(_chart(fund, navs, dists)),  # noqa: S308 (our own matplotlib SVG)
        "exit_price": exit_price, "indices": indices, "series": series, "can_manage": can_manage,
        "approvals": selectors.call_approvals(fund, user=request.user) if can_manage else {},
        "fees": fund.fee_accruals.order_by("period_start"), **history_context(fund)})


def _managed(request, pk):
    """The caller's organisation's sub-fund (another GP's: 404); the views using it declare the fund manager
    role (403 first)."""
    return get_object_or_404(selectors.sub_fund_managed(user=request.user), pk=pk)


@login_required
@roles_required(Role.FUND_MANAGER)
def call_wizard(request, pk: int):
    """Step 1: amount and dates → step 2: the split per LP → confirm: the call is issued."""
    fund = _managed(request, pk)
    ctx = {"fund": fund, "purposes": CallPurpose.choices, "form": request.POST or {}}
    if request.method == "POST":
        try:
            if request.POST.get("confirm"):
                call = services.call_create(sub_fund=fund, amount=request.POST.get("amount"),
                                            call_date=request.POST.get("call_date"),
                                            due_date=request.POST.get("due_date") or None,
                                            purpose=request.POST.get("purpose", CallPurpose.INVESTMENT),
                                            note=request.POST.get("note", ""), by=request.user)
                if call.status == CallStatus.PENDING_APPROVAL:
                    messages.success(request, _("Capital call #%(n)s drafted: it is issued once approved by "
                                                "another fund manager.") % {"n": call.number})
                else:
                    messages.success(request, _("Capital call #%(n)s issued.") % {"n": call.number})
                return redirect("funds:subfund-detail", pk=fund.pk)
            ctx["split"] = [{"lp": c.lp_name, "amount": p, "unfunded_after": c.unfunded - p}
                            for c, p in services.call_preview(sub_fund=fund,
                                                              amount=request.POST.get("amount"))]
        except DomainError as exc:
            _error(request, exc)
    return render(request, "funds/call_wizard.html", ctx)


@login_required
@roles_required(Role.FUND_MANAGER)
def distribution_wizard(request, pk: int):
    fund = _managed(request, pk)
    ctx = {"fund": fund, "form": request.POST or {}}
    if request.method == "POST":
        try:
            paid_on = request.POST.get("paid_on")
            if request.POST.get("confirm"):
                d = services.distribution_create(sub_fund=fund, amount=request.POST.get("amount"),
                                                 paid_on=paid_on,
                                                 by=request.user)
                messages.success(request, _("Distribution #%(n)s recorded.") % {"n": d.number})
                return redirect("funds:subfund-detail", pk=fund.pk)
            ctx["plan"] = services.distribution_plan(sub_fund=fund, amount=request.POST.get("amount"),
                                                     paid_on=paid_on)
        except DomainError as exc:
            _error(request, exc)
    return render(request, "funds/distribution_wizard.html", ctx)


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def call_pay(request, pk: int):
    fund = _managed(request, pk)
    try:
        call = get_object_or_404(fund.calls, pk=parse_id(request.POST.get("call"), "call"))
        services.call_pay_all(call=call, paid_on=request.POST.get("paid_on") or today(), by=request.user)
        messages.success(request, _("Payments recorded."))
    except DomainError as exc:
        _error(request, exc)
    return redirect("funds:subfund-detail", pk=fund.pk)


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def call_approve(request, pk: int):
    """Another fund manager of the GP approves (or refuses) a drafted large call."""
    fund = _managed(request, pk)
    try:
        call = get_object_or_404(fund.calls, pk=parse_id(request.POST.get("call"), "call"))
        call = services.call_approve(call=call, by=request.user, approve=request.POST.get("approve") == "1",
                                     comment=request.POST.get("comment", ""))
        messages.success(request, _("Decision recorded: %(status)s.") % {"status": call.get_status_display()})
    except DomainError as exc:
        _error(request, exc)
    return redirect("funds:subfund-detail", pk=fund.pk)


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def nav_create(request, pk: int):
    fund = _managed(request, pk)
    try:
        services.nav_record(sub_fund=fund, as_of=request.POST.get("as_of"), by=request.user)
        messages.success(request, _("NAV recorded."))
    except DomainError as exc:
        messages.error(request, error_text(exc, request.LANGUAGE_CODE.startswith("zh")))
    return redirect("funds:subfund-detail", pk=fund.pk)


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def index_upload(request):
    f = request.FILES.get("file")
    try:
        fund_id = parse_id(request.POST["fund"], "fund") if request.POST.get("fund") else None
        series = services.index_upload(owner=request.user.organisation, name=request.POST.get("name", ""),
                                       content=f.read() if f else b"", by=request.user)
        messages.success(request, _("Index uploaded."))
        if fund_id:
            return redirect(f"{reverse('funds:subfund-detail', args=[fund_id])}?index={series.pk}")
    except DomainError as exc:
        _error(request, exc)
    return redirect("funds:subfund-list")


@login_required
def call_notice(request, pk: int, line: int):
    """A call notice PDF for one LP; LPs see their own, the GP sees all."""
    qs = CapitalCallLine.objects.select_related("call__sub_fund__manager", "commitment__organisation")
    visible = scope_to_caller(qs, request.user, "call__sub_fund__manager") | scope_to_caller(
        qs, request.user, "commitment__organisation")
    obj = get_object_or_404(visible, pk=line, call_id=pk, call__status=CallStatus.ISSUED)
    from ..notices import call_notice_pdf

    response = HttpResponse(call_notice_pdf(obj), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="call-{obj.call.number}-lp-{obj.commitment_id}.pdf"'
    return response


@login_required
def my_commitments(request):
    rows = []
    for c in selectors.commitments_of_caller(user=request.user):
        acct = next(a for a in selectors.capital_accounts(c.sub_fund) if a["commitment"].pk == c.pk)
        lines = c.call_lines.select_related("call").order_by("call__number")
        rows.append({"c": c, "acct": acct, "lines": lines})
    return render(request, "funds/my_commitments.html", {"rows": rows})


# ---------------------------------------------------------------- deals


@login_required
@roles_required(Role.FUND_MANAGER, Role.COMMITTEE_MEMBER)
def pipeline(request):
    deals = selectors.deal_list(user=request.user)
    # the keyboard move menu of each card offers the manual moves only (committee, sign-off and funding
    # have their own steps); the template shows it to whom deal_action lets through ({% can %})
    order = [s for s, _label in DealStatus.choices]  # forward moves first, rejection last
    moves = {s: sorted(((to, DealStatus(to).label) for frm, to in MANUAL_MOVES if frm == s),
                       key=lambda m: (m[0] == DealStatus.REJECTED, order.index(m[0])))
             for s, _label in DealStatus.choices}
    columns = [(s, label, [d for d in deals if d.status == s], moves[s]) for s, label in DealStatus.choices]
    return render(request, "funds/pipeline.html", {"columns": columns})


@login_required
@roles_required(Role.FUND_MANAGER)
def deal_create(request):
    funds = selectors.sub_fund_managed(user=request.user)
    enterprises = Organisation.objects.filter(kind__in=[OrgKind.ENTERPRISE, OrgKind.UNIVERSITY])
    if request.method == "POST":
        try:
            fund = get_object_or_404(funds, pk=parse_id(request.POST.get("sub_fund"), "sub_fund"))
            ent = get_object_or_404(enterprises, pk=parse_id(request.POST.get("enterprise"), "enterprise"))
            deal = services.deal_create(sub_fund=fund, enterprise=ent, title=request.POST.get("title", ""),
                                        instrument=request.POST.get("instrument"),
                                        amount=request.POST.get("amount"),
                                        pre_money=request.POST.get("pre_money") or None,
                                        stake=request.POST.get("stake") or 0,
                                        stage=request.POST.get("stage", "early"),
                                        in_shandong=bool(request.POST.get("in_shandong")),
                                        converts_fiscal_result=bool(request.POST.get("converts_fiscal_result")),
                                        terms=request.POST.get("terms", ""), by=request.user)
            return redirect("funds:deal-detail", pk=deal.pk)
        except DomainError as exc:
            _error(request, exc)
    return render(request, "funds/deal_form.html", {"funds": funds, "enterprises": enterprises,
                                                    "instruments": Instrument.choices,
                                                    "stages": Stage.choices,
                                                    "form": request.POST or {}})


@login_required
def deal_detail(request, pk: int):
    deal = get_object_or_404(selectors.deal_list(user=request.user), pk=pk)
    meeting = Meeting.objects.get(pk=deal.meeting_id) if deal.meeting_id else None
    committees = scope_to_caller(Committee.objects.all(), request.user, "organisation")
    from finance.approvals.services import approval_current

    return render(request, "funds/deal_detail.html", {
        "deal": deal, "meeting": meeting, "tally": meeting_tally(meeting) if meeting else None,
        "votes": meeting.votes.select_related("member") if meeting else [],
        "recusals": meeting.recusals.select_related("member") if meeting else [],
        "committees": committees, "approval": approval_current(deal),
        "is_manager": (request.user.has_role(Role.FUND_MANAGER)
                       and deal.sub_fund.manager_id == request.user.organisation_id),
        "today": today().isoformat(), **history_context(deal)})


@login_required
def deal_document(request, pk: int, doc: int):
    """A deal document, for whoever may see the deal (another manager's: 404), always as a download."""
    deal = get_object_or_404(selectors.deal_list(user=request.user), pk=pk)
    document = get_object_or_404(deal.documents, pk=doc)
    ext = extension_of(document.file.name)
    if ext not in CONTENT_TYPES:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    filename = f"{document.title[:80] or 'document'}.{ext}"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[ext])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _committee(deal, p, user):
    committee = get_object_or_404(scope_to_caller(Committee.objects.all(), user, "organisation"),
                                  pk=parse_id(p.get("committee"), "committee"))
    services.deal_submit(deal=deal, committee=committee, by=user)


def _edit(deal, p, user):
    values = {k: p.get(k) for k in ("amount", "terms", "stake") if p.get(k) not in (None, "")}
    services.deal_edit(deal=deal, by=user, reason=p.get("reason") or "edited", **values)


def _tick(deal, p, user):
    item = get_object_or_404(deal.checklist, pk=parse_id(p.get("item"), "item"))
    services.checklist_tick(item=item, by=user, done=p.get("done") == "1")


def _satisfy(deal, p, user):
    cond = get_object_or_404(deal.conditions, pk=parse_id(p.get("condition"), "condition"))
    services.condition_satisfy(condition=cond, on=today(), by=user)


#: The deal page's actions: each parses its own fields (ids through parse_id) and calls one service.
DEAL_ACTIONS = {
    "move": lambda deal, p,
    user: services.deal_move(deal=deal, to=p.get("to"), by=user, reason=p.get("reason", "")),
    "submit": _committee,
    "decide": lambda deal, p,
    user: services.deal_committee_decide(deal=deal, by=user, memo=p.get("memo", "")),
    "reopen": lambda deal, p, user: services.deal_meeting_reopen(deal=deal, by=user),
    "signoff": lambda deal, p,
    user: services.deal_signoff(deal=deal, by=user, approve=p.get("approve") == "1",
                                                           comment=p.get("comment", "")),
    "fund": lambda deal, p, user: services.deal_fund(deal=deal, funded_on=p.get("on") or today(), by=user),
    "edit": _edit,
    "tick": _tick,
    "condition": lambda deal, p, user: services.condition_add(deal=deal, description=p.get("description", ""),
                                                              by=user),
    "satisfy": _satisfy,
}


@login_required
@require_POST
@roles_required(Role.FUND_MANAGER)
def deal_action(request, pk: int):
    """Every write on the deal page: one POST endpoint dispatching to the matching service."""
    managed = selectors.deal_list(user=request.user).filter(sub_fund__manager=request.user.organisation)
    deal = get_object_or_404(managed, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "document":
            services.document_add(deal=deal, title=request.POST.get("title", ""),
                                  file=request.FILES.get("file"),
                                  by=request.user)
        elif action in DEAL_ACTIONS:
            DEAL_ACTIONS[action](deal, request.POST, request.user)
        else:
            messages.error(request, _("Unknown action."))
            return redirect("funds:deal-detail", pk=deal.pk)
        messages.success(request, _("Saved."))
    except DomainError as exc:
        _error(request, exc)
    return redirect("funds:deal-detail", pk=deal.pk)
