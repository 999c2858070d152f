"""Pages: pool dashboard with charts and stress test, claims for banks and reviewers, guarantees for
guarantors and banks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from finance.core.errors import DomainError, NotFound
from finance.core.inputs import parse_id
from finance.parties.models import Role
from finance.web.permissions import roles_required
from finance.web.views import history_context

from .. import charts, loan_reads, selectors, services, stress
from ..forms import (
    ClaimForm,
    DecisionForm,
    EnrolmentForm,
    GuaranteeForm,
    PayoutForm,
    PremiumSubsidyForm,
    RecoveryForm,
    StressForm,
)
from ..models import ClaimStatus, CompensationStatus, GuaranteeStatus

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
@roles_required(*POOL_ROLES)
def pool_list(request):
    pools = [(p, selectors.pool_figures(p)) for p in selectors.pool_list(user=request.user)]
    return render(request, "guarantees/pool_list.html", {"pools": pools})


@login_required
@roles_required(*POOL_ROLES)
def pool_detail(request, pk: int):
    pool = _get(selectors.pool_get, user=request.user, pk=pk)
    figures = selectors.pool_figures(pool)
    pipeline = selectors.claims_pipeline(pool)
    npl = selectors.npl_by_bank(pool, user=request.user)
    money_chart = charts.bars(
        [
            _("Funded"),
            _("Available"),
            _("Reserved"),
            pgettext_lazy("pool", "Paid"),
            _("Returned"),
            _("Exposure"),
        ],
        [
            figures["funded"],
            figures["available"],
            figures["reserved"],
            figures["paid"],
            figures["returned"],
            figures["exposure"],
        ],
        title=_("Pool money (%(currency)s)") % {"currency": pool.currency},
        money=True,
    )
    pipeline_chart = charts.bars(
        [p["label"] for p in pipeline],
        [p["count"] for p in pipeline],
        title=_("Claims pipeline"),
        color="#6f42c1",
    )
    npl_chart = (
        charts.bars(
            [r["bank"][:8] for r in npl],
            [r["ratio"] for r in npl],
            title=_("NPL ratio by bank (%)"),
            color="#dc3545",
            fmt="{:.2f}",
        )
        if npl
        else ""
    )
    ctx = {
        "pool": pool,
        "figures": figures,
        "pipeline": pipeline,
        "npl": npl,
        "recoveries": selectors.recoveries_summary(pool),
        "sponsors": pool.sponsors.select_related("organisation"),
        "money_chart": mark_safe(money_chart),
        "pipeline_chart": mark_safe(pipeline_chart),  # noqa: S308 (our SVG)
        "npl_chart": mark_safe(npl_chart),
        "claims": selectors.claim_list(user=request.user, pool=pool)[:20],
        "can_request_movement": request.user.has_role(Role.DEPARTMENT_REVIEWER)
        and pool.sponsors.filter(organisation_id=request.user.organisation_id).exists(),
        **history_context(pool),
    }
    return render(request, "guarantees/pool_detail.html", ctx)


@login_required
@roles_required(*OVERSIGHT)
def pool_stress(request, pk: int):
    pool = _get(selectors.pool_get, user=request.user, pk=pk)
    form = StressForm(request.GET or None)
    result = chart = None
    try:
        inputs = selectors.stress_inputs(pool)
    except DomainError as exc:  # a policy parameter without a value: named, no fallback figure
        return render(
            request,
            "guarantees/pool_stress.html",
            {"pool": pool, "form": form, "blocked": exc.detail, "loans": 0, "rows": []},
        )
    if form.is_valid() and inputs["exposure"].size:
        d = form.cleaned_data
        table = {c: d[f"pd_{c}"] for c in stress.DEFAULT_PD}
        result = stress.simulate(
            exposure=inputs["exposure"],
            pd_annual=stress.pd_for_classes(inputs["classes"], table),
            lgd=d["lgd"],
            gov_share=inputs["gov_share"],
            balance=inputs["balance"],
            scenarios=d["scenarios"],
            rho=d["rho"],
            seed=d["seed"],
            cap_per_loan=inputs["cap_per_loan"],
        )
        chart = mark_safe(
            charts.payout_distribution(
                result.payouts,
                inputs["balance"],  # noqa: S308
                title=_("Simulated pool payouts"),
            )
        )
    return render(
        request,
        "guarantees/pool_stress.html",
        {
            "pool": pool,
            "form": form,
            "result": result,
            "chart": chart,
            "loans": inputs["exposure"].size,
            "rows": result.table() if result else [],
        },
    )


@login_required
@roles_required(Role.BANK_OFFICER)
def enrolment_new(request):
    loans = loan_reads.loans_to_enrol(request.user.organisation_id)
    form = EnrolmentForm(request.POST or None, pools=selectors.pool_list(user=request.user), loans=loans)
    if request.method == "POST" and form.is_valid():
        try:
            e = services.enrolment_create(
                pool=form.cleaned_data["pool"],
                loan=form.cleaned_data["loan"],
                category=form.cleaned_data["category"],
                by=request.user,
            )
            messages.success(request, _("Loan enrolled."))
            return redirect("guarantees:pool-detail", pk=e.pool_id)
        except DomainError as exc:
            form.add_error(None, exc.detail)
    return render(request, "guarantees/form.html", {"form": form, "title": _("Enrol a loan in a pool")})


@login_required
@roles_required(*POOL_ROLES)
def claim_list(request):
    status = request.GET.get("status") or None
    claims = selectors.claim_list(user=request.user, status=status)[:200]
    return render(
        request,
        "guarantees/claim_list.html",
        {"claims": claims, "status": status, "statuses": ClaimStatus.choices},
    )


@login_required
@roles_required(Role.BANK_OFFICER)
def claim_new(request):
    loans = loan_reads.loans_to_claim(request.user.organisation_id)
    form = ClaimForm(request.POST or None, request.FILES or None, loans=loans)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_file(
                loan=form.cleaned_data["loan"],
                claimed_loss=form.cleaned_data["claimed_loss"],
                documents=form.cleaned_data["documents"],
                by=request.user,
            )
            messages.success(request, _("Claim filed."))
            return redirect("guarantees:claim-detail", pk=claim.pk)
        except DomainError as exc:
            form.add_error(None, exc.detail)
    return render(
        request,
        "guarantees/form.html",
        {"form": form, "title": _("File a compensation claim"), "multipart": True},
    )


@login_required
@roles_required(*POOL_ROLES)
def claim_detail(request, pk: int):
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
    progress = selectors.approval_progress(claim)
    ctx = {
        "claim": claim,
        "documents": claim.documents.all(),
        "recoveries": claim.recoveries.all(),
        "decision_form": DecisionForm(),
        "recovery_form": RecoveryForm(),
        "approval": progress,
        "can_review": request.user.has_role(Role.DEPARTMENT_REVIEWER),
        "can_pay": request.user.has_role(Role.DEPARTMENT_REVIEWER)
        and request.user.pk not in progress["hands"],
        "is_bank": request.user.organisation_id == claim.bank_id,
        **history_context(claim),
    }
    return render(request, "guarantees/claim_detail.html", ctx)


@login_required
@roles_required(Role.GUARANTOR_OFFICER, Role.BANK_OFFICER, *OVERSIGHT)
def guarantee_list(request):
    return render(
        request,
        "guarantees/guarantee_list.html",
        {"guarantees": selectors.guarantee_list(user=request.user)[:200]},
    )


@login_required
@roles_required(Role.GUARANTOR_OFFICER)
def guarantee_new(request):
    form = GuaranteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            g = services.guarantee_register(
                loan=d["loan_id"],
                bank=d["bank"].pk,
                amount=d["amount"],
                fee_rate=d["fee_rate"],
                counter_guarantee=d["counter_guarantee"],
                start_on=d["start_on"],
                end_on=d["end_on"],
                by=request.user,
            )
            return redirect("guarantees:guarantee-detail", pk=g.pk)
        except DomainError as exc:
            form.add_error(None, exc.detail)
    return render(request, "guarantees/form.html", {"form": form, "title": _("Register a guarantee")})


def _guarantee_action(request, g, payout):
    """One POSTed action on the guarantee page; the services decide who may take it."""
    action = request.POST.get("action")
    comment = request.POST.get("comment", "")
    if action in ("confirm", "decline"):
        services.guarantee_confirm(
            guarantee=g.pk, by=request.user, approve=action == "confirm", reason=comment
        )
    elif action == "payout":
        form = PayoutForm(request.POST)
        if not form.is_valid():
            return form
        services.payout_record(guarantee=g.pk, by=request.user, **form.cleaned_data)
    elif action in ("payout_approve", "payout_reject") and payout is not None:
        services.payout_decide(
            payout=payout.pk, by=request.user, approve=action == "payout_approve", comment=comment
        )
    elif action == "payout_pay" and payout is not None:
        services.payout_compensation_pay(payout=payout.pk, by=request.user)
    elif action == "premium_apply":
        services.premium_subsidy_apply(guarantee=g.pk, year=request.POST.get("year"), by=request.user)
    elif action in ("premium_approve", "premium_reject", "premium_pay"):
        row = _get(
            selectors.premium_subsidy_get,
            user=request.user,
            pk=parse_id(request.POST.get("subsidy"), "subsidy"),
        )
        if action == "premium_pay":
            services.premium_subsidy_pay(subsidy=row.pk, by=request.user)
        else:
            services.premium_subsidy_decide(
                subsidy=row.pk, by=request.user, approve=action == "premium_approve", comment=comment
            )
    return None


@login_required
@roles_required(Role.GUARANTOR_OFFICER, Role.BANK_OFFICER, *OVERSIGHT)
def guarantee_detail(request, pk: int):
    g = _get(selectors.guarantee_get, user=request.user, pk=pk)
    payout = selectors.payout_list(user=request.user).filter(guarantee=g).first()
    form = PayoutForm()
    if request.method == "POST":
        try:
            bad_form = _guarantee_action(request, g, payout)
            if bad_form is None:
                messages.success(request, _("Done."))
                return redirect("guarantees:guarantee-detail", pk=pk)
            form = bad_form
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("guarantees:guarantee-detail", pk=pk)
    reviewer = request.user.has_role(Role.DEPARTMENT_REVIEWER)
    return render(
        request,
        "guarantees/guarantee_detail.html",
        {
            "g": g,
            "payout": payout,
            "form": form,
            "premium_form": PremiumSubsidyForm(),
            "payout_approval": selectors.approval_progress(payout) if payout else None,
            "subsidies": g.premium_subsidies.all(),
            "can_review": reviewer,
            "is_guarantor": request.user.organisation_id == g.guarantor_id
            and g.status == GuaranteeStatus.ACTIVE,
            "can_confirm": (
                request.user.organisation_id == g.bank_id
                and request.user.has_role(Role.BANK_OFFICER)
                and g.status == GuaranteeStatus.PROPOSED
            ),
            "SUBMITTED": CompensationStatus.SUBMITTED,
            "APPROVED": CompensationStatus.APPROVED,
            **history_context(g),
        },
    )


def enrolments_for_home(user):
    return selectors.enrolment_count(user=user)
