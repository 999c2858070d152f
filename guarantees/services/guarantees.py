"""鲁科担: scheme guarantees, the bank's confirmation, payouts (代偿) with compensation, the premium subsidy,
and the guarantor's leverage.

- A guarantee names the lending bank. The guarantor proposes it on one of that bank's loans (another
  organisation's loan, or one that does not exist, answers the same 404 and no figures); it counts (status
  active) only once the bank confirmed it, and the loan's figures (performing, principal) are checked at
  the bank's confirmation, by the bank. A bank may also register a guarantee on its own loan directly.
- Guarantor leverage: its active guarantees (in one currency) stay within ``guarantee.leverage_max`` × its
  latest net assets (``GuarantorNetAssets``); unknown net assets block the registration.
- A payout splits the loss by ``guarantee.share.*``; those shares have no published figure for guarantor and
  re-guarantor and ship empty, so a payout is refused naming the parameter until policy sets them. The
  compensation cap (``guarantee.payout_compensation_share`` × the guaranteed amount) is computed from the
  guarantee alone and never from a share.
- Public money (the compensation, the premium subsidy) moves through maker-checker: the guarantor's officer
  applies, department reviewers approve (a second one from ``approval.<kind>.second_level_from``), a third
  person pays through the ledger (Dr expense / Cr the scheme treasury, in the guarantee's currency).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from finance.approvals.services import (
    state_change,
    state_change_record,
)
from finance.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied
from finance.core.inputs import (
    check_currency,
    parse_amount,
    parse_date,
    parse_id,
    parse_rate,
    parse_text,
    today,
)
from finance.core.locks import lock
from finance.core.money import fen, percent_to_fraction, same_currency
from finance.parties.models import Organisation, OrgKind, Role
from finance.policy.selectors import PolicyUse

from .. import loan_reads
from ..models import (
    SCHEME_COUNTER_GUARANTEES,
    CounterGuarantee,
    Guarantee,
    GuaranteeStatus,
    GuarantorNetAssets,
)
from ..selectors import guarantor_net_assets, guarantor_outstanding
from ._common import HUNDRED, require_role

GUARANTEE_PARTIES = ("bank", "guarantor", "reguarantor", "national_fund")
PAYOUT_KIND = "guarantee_payout"
PREMIUM_KIND = "premium_subsidy"


def _org_kind(org_id, kind: str, what_zh: str, what_en: str, field: str) -> Organisation:
    try:
        pk = parse_id(org_id, field)
    except DomainError:
        raise NotFound(what_zh, what_en) from None
    org = Organisation.objects.filter(pk=pk, kind=kind).first()
    if org is None:
        raise NotFound(what_zh, what_en)
    return org


@transaction.atomic
def guarantor_net_assets_record(
    *, net_assets, as_of, by, currency: str = "CNY", guarantor=None
) -> GuarantorNetAssets:
    """The guarantor's net assets from its audited statements (its officer, or an administrator for it)."""
    if by.has_role(Role.ADMINISTRATOR) and guarantor is not None:
        org = _org_kind(
            getattr(guarantor, "pk", guarantor), OrgKind.GUARANTOR, "担保机构", "guarantor", "guarantor"
        )
    else:
        require_role(by, Role.GUARANTOR_OFFICER)
        org = by.organisation
    net_assets = parse_amount(net_assets, "net_assets")
    as_of = parse_date(as_of, "as_of", not_future=True)
    currency = check_currency(currency)
    if GuarantorNetAssets.objects.filter(guarantor=org, as_of=as_of).exists():
        raise Conflict(
            f"{as_of} 的净资产已登记",
            f"net assets as of {as_of} are already recorded",
            code="duplicate",
            field="as_of",
        )
    return GuarantorNetAssets.objects.create(
        guarantor=org, net_assets=net_assets, currency=currency, as_of=as_of, recorded_by=by
    )


def _check_leverage(use: PolicyUse, guarantor_id: int, currency: str, amount: Decimal, on: dt.date) -> dict:
    """Active guarantees + this one ≤ guarantee.leverage_max × net assets (under the guarantor's row lock)."""
    lock(Organisation, guarantor_id)
    report = guarantor_net_assets(guarantor_id, on=on)
    if report is None:
        raise DomainError(
            f"担保机构在 {on} 前没有登记净资产，无法检查放大倍数（guarantee.leverage_max）",
            f"the guarantor has no net assets recorded on or before {on}; the leverage cap "
            "(guarantee.leverage_max) cannot be checked",
            code="net_assets_missing",
            field="net_assets",
            status=409,
        )
    same_currency(report.currency, currency, field="amount")
    leverage = use("guarantee.leverage_max")
    limit = fen(leverage * report.net_assets)
    outstanding = guarantor_outstanding(guarantor_id, currency)
    if outstanding + amount > limit:
        raise DomainError(
            f"超过担保放大倍数：在保余额 {outstanding} + 本笔 {amount} > "
            f"{leverage} × 净资产 {report.net_assets} = {limit}",
            f"guarantor leverage exceeded: outstanding {outstanding} + this {amount} > {leverage} × net "
            "assets "
            f"{report.net_assets} = {limit}",
            code="guarantor_leverage_exceeded",
            field="amount",
            status=409,
            extra={"outstanding": str(outstanding), "limit": str(limit), "leverage": str(leverage)},
        )
    return {
        "net_assets": str(report.net_assets),
        "net_assets_as_of": str(report.as_of),
        "limit": str(limit),
        "outstanding_before": str(outstanding),
    }


