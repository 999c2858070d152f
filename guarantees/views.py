"""Pages: pool dashboard with charts and stress test, claims for banks and reviewers, guarantees for guarantors."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from finance.core.errors import DomainError, NotFound
from finance.parties.models import Role
from finance.web.views import history_context

from . import charts, selectors, services, stress
from .forms import ClaimForm, DecisionForm, EnrolmentForm, GuaranteeForm, PayoutForm, RecoveryForm, StressForm
from .models import ClaimStatus, Enrolment, EnrolmentStatus

POOL_ROLES = (Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR)
OVERSIGHT = (Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR)


def _need(user, *roles):
    if not user.has_role(*roles):
        raise DjangoPermissionDenied


def _get(fn, **kw):
    try:
        return fn(**kw)
    except NotFound:
        raise Http404 from None


@login_required
def pool_list(request):
    _need(request.user, *POOL_ROLES)
    pools = [(p, selectors.pool_figures(p)) for p in selectors.pool_list(user=request.user)]
    return render(request, "guarantees/pool_list.html", {"pools": pools})


@login_required
def pool_detail(request, pk: int):
    _need(request.user, *POOL_ROLES)
    pool = _get(selectors.pool_get, user=request.user, pk=pk)
    figures = selectors.pool_figures(pool)
    pipeline = selectors.claims_pipeline(pool)
    npl = selectors.npl_by_bank(pool) if request.user.has_role(*OVERSIGHT) else [
        r for r in selectors.npl_by_bank(pool) if r["bank_id"] == request.user.organisation_id]
    money_chart = charts.bars([_("Funded"), _("Available"), _("Reserved"), pgettext_lazy("pool", "Paid"), _("Returned"), _("Exposure")],
                              [figures["funded"], figures["available"], figures["reserved"], figures["paid"],
                               figures["returned"], figures["exposure"]], title=_("Pool money (CNY)"))
    pipeline_chart = charts.bars([p["label"] for p in pipeline], [p["count"] for p in pipeline],
                                 title=_("Claims pipeline"), color="#6f42c1")
    npl_chart = charts.bars([r["bank"][:8] for r in npl], [r["ratio"] for r in npl], title=_("NPL ratio by bank (%)"),
                            color="#dc3545", fmt="{:.2f}") if npl else ""
    ctx = {"pool": pool, "figures": figures, "pipeline": pipeline, "npl": npl,
           "recoveries": selectors.recoveries_summary(pool), "sponsors": pool.sponsors.select_related("organisation"),
           "money_chart": mark_safe(money_chart), "pipeline_chart": mark_safe(pipeline_chart),  # noqa: S308 (our SVG)
           "npl_chart": mark_safe(npl_chart), "claims": selectors.claim_list(user=request.user, pool=pool)[:20],
           **history_context(pool)}
    return render(request, "guarantees/pool_detail.html", ctx)


@login_required
def pool_stress(request, pk: int):
    _need(request.user, Role.DEPARTMENT_REVIEWER, Role.AUDITOR, Role.ADMINISTRATOR)
    pool = _get(selectors.pool_get, user=request.user, pk=pk)
    form = StressForm(request.GET or None)
    result = chart = None
    inputs = selectors.stress_inputs(pool)
    if form.is_valid() and inputs["exposure"].size:
        d = form.cleaned_data
        table = {c: d[f"pd_{c}"] for c in stress.DEFAULT_PD}
        result = stress.simulate(exposure=inputs["exposure"], pd_annual=stress.pd_for_classes(inputs["classes"], table),
                                 lgd=d["lgd"], gov_share=inputs["gov_share"], balance=inputs["balance"],
                                 scenarios=d["scenarios"], rho=d["rho"], seed=d["seed"],
                                 cap_per_loan=inputs["cap_per_loan"])
        chart = mark_safe(charts.payout_distribution(result.payouts, inputs["balance"],  # noqa: S308
                                                     title=_("Simulated pool payouts")))
    return render(request, "guarantees/pool_stress.html", {"pool": pool, "form": form, "result": result,
                                                           "chart": chart, "loans": inputs["exposure"].size,
                                                           "rows": result.table() if result else []})


@login_required
def enrolment_new(request):
    _need(request.user, Role.BANK_OFFICER)
    from loans.models import Loan

    loans = Loan.objects.filter(bank_id=request.user.organisation_id, pool_enrolment__isnull=True,
                                status__in=services.ENROLLABLE_LOAN_STATUSES)
    form = EnrolmentForm(request.POST or None, pools=selectors.pool_list(user=request.user), loans=loans)
    if request.method == "POST" and form.is_valid():
        try:
            e = services.enrolment_create(pool=form.cleaned_data["pool"], loan=form.cleaned_data["loan"],
                                          category=form.cleaned_data["category"], by=request.user)
            messages.success(request, _("Loan enrolled."))
            return redirect("guarantees:pool-detail", pk=e.pool_id)
        except DomainError as exc:
            form.add_error(None, exc.detail)
    return render(request, "guarantees/form.html", {"form": form, "title": _("Enrol a loan in a pool")})


@login_required
def claim_list(request):
    _need(request.user, *POOL_ROLES)
    status = request.GET.get("status") or None
    claims = selectors.claim_list(user=request.user, status=status)[:200]
    return render(request, "guarantees/claim_list.html", {"claims": claims, "status": status,
                                                          "statuses": ClaimStatus.choices})


@login_required
def claim_new(request):
    _need(request.user, Role.BANK_OFFICER)
    from loans.models import Loan

    loans = Loan.objects.filter(bank_id=request.user.organisation_id,
                                pool_enrolment__status=EnrolmentStatus.ENROLLED)
    form = ClaimForm(request.POST or None, request.FILES or None, loans=loans)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_file(loan=form.cleaned_data["loan"], claimed_loss=form.cleaned_data["claimed_loss"],
                                        documents=form.cleaned_data["documents"], by=request.user)
            messages.success(request, _("Claim filed."))
            return redirect("guarantees:claim-detail", pk=claim.pk)
        except DomainError as exc:
            form.add_error(None, exc.detail)
    return render(request, "guarantees/form.html", {"form": form, "title": _("File a compensation claim"),
                                                    "multipart": True})


@login_required
def claim_detail(request, pk: int):
    _need(request.user, *POOL_ROLES)
    claim = _get(selectors.claim_get, user=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("approve", "reject", "pay"):
                _need(request.user, Role.DEPARTMENT_REVIEWER)
                comment = request.POST.get("comment", "")
                if action == "approve":
                    services.claim_approve(claim=claim, by=request.user, comment=comment)
                elif action == "reject":
                    services.claim_reject(claim=claim, by=request.user, reason=comment)
                else:
                    services.claim_pay(claim=claim, by=request.user)
                messages.success(request, _("Done."))
            elif action == "recovery":
                form = RecoveryForm(request.POST)
                if form.is_valid():
                    services.recovery_record(claim=claim, by=request.user, **form.cleaned_data)
                    messages.success(request, _("Recovery recorded."))
                else:
                    messages.error(request, _("Check the recovery figures."))
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("guarantees:claim-detail", pk=pk)
    ctx = {"claim": claim, "documents": claim.documents.all(), "recoveries": claim.recoveries.all(),
           "decision_form": DecisionForm(), "recovery_form": RecoveryForm(),
           "can_review": request.user.has_role(Role.DEPARTMENT_REVIEWER),
           "is_bank": request.user.organisation_id == claim.bank_id, **history_context(claim)}
    return render(request, "guarantees/claim_detail.html", ctx)


@login_required
def guarantee_list(request):
    _need(request.user, Role.GUARANTOR_OFFICER, Role.BANK_OFFICER, *OVERSIGHT)
    return render(request, "guarantees/guarantee_list.html",
                  {"guarantees": selectors.guarantee_list(user=request.user)[:200],
                   "can_register": request.user.has_role(Role.GUARANTOR_OFFICER)})


@login_required
def guarantee_new(request):
    _need(request.user, Role.GUARANTOR_OFFICER)
    form = GuaranteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            g = services.guarantee_register(loan=d["loan_id"], amount=d["amount"], fee_rate=d["fee_rate"],
                                            counter_guarantee=d["counter_guarantee"], start_on=d["start_on"],
                                            end_on=d["end_on"], by=request.user)
            return redirect("guarantees:guarantee-detail", pk=g.pk)
        except DomainError as exc:
            form.add_error(None, exc.detail)
    return render(request, "guarantees/form.html", {"form": form, "title": _("Register a guarantee")})


@login_required
def guarantee_detail(request, pk: int):
    _need(request.user, Role.GUARANTOR_OFFICER, Role.BANK_OFFICER, *OVERSIGHT)
    g = _get(selectors.guarantee_get, user=request.user, pk=pk)
    form = PayoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payout_record(guarantee=g.pk, by=request.user, **form.cleaned_data)
            messages.success(request, _("Payout recorded."))
            return redirect("guarantees:guarantee-detail", pk=pk)
        except DomainError as exc:
            form.add_error(None, exc.detail)
    payout = getattr(g, "payout", None) if hasattr(g, "payout") else None
    return render(request, "guarantees/guarantee_detail.html",
                  {"g": g, "payout": payout, "form": form, "is_guarantor": request.user.organisation_id == g.guarantor_id,
                   **history_context(g)})


def enrolments_for_home(user):
    return Enrolment.objects.filter(bank_id=user.organisation_id).count()
