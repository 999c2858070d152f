"""Loan registration, one path for the API and the bank files.

``loan_input`` parses one submission (an API body or a file row) into a ``LoanIn``; ``loan_rules_check``
applies the policy rules; ``registration.register_loans`` checks the register (borrowers, assets, pledges)
under row locks and writes. ``loan_submit`` (the API) runs one loan through exactly these functions; the
bank file runs all its rows through them (``loans.files``).

Loan states (``Loan.TRANSITIONS``): a loan is registered ``submitted`` and moves to ``active`` in the same
transaction, because a bank only registers loans it has already disbursed (``disbursed_on`` in the future is
refused) — so ``submitted`` is only seen in the audit log.

Categories: an IP-pledge loan carries at least one pledge, each with its CNIPA registration number and date,
and its principal is capped by the loan-to-value rule; an early-stage R&D credit loan (``rd_credit``, the
pool's unsecured category) carries no pledge and no loan-to-value rule.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from finance.calc import CalcError, amortization_schedule
from finance.core import inputs
from finance.core.errors import Conflict, DomainError
from finance.core.money import fen, percent_to_fraction
from finance.parties.models import Organisation, OrgKind
from finance.policy.selectors import PolicyUse

from .. import validators as v
from ..models import Loan, LoanCategory
from .registration import Item, existing_refs, register_loans

MAX_REF = 64


@dataclass
class PledgeIn:
    ip_kind: str
    ip_number: str
    appraised_value: Decimal
    registration_no: str = ""
    registered_on: dt.date | None = None


@dataclass
class LoanIn:
    """A loan as a bank submits it, already parsed (``loan_input`` parses raw API or file values)."""

    external_ref: str
    borrower_uscc: str
    borrower_name: str
    principal: Decimal
    currency: str
    annual_rate: Decimal
    term_months: int
    repayment_method: str
    day_count: str
    disbursed_on: dt.date
    pledges: list[PledgeIn] = field(default_factory=list)
    category: str = LoanCategory.IP_PLEDGE


def _pledges(raw, category: str) -> list[PledgeIn]:
    if category == LoanCategory.RD_CREDIT:
        if raw:
            raise DomainError("早期研发信用贷款为信用贷款，不设质押",
                              "an early-stage R&D credit loan is unsecured: "
                              "it carries no pledge", code="credit_loan_pledged", field="pledges")
        return []
    if not raw:
        raise DomainError("知识产权质押贷款至少需要一项质押的知识产权",
                          "an IP-pledge loan needs at least one pledged "
                          "IP asset", code="required", field="pledges")
    if not isinstance(raw, list):
        raise DomainError("pledges 必须是列表", "pledges must be a list", code="invalid", field="pledges")
    out = []
    for i, p in enumerate(raw):
        prefix = f"pledges.{i}"
        if not isinstance(p, dict):
            raise DomainError(f"{prefix} 必须是对象", f"{prefix} must be an object", code="invalid",
                              field=prefix)
        kind = str(p.get("ip_kind") or "").strip()
        number = v.ip_number(kind, p.get("ip_number"), field=f"{prefix}.ip_number")
        value = inputs.parse_amount(p.get("appraised_value"), f"{prefix}.appraised_value")
        reg_no, reg_on = v.pledge_registration(kind, p.get("registration_no"), p.get("registered_on"),
                                               prefix=prefix)
        out.append(PledgeIn(kind, number, value, reg_no, reg_on))
    return out


def loan_input(data: dict) -> LoanIn:
    """Parse and shape-check one submission (API body or file row); raises a DomainError naming the field."""
    ref = inputs.parse_text(data.get("external_ref"), "external_ref", max_length=MAX_REF)
    category = v.category(data.get("category"))
    return LoanIn(
        external_ref=ref,
        borrower_uscc=v.uscc(data.get("borrower_uscc")),
        borrower_name=inputs.parse_text(data.get("borrower_name"), "borrower_name", max_length=200,
                                        required=False),
        principal=inputs.parse_amount(data.get("principal"), "principal"),
        currency=inputs.check_currency(data.get("currency")),
        annual_rate=v.rate(data.get("annual_rate")),
        term_months=v.term(data.get("term_months")),
        repayment_method=v.method(data.get("repayment_method")),
        day_count=v.day_count(data.get("day_count")),
        disbursed_on=inputs.parse_date(data.get("disbursed_on"), "disbursed_on"),
        pledges=_pledges(data.get("pledges") or [], category),
        category=category,
    )


def loan_rules_check(data: LoanIn, use, *, as_of: dt.date) -> None:
    """The submission rules, each a policy parameter; a failure names the rule and the value in force.

    Disbursement not in the future; term ≤ loan.term_max_months; rate ≤ loan.rate_max; for an IP-pledge loan,
    no asset twice and principal ≤ Σ appraised value × the cap of the asset's kind (loan.ltv_max.<kind>).
    """
    if data.disbursed_on > as_of:
        raise DomainError(f"放款日 {data.disbursed_on} 晚于今天（{as_of}）：只登记已发放的贷款",
                          f"disbursed_on {data.disbursed_on} is in the future (today is {as_of}): "
                          "register disbursed loans only", code="disbursement_in_future",
                          field="disbursed_on")
    term_max = use("loan.term_max_months")
    if data.term_months > term_max:
        raise DomainError(f"贷款期限 {data.term_months} 个月超过上限 {term_max} 个月"
                          "（政策参数 loan.term_max_months）",
                          f"term {data.term_months} months exceeds the maximum {term_max} "
                          "(policy loan.term_max_months)", code="term_above_cap", field="term_months",
                          extra={"rule": "loan.term_max_months", "limit": str(term_max)})
    rate_max = use("loan.rate_max")
    if data.annual_rate > rate_max:
        raise DomainError(f"年利率 {data.annual_rate}% 超过上限 {rate_max}%（政策参数 loan.rate_max）",
                          f"annual rate {data.annual_rate}% exceeds the maximum {rate_max}% "
                          "(policy loan.rate_max)",
                          code="rate_above_cap", field="annual_rate",
                          extra={"rule": "loan.rate_max", "limit": str(rate_max)})
    if data.category == LoanCategory.IP_PLEDGE:
        _ltv_check(data, use)


def _ltv_check(data: LoanIn, use) -> None:
    seen = set()
    capacity = Decimal(0)
    for i, p in enumerate(data.pledges):
        if (p.ip_kind, p.ip_number) in seen:
            raise DomainError(f"同一知识产权 {p.ip_number} 重复质押",
                              f"IP asset {p.ip_number} is listed twice",
                              code="duplicate_pledge", field=f"pledges.{i}.ip_number")
        seen.add((p.ip_kind, p.ip_number))
        capacity += p.appraised_value * percent_to_fraction(use(f"loan.ltv_max.{p.ip_kind}"))
    capacity = fen(capacity)
    if data.principal > capacity:
        kinds = sorted({p.ip_kind for p in data.pledges})
        caps = ", ".join(f"loan.ltv_max.{k}={use.snapshot[f'loan.ltv_max.{k}']}%" for k in kinds)
        raise DomainError(
            f"贷款本金 {data.principal} 超过质押率上限允许的 {capacity}（{caps}）",
            f"principal {data.principal} exceeds the loan-to-value limit {capacity} ({caps})",
            code="ltv_above_cap", field="principal", extra={"rule": "loan.ltv_max", "limit": str(capacity)})


def schedule_for(loan: Loan) -> list:
    try:
        return amortization_schedule(loan.principal.amount, loan.annual_rate, loan.term_months,
                                     method=loan.repayment_method, start_date=loan.disbursed_on,
                                     day_count=loan.day_count)
    except CalcError as exc:
        raise DomainError(exc.message_zh, exc.message_en, code=exc.code, field=exc.field) from None


def _check_bank(bank: Organisation) -> None:
    if bank.kind != OrgKind.BANK:
        raise DomainError("只有银行可以登记贷款", "only banks register loans", code="not_a_bank", status=403)


@transaction.atomic
def loan_submit(*, bank: Organisation, by, data: dict | LoanIn, as_of: dt.date | None = None) -> Loan:
    """Register one disbursed loan: parse, check the rules (policy values stored on the loan), then the same
    registration as a bank file row (borrower, assets locked, pledges, schedule, audit submitted → active)."""
    _check_bank(bank)
    data = data if isinstance(data, LoanIn) else loan_input(data)
    as_of = as_of or inputs.today()
    use = PolicyUse(on=data.disbursed_on)
    loan_rules_check(data, use, as_of=as_of)
    if existing_refs(bank, [data.external_ref]):
        raise Conflict(f"贷款编号 {data.external_ref} 已登记",
                       f"loan reference {data.external_ref} is already registered",
                       code="duplicate_external_ref", field="external_ref")
    reason = f"registered; disbursed on {data.disbursed_on} / 已登记，放款日 {data.disbursed_on}"
    (loan_id,) = register_loans([Item(None, data, use.snapshot)], bank=bank, by=by, reason=reason)
    return Loan.objects.select_related("bank", "borrower").get(pk=loan_id)