def _terms(amount, fee_rate, counter_guarantee, start_on, end_on):
    amount = parse_amount(amount, "amount")
    fee_rate = parse_rate(fee_rate, "fee_rate", max_value=HUNDRED, places=4)
    if counter_guarantee not in CounterGuarantee.values:
        raise DomainError(
            f"反担保方式无效：{str(counter_guarantee)[:20]}",
            f"invalid counter-guarantee: {str(counter_guarantee)[:20]}",
            code="invalid_choice",
            field="counter_guarantee",
        )
    start_on = parse_date(start_on, "start_on")
    end_on = parse_date(end_on, "end_on")
    if end_on <= start_on:
        raise DomainError(
            "担保到期日须晚于起始日",
            "the end date must be after the start date",
            code="invalid_date",
            field="end_on",
        )
    return amount, fee_rate, counter_guarantee, start_on, end_on


def _scheme_rules(use: PolicyUse, fee_rate: Decimal, counter_guarantee: str) -> None:
    if counter_guarantee not in SCHEME_COUNTER_GUARANTEES:
        raise DomainError(
            "鲁科担仅支持知识产权、许可使用权反担保或无反担保",
            "the scheme accepts IP or licence-right counter-guarantees, or none",
            code="counter_guarantee_not_eligible",
            field="counter_guarantee",
        )
    fee_max = use("guarantee.fee_rate_max")
    if fee_rate > fee_max:
        raise DomainError(
            f"担保费率 {fee_rate}%/年 超过上限 {fee_max}%/年",
            f"fee rate {fee_rate}%/yr is above the {fee_max}%/yr cap",
            code="fee_rate_above_cap",
            field="fee_rate",
            extra={"fee_rate_max": str(fee_max)},
        )


def _loan_figures(loan, amount: Decimal) -> None:
    """Checks on the loan's own figures: only ever reported to the lending bank."""
    if loan.status not in loan_reads.GUARANTEEABLE_STATUSES:
        raise DomainError(
            "只能为未逾期的贷款提供担保",
            "only performing loans can be guaranteed",
            code="loan_not_eligible",
            field="loan_id",
            status=409,
        )
    if amount > loan.principal.amount:
        raise DomainError(
            f"担保金额 {amount} 超过贷款本金 {loan.principal.amount}",
            f"guaranteed amount {amount} is above the loan principal {loan.principal.amount}",
            code="amount_above_principal",
            field="amount",
        )


def _parties(by, loan, bank, guarantor):
    """(loan, bank id, guarantor id, registered by the bank?) for a guarantor's or a bank's registration."""
    kind = by.organisation.kind if by.organisation_id else None
    if kind == OrgKind.GUARANTOR and by.has_role(Role.GUARANTOR_OFFICER):
        if bank is None:
            raise DomainError("请指明贷款银行", "name the lending bank", code="required", field="bank_id")
        bank_org = _org_kind(getattr(bank, "pk", bank), OrgKind.BANK, "贷款", "loan", "bank_id")
        found = loan_reads.loan_of_bank(loan, bank_id=bank_org.pk)
        if found is None:
            raise NotFound("贷款", "loan")
        return found, bank_org.pk, by.organisation_id, False
    if kind == OrgKind.BANK and by.has_role(Role.BANK_OFFICER):
        found = loan_reads.loan_of_bank(loan, bank_id=by.organisation_id)
        if found is None:
            raise NotFound("贷款", "loan")
        if guarantor is None:
            raise DomainError("请指明担保机构", "name the guarantor", code="required", field="guarantor_id")
        g_org = _org_kind(
            getattr(guarantor, "pk", guarantor), OrgKind.GUARANTOR, "担保机构", "guarantor", "guarantor_id"
        )
        return found, by.organisation_id, g_org.pk, True
    raise PermissionDenied(
        "只有担保机构或贷款银行可以登记担保",
        "only guarantors and lending banks register guarantees",
        code="role_required",
    )


