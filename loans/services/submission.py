"""Loan registration, one path for the API and the bank files.

``loans_input`` parses submissions (an API body, or every row of a bank file) field by field, each check once
per distinct value, and ``loan_rules_errors`` applies the policy rules whose inputs passed, so every error of
every row is reported at once (``InputErrors``); ``registration.register_loans`` checks the register
(borrowers, assets, pledges) under row locks and writes. ``loan_submit`` (the API) runs one loan through
exactly these functions; the bank file runs all its rows through them (``loans.files``).

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
from finance.core.errors import Conflict, DomainError, calc_error
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


class InputErrors(DomainError):
    """Every error of one submission at once (fields, then the rules whose inputs are valid). The first is
    the message; ``errors`` lists all of them for problem+json; ``causes`` keeps the DomainErrors."""

    def __init__(self, causes: list[DomainError]):
        first = causes[0]
        super().__init__(first.detail_zh, first.detail_en, code=first.code, field=first.field,
                         status=first.status, extra=first.extra)
        self.causes = list(causes)
        self.errors = [{"field": e.field, "code": e.code, "detail_zh": e.detail_zh, "detail_en": e.detail_en,
                        "detail": e.detail} for e in causes]


@dataclass
class RowInput:
    """One submission parsed field by field: the values that passed (a pledge's are a dict, or None when the
    pledge is not an object) and every error; ``loan`` is the ``LoanIn`` when there is no error."""

    values: dict
    errors: list[DomainError]

    @property
    def loan(self) -> LoanIn | None:
        if self.errors:
            return None
        fields = {k: x for k, x in self.values.items() if k != "pledges"}
        return LoanIn(**fields, pledges=[PledgeIn(**p) for p in self.values["pledges"]])


def _ref(value) -> str:
    return inputs.parse_text(value, "external_ref", max_length=MAX_REF)


def _name(value) -> str:
    return inputs.parse_text(value, "borrower_name", max_length=200, required=False)


def _principal(value) -> Decimal:
    return inputs.parse_amount(value, "principal")


def _disbursed(value) -> dt.date:
    return inputs.parse_date(value, "disbursed_on")


#: Field → its scalar check (the API's and the file's parsing); a file runs each once per distinct value.
FIELDS = (("external_ref", _ref), ("borrower_uscc", v.uscc), ("borrower_name", _name),
          ("principal", _principal), ("currency", inputs.check_currency), ("annual_rate", v.rate),
          ("term_months", v.term), ("repayment_method", v.method), ("day_count", v.day_count),
          ("disbursed_on", _disbursed), ("category", v.category))


def _ip_number(pair, field: str) -> str:
    return v.ip_number(pair[0], pair[1], field)


def _registration_no(pair, field: str) -> tuple[str, int]:
    return v.registration_no(pair[0], pair[1], field)


def _take(answers, outs: list[dict], errors: list[list], name: str) -> list[bool]:
    """Spread a column's answers over its rows: the value into ``outs[k][name]`` or the error into
    ``errors[k]``; returns which passed."""
    passed = []
    for out, errs, (value, error) in zip(outs, errors, answers, strict=True):
        if error is None:
            out[name] = value
        else:
            errs.append(error)
        passed.append(error is None)
    return passed


def _pledge_columns(i: int, entries: list[tuple[dict, dict, list]], once: v.Distinct) -> None:
    """The ``i``-th pledge of every row that has one, column by column: ``entries`` are (raw pledge, parsed
    pledge to fill, the row's errors). The number is checked against a valid kind and the registration year
    against a valid date (cross-field rules run when their inputs passed)."""
    prefix = f"pledges.{i}"
    raw = [e[0] for e in entries]
    outs = [e[1] for e in entries]
    errors = [e[2] for e in entries]

    def take(name, check, column, rows=None):
        rows = range(len(raw)) if rows is None else rows
        answers = once.column(check, column, f"{prefix}.{name}")
        return _take(answers, [outs[k] for k in rows], [errors[k] for k in rows], name)

    kind_ok = take("ip_kind", v.ip_kind, [p.get("ip_kind") for p in raw])
    with_kind = [k for k, ok in enumerate(kind_ok) if ok]
    take("ip_number", _ip_number, [(outs[k]["ip_kind"], raw[k].get("ip_number")) for k in with_kind],
         with_kind)
    take("appraised_value", inputs.parse_amount, [p.get("appraised_value") for p in raw])
    kinds = [o.get("ip_kind", str(p.get("ip_kind") or "").strip()) for o, p in zip(outs, raw, strict=True)]
    reg_ok = take("registration_no", _registration_no,
                  [(k, p.get("registration_no")) for k, p in zip(kinds, raw, strict=True)])
    day_ok = take("registered_on", v.registration_date, [p.get("registered_on") for p in raw])
    field = f"{prefix}.registration_no"
    for out, errs, r_ok, d_ok in zip(outs, errors, reg_ok, day_ok, strict=True):
        if r_ok:
            value, year = out["registration_no"]
            out["registration_no"] = value
            if d_ok:
                try:
                    v.registration_year(value, year, out["registered_on"], field)
                except DomainError as exc:
                    errs.append(exc)


def _pledge_list(raw, category: str | None, errors: list) -> list:
    """The rules on the pledge list itself (by category); each pledge object gets an empty dict to fill."""
    if category == LoanCategory.RD_CREDIT and raw:
        errors.append(DomainError("早期研发信用贷款为信用贷款，不设质押",
                                  "an early-stage R&D credit loan is unsecured: "
                                  "it carries no pledge", code="credit_loan_pledged", field="pledges"))
        return []
    if not raw:
        if category == LoanCategory.IP_PLEDGE:
            errors.append(DomainError("知识产权质押贷款至少需要一项质押的知识产权",
                                      "an IP-pledge loan needs at least one pledged "
                                      "IP asset", code="required", field="pledges"))
        return []
    if not isinstance(raw, list):
        errors.append(DomainError("pledges 必须是列表", "pledges must be a list", code="invalid",
                                  field="pledges"))
        return []
    out: list = []
    for i, p in enumerate(raw):
        if isinstance(p, dict):
            out.append({})
        else:
            errors.append(DomainError(f"pledges.{i} 必须是对象", f"pledges.{i} must be an object",
                                      code="invalid", field=f"pledges.{i}"))
            out.append(None)
    return out


def loans_input(records) -> list[RowInput]:
    """Parse submissions (API bodies or file rows) column by column, reporting every error of every row.

    Each field's check runs once per distinct value of its column (``validators.Distinct``): the API calls
    this with its one body, a bank file with all its rows — the same functions either way.
    """
    once = v.Distinct()
    values: list[dict] = [{} for _ in records]
    errors: list[list[DomainError]] = [[] for _ in records]
    for name, check in FIELDS:
        _take(once.column(check, [r.get(name) for r in records]), values, errors, name)
    by_index: dict[int, list] = {}
    for data, vals, errs in zip(records, values, errors, strict=True):
        raw = data.get("pledges") or []
        vals["pledges"] = _pledge_list(raw, vals.get("category"), errs)
        for i, parsed in enumerate(vals["pledges"]):
            if parsed is not None:
                by_index.setdefault(i, []).append((raw[i], parsed, errs))
    for i, entries in sorted(by_index.items()):
        _pledge_columns(i, entries, once)
    return [RowInput(vals, errs) for vals, errs in zip(values, errors, strict=True)]


def loan_input(data: dict) -> LoanIn:
    """Parse one submission (API body or file row); raises ``InputErrors`` naming every field at fault."""
    (row,) = loans_input([data])
    if row.errors:
        raise InputErrors(row.errors)
    return row.loan


def _future(d: dict, use, as_of: dt.date) -> None:
    if d["disbursed_on"] > as_of:
        raise DomainError(f"放款日 {d['disbursed_on']} 晚于今天（{as_of}）：只登记已发放的贷款",
                          f"disbursed_on {d['disbursed_on']} is in the future (today is {as_of}): "
                          "register disbursed loans only", code="disbursement_in_future",
                          field="disbursed_on")


def _term_cap(d: dict, use, as_of: dt.date) -> None:
    term_max = use("loan.term_max_months")
    if d["term_months"] > term_max:
        raise DomainError(f"贷款期限 {d['term_months']} 个月超过上限 {term_max} 个月"
                          "（政策参数 loan.term_max_months）",
                          f"term {d['term_months']} months exceeds the maximum {term_max} "
                          "(policy loan.term_max_months)", code="term_above_cap", field="term_months",
                          extra={"rule": "loan.term_max_months", "limit": str(term_max)})


def _rate_cap(d: dict, use, as_of: dt.date) -> None:
    rate_max = use("loan.rate_max")
    if d["annual_rate"] > rate_max:
        raise DomainError(f"年利率 {d['annual_rate']}% 超过上限 {rate_max}%（政策参数 loan.rate_max）",
                          f"annual rate {d['annual_rate']}% exceeds the maximum {rate_max}% "
                          "(policy loan.rate_max)",
                          code="rate_above_cap", field="annual_rate",
                          extra={"rule": "loan.rate_max", "limit": str(rate_max)})


def _no_asset_twice(d: dict, use, as_of: dt.date) -> None:
    seen = set()
    for i, p in enumerate(d["pledges"]):
        if p is None or "ip_number" not in p:
            continue
        if (p["ip_kind"], p["ip_number"]) in seen:
            raise DomainError(f"同一知识产权 {p['ip_number']} 重复质押",
                              f"IP asset {p['ip_number']} is listed twice",
                              code="duplicate_pledge", field=f"pledges.{i}.ip_number")
        seen.add((p["ip_kind"], p["ip_number"]))


def _ltv_cap(d: dict, use, as_of: dt.date) -> None:
    pledges = d["pledges"]
    if not pledges or any(p is None or "ip_kind" not in p or "appraised_value" not in p for p in pledges):
        return  # its inputs are not all valid: their own errors are reported
    capacity = fen(sum((p["appraised_value"] * percent_to_fraction(use(f"loan.ltv_max.{p['ip_kind']}"))
                        for p in pledges), Decimal(0)))
    if d["principal"] > capacity:
        kinds = sorted({p["ip_kind"] for p in pledges})
        caps = ", ".join(f"loan.ltv_max.{k}={use.snapshot[f'loan.ltv_max.{k}']}%" for k in kinds)
        raise DomainError(
            f"贷款本金 {d['principal']} 超过质押率上限允许的 {capacity}（{caps}）",
            f"principal {d['principal']} exceeds the loan-to-value limit {capacity} ({caps})",
            code="ltv_above_cap", field="principal", extra={"rule": "loan.ltv_max", "limit": str(capacity)})


#: The submission rules, each with the inputs it needs (it runs only when they passed) and whether it reads
#: the policy in force on the disbursement date.
RULES = ((_future, ("disbursed_on",), False), (_term_cap, ("term_months", "disbursed_on"), True),
         (_rate_cap, ("annual_rate", "disbursed_on"), True),
         (_no_asset_twice, ("category_ip_pledge",), False),
         (_ltv_cap, ("category_ip_pledge", "principal", "disbursed_on"), True))


def loan_rules_errors(values: dict, use, *, as_of: dt.date) -> list[DomainError]:
    """Every submission rule whose inputs are valid in ``values`` (``RowInput.values`` or a ``LoanIn``'s),
    each a policy parameter read through ``use`` (the policy in force on the disbursement date).

    Disbursement not in the future; term ≤ loan.term_max_months; rate ≤ loan.rate_max; for an IP-pledge loan,
    no asset twice and principal ≤ Σ appraised value × the cap of the asset's kind (loan.ltv_max.<kind>).
    """
    have = set(values)
    if values.get("category") == LoanCategory.IP_PLEDGE:
        have.add("category_ip_pledge")
    errors = []
    for rule, needs, reads_policy in RULES:
        if not have.issuperset(needs) or (reads_policy and use is None):
            continue
        try:
            rule(values, use, as_of)
        except DomainError as exc:  # a policy value missing is reported like any rule
            errors.append(exc)
    return errors


def _values(data: LoanIn) -> dict:
    return {**vars(data), "pledges": [vars(p) for p in data.pledges]}


def loan_rules_check(data: LoanIn, use, *, as_of: dt.date) -> None:
    """``loan_rules_errors`` for a parsed loan; raises ``InputErrors`` naming every rule that refuses."""
    errors = loan_rules_errors(_values(data), use, as_of=as_of)
    if errors:
        raise InputErrors(errors)


def schedule_for(loan: Loan) -> list:
    try:
        return amortization_schedule(loan.principal.amount, loan.annual_rate, loan.term_months,
                                     method=loan.repayment_method, start_date=loan.disbursed_on,
                                     day_count=loan.day_count)
    except CalcError as exc:
        raise calc_error(exc) from None


def _check_bank(bank: Organisation) -> None:
    if bank.kind != OrgKind.BANK:
        raise DomainError("只有银行可以登记贷款", "only banks register loans", code="not_a_bank", status=403)


@transaction.atomic
def loan_submit(*, bank: Organisation, by, data: dict | LoanIn, as_of: dt.date | None = None) -> Loan:
    """Register one disbursed loan: parse, check the rules (policy values stored on the loan), then the same
    registration as a bank file row (borrower, assets locked, pledges, schedule, audit submitted → active)."""
    _check_bank(bank)
    as_of = as_of or inputs.today()
    row = RowInput(_values(data), []) if isinstance(data, LoanIn) else loans_input([data])[0]
    on = row.values.get("disbursed_on")
    use = PolicyUse(on=on) if on is not None else None
    errors = row.errors + loan_rules_errors(row.values, use, as_of=as_of)
    if errors:
        raise InputErrors(errors)
    data = row.loan
    if existing_refs(bank, [data.external_ref]):
        raise Conflict(f"贷款编号 {data.external_ref} 已登记",
                       f"loan reference {data.external_ref} is already registered",
                       code="duplicate_external_ref", field="external_ref")
    reason = f"registered; disbursed on {data.disbursed_on} / 已登记，放款日 {data.disbursed_on}"
    (loan_id,) = register_loans([Item(None, data, use.snapshot)], bank=bank, by=by, reason=reason)
    return Loan.objects.select_related("bank", "borrower").get(pk=loan_id)