@transaction.atomic
def guarantee_register(
    *, loan, amount, fee_rate, counter_guarantee: str, start_on, end_on, by, bank=None, guarantor=None
) -> Guarantee:
    """Register a scheme guarantee: IP / licence / no counter-guarantee and fee ≤ the cap, within leverage.

    A guarantor's registration names the bank and waits for its confirmation; a bank's counts at once.
    """
    loan, bank_id, guarantor_id, by_bank = _parties(by, loan, bank, guarantor)
    amount, fee_rate, counter_guarantee, start_on, end_on = _terms(
        amount, fee_rate, counter_guarantee, start_on, end_on
    )
    currency = str(loan.principal.currency)
    use = PolicyUse(on=start_on)
    _scheme_rules(use, fee_rate, counter_guarantee)
    if by_bank:
        _loan_figures(loan, amount)
    leverage = _check_leverage(use, guarantor_id, currency, amount, today())
    if Guarantee.objects.filter(loan=loan, guarantor_id=guarantor_id).exists():
        raise Conflict(
            "该担保已登记", "this guarantee is already registered", code="duplicate", field="loan_id"
        )
    subsidy_rate = min(fee_rate, use("guarantee.premium_subsidy_rate"))
    status = GuaranteeStatus.ACTIVE if by_bank else GuaranteeStatus.PROPOSED
    guarantee = Guarantee.objects.create(
        loan=loan,
        guarantor_id=guarantor_id,
        bank_id=bank_id,
        currency=currency,
        amount=amount,
        fee_rate=fee_rate,
        counter_guarantee=counter_guarantee,
        start_on=start_on,
        end_on=end_on,
        premium_subsidy_rate=subsidy_rate,
        premium_subsidy_yearly=fen(amount * percent_to_fraction(subsidy_rate)),
        status=status,
        policy_snapshot={**use.snapshot, "leverage": leverage},
        registered_by=by,
        confirmed_by=by if by_bank else None,
        confirmed_at=timezone.now() if by_bank else None,
    )
    state_change_record(
        guarantee,
        from_state="",
        to_state=status,
        by=by,
        reason="registered by the lending bank" if by_bank else "proposed by the guarantor",
    )
    return guarantee


def _bank_guarantee(guarantee, by) -> Guarantee:
    """The guarantee locked, if the caller is an officer of its bank (anyone else: 404)."""
    gid = getattr(guarantee, "pk", guarantee)
    owner = Guarantee.objects.filter(pk=gid).values_list("bank_id", "guarantor_id").first()
    if owner is None or owner[0] != by.organisation_id or not by.has_role(Role.BANK_OFFICER):
        raise NotFound("担保", "guarantee")
    lock(
        Organisation, owner[1]
    )  # the guarantor's leverage is serialised on its row (ORDER: before guarantees)
    return lock(Guarantee, gid, related=("loan",))


@transaction.atomic
def guarantee_confirm(*, guarantee, by, approve: bool = True, reason: str = "") -> Guarantee:
    """The lending bank confirms (or declines) a guarantor's proposal; only then does the guarantee count."""
    reason = parse_text(reason, "reason", max_length=2000, required=False)
    g = _bank_guarantee(guarantee, by)
    if g.status != GuaranteeStatus.PROPOSED:
        raise InvalidTransition(
            f"担保状态为「{g.get_status_display()}」，不能确认",
            f"the guarantee is {g.status}; only proposals are confirmed",
            field="status",
        )
    if not approve:
        if not reason:
            raise DomainError("请说明拒绝理由", "give a reason", code="required", field="reason")
        return state_change(g, to=GuaranteeStatus.DECLINED, by=by, reason=reason)
    _loan_figures(g.loan, g.amount)
    use = PolicyUse(on=g.start_on)
    g.policy_snapshot = {
        **g.policy_snapshot,
        "leverage": _check_leverage(use, g.guarantor_id, g.currency, g.amount, today()),
    }
    g.confirmed_by, g.confirmed_at = by, timezone.now()
    return state_change(
        g,
        to=GuaranteeStatus.ACTIVE,
        by=by,
        reason=reason or "confirmed by the lending bank",
        also=("confirmed_by", "confirmed_at", "policy_snapshot"),
    )


def _own_guarantee(guarantee, by) -> Guarantee:
    """The guarantee locked, if the caller is an officer of its guarantor (anyone else: 404)."""
    gid = getattr(guarantee, "pk", guarantee)
    owner = Guarantee.objects.filter(pk=gid).values_list("guarantor_id", flat=True).first()
    if owner is None or owner != by.organisation_id or not by.has_role(Role.GUARANTOR_OFFICER):
        raise NotFound("担保", "guarantee")
    return lock(Guarantee, gid, related=("loan", "guarantor"))
