"""Every write on IP-pledge loans: registration, repayments, default, write-off, nightly classification, subsidies.

Loan states (``LOAN_TRANSITIONS``): a loan is registered ``submitted`` and moves to ``active`` in the same
transaction, because a bank only registers loans it has already disbursed (``disbursed_on`` in the future is
refused) — so ``submitted`` is only ever seen inside the registration and in the audit log. ``active`` ⇄
``overdue`` follows days past due (nightly job and repayments); ``defaulted`` is declared by the bank;
``repaid`` when the principal reaches zero; ``written_off`` ends a defaulted loan. Every move is logged through
``finance.approvals.services.state_change`` (set-based moves write the same StateChange rows in bulk).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from finance.approvals.models import StateChange
from finance.approvals.services import state_change
from finance.calc import CalcError, amortization_schedule
from finance.core.errors import Conflict, DomainError, InvalidTransition
from finance.core.money import fen
from finance.parties.models import Organisation, OrgKind
from finance.parties.services import organisation_create
from finance.policy.services import PolicyHistory, PolicyUse

from . import validators as v
from .models import (
    Installment,
    InstallmentStatus,
    IPAsset,
    Loan,
    LoanClass,
    LoanClassHistory,
    LoanStatus,
    Pledge,
    Repayment,
)

S = LoanStatus
LOAN_TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.ACTIVE},
    S.ACTIVE: {S.OVERDUE, S.REPAID, S.DEFAULTED},
    S.OVERDUE: {S.ACTIVE, S.REPAID, S.DEFAULTED},
    S.DEFAULTED: {S.REPAID, S.WRITTEN_OFF},
    S.REPAID: set(),
    S.WRITTEN_OFF: set(),
}
#: Loans whose pledges are still registered (an IP asset cannot back two of these at once).
LIVE_STATUSES = (S.SUBMITTED, S.ACTIVE, S.OVERDUE, S.DEFAULTED)
#: Loans the nightly job classifies. Defaulted loans keep ageing until written off or repaid (the pool's claim
#: trigger depends on it).
CLASSIFIED_STATUSES = (S.ACTIVE, S.OVERDUE, S.DEFAULTED)


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- submission


@dataclass
class PledgeIn:
    ip_kind: str
    ip_number: str
    appraised_value: Decimal
    registration_no: str = ""


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


def loan_input(data: dict) -> LoanIn:
    """Parse and shape-check one submission (API body or file row); raises a DomainError naming the field."""
    ref = str(data.get("external_ref") or "").strip()
    if not ref:
        raise DomainError("银行贷款编号不能为空", "external_ref (the bank's loan reference) is required", code="required",
                          field="external_ref")
    if len(ref) > 64:
        raise DomainError("银行贷款编号最长 64 个字符", "external_ref has at most 64 characters", code="too_long",
                          field="external_ref")
    pledges_raw = data.get("pledges") or []
    if not pledges_raw:
        raise DomainError("至少需要一项质押的知识产权", "at least one pledged IP asset is required", code="required",
                          field="pledges")
    pledges = []
    for i, p in enumerate(pledges_raw):
        kind = str(p.get("ip_kind") or "").strip()
        number = v.ip_number(kind, p.get("ip_number"), field=f"pledges.{i}.ip_number")
        pledges.append(PledgeIn(kind, number, v.amount(p.get("appraised_value"), f"pledges.{i}.appraised_value"),
                                str(p.get("registration_no") or "").strip()[:60]))
    return LoanIn(
        external_ref=ref,
        borrower_uscc=v.uscc(data.get("borrower_uscc")),
        borrower_name=str(data.get("borrower_name") or "").strip()[:200],
        principal=v.amount(data.get("principal"), "principal"),
        currency=v.currency(data.get("currency")),
        annual_rate=v.rate(data.get("annual_rate")),
        term_months=v.term(data.get("term_months")),
        repayment_method=v.method(data.get("repayment_method")),
        day_count=v.day_count(data.get("day_count")),
        disbursed_on=v.date(data.get("disbursed_on"), "disbursed_on"),
        pledges=pledges,
    )


#: Bulk submissions share one policy history (read once per parameter), see finance.policy.services.
PolicyCache = PolicyHistory


def loan_rules_check(data: LoanIn, use, *, as_of: dt.date) -> None:
    """The submission rules, each a policy parameter; a failure names the rule and the value in force.

    Loan-to-value: principal ≤ Σ appraised value × cap of the asset's kind (loan.ltv_max.<kind>).
    Term ≤ loan.term_max_months; rate ≤ loan.rate_max; disbursement not in the future.
    """
    if data.disbursed_on > as_of:
        raise DomainError(f"放款日 {data.disbursed_on} 晚于今天（{as_of}）：只登记已发放的贷款",
                          f"disbursed_on {data.disbursed_on} is in the future (today is {as_of}): register disbursed loans only",
                          code="disbursement_in_future", field="disbursed_on")
    term_max = use("loan.term_max_months")
    if data.term_months > term_max:
        raise DomainError(f"贷款期限 {data.term_months} 个月超过上限 {term_max} 个月（政策参数 loan.term_max_months）",
                          f"term {data.term_months} months exceeds the maximum {term_max} (policy loan.term_max_months)",
                          code="term_above_cap", field="term_months", extra={"rule": "loan.term_max_months",
                                                                              "limit": str(term_max)})
    rate_max = use("loan.rate_max")
    if data.annual_rate > rate_max:
        raise DomainError(f"年利率 {data.annual_rate}% 超过上限 {rate_max}%（政策参数 loan.rate_max）",
                          f"annual rate {data.annual_rate}% exceeds the maximum {rate_max}% (policy loan.rate_max)",
                          code="rate_above_cap", field="annual_rate", extra={"rule": "loan.rate_max", "limit": str(rate_max)})
    seen = set()
    capacity = Decimal(0)
    for i, p in enumerate(data.pledges):
        if (p.ip_kind, p.ip_number) in seen:
            raise DomainError(f"同一知识产权 {p.ip_number} 重复质押", f"IP asset {p.ip_number} is listed twice",
                              code="duplicate_pledge", field=f"pledges.{i}.ip_number")
        seen.add((p.ip_kind, p.ip_number))
        cap = use(f"loan.ltv_max.{p.ip_kind}")
        capacity += p.appraised_value * cap / 100
    capacity = fen(capacity)
    if data.principal > capacity:
        caps = ", ".join(f"loan.ltv_max.{k}={use.snapshot[f'loan.ltv_max.{k}']}%" for k in sorted({p.ip_kind for p in data.pledges}))
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


def _borrower(data: LoanIn) -> Organisation:
    org = Organisation.objects.filter(uscc=data.borrower_uscc).first()
    if org is None:
        if not data.borrower_name:
            raise DomainError(f"借款企业 {data.borrower_uscc} 尚未登记，请同时提供企业名称（borrower_name）",
                              f"borrower {data.borrower_uscc} is not registered: give borrower_name to register it",
                              code="borrower_unknown", field="borrower_name")
        return organisation_create(kind=OrgKind.ENTERPRISE, name=data.borrower_name, uscc=data.borrower_uscc)
    if org.kind != OrgKind.ENTERPRISE:
        raise DomainError(f"借款人 {data.borrower_uscc} 不是企业（{org.get_kind_display()}）",
                          f"borrower {data.borrower_uscc} is not an enterprise ({org.kind})",
                          code="borrower_not_enterprise", field="borrower_uscc")
    return org


def _pledge_assets(data: LoanIn, borrower: Organisation, currency: str) -> list[IPAsset]:
    """Find or register each pledged asset; an asset of another owner, or backing a live loan, is refused."""
    assets = []
    for i, p in enumerate(data.pledges):
        asset = IPAsset.objects.select_for_update().filter(kind=p.ip_kind, number=p.ip_number).first()
        if asset is None:
            asset = IPAsset.objects.create(kind=p.ip_kind, number=p.ip_number, owner=borrower,
                                           appraised_value=(p.appraised_value, currency))
        else:
            if asset.owner_id != borrower.pk:
                raise DomainError(f"知识产权 {p.ip_number} 登记在其他权利人名下", f"IP asset {p.ip_number} belongs to another owner",
                                  code="ip_owner_mismatch", field=f"pledges.{i}.ip_number")
            if Pledge.objects.filter(asset=asset, loan__status__in=LIVE_STATUSES).exists():
                raise DomainError(f"知识产权 {p.ip_number} 已为另一笔未结清贷款质押",
                                  f"IP asset {p.ip_number} already secures another outstanding loan",
                                  code="ip_already_pledged", field=f"pledges.{i}.ip_number", status=409)
            asset.appraised_value = (p.appraised_value, currency)  # the latest appraisal
            asset.save(update_fields=["appraised_value", "appraised_value_currency"])
        assets.append(asset)
    return assets


@transaction.atomic
def loan_submit(*, bank: Organisation, by, data: dict | LoanIn, as_of: dt.date | None = None) -> Loan:
    """Register a disbursed loan: validate, check the rules (policy values stored on the loan), store the
    pledges and the schedule, and activate it (submitted → active, both logged)."""
    if bank.kind != OrgKind.BANK:
        raise DomainError("只有银行可以登记贷款", "only banks register loans", code="not_a_bank", status=403)
    data = data if isinstance(data, LoanIn) else loan_input(data)
    as_of = as_of or today()
    use = PolicyUse(on=data.disbursed_on)
    loan_rules_check(data, use, as_of=as_of)
    if Loan.objects.filter(bank=bank, external_ref=data.external_ref).exists():
        raise Conflict(f"贷款编号 {data.external_ref} 已登记", f"loan reference {data.external_ref} is already registered",
                       code="duplicate_external_ref", field="external_ref")
    borrower = _borrower(data)
    assets = _pledge_assets(data, borrower, data.currency)
    loan = Loan(bank=bank, borrower=borrower, external_ref=data.external_ref,
                principal=(data.principal, data.currency), annual_rate=data.annual_rate, term_months=data.term_months,
                repayment_method=data.repayment_method, day_count=data.day_count, disbursed_on=data.disbursed_on,
                maturity_on=data.disbursed_on, principal_outstanding=data.principal, policy_snapshot=use.snapshot,
                submitted_by=by, status=S.SUBMITTED)
    rows = schedule_for(loan)
    loan.maturity_on = rows[-1].due_date
    loan.save()
    Pledge.objects.bulk_create([
        Pledge(loan=loan, asset=a, registration_no=p.registration_no, appraised_value=p.appraised_value,
               ltv_cap=Decimal(use.snapshot[f"loan.ltv_max.{p.ip_kind}"]))
        for a, p in zip(assets, data.pledges, strict=True)])
    Installment.objects.bulk_create([
        Installment(loan=loan, number=r.number, due_date=r.due_date, principal=r.principal, interest=r.interest,
                    payment=r.payment, balance=r.balance) for r in rows])
    state_change(loan, to=S.ACTIVE, allowed=LOAN_TRANSITIONS, by=by,
                 reason=f"registered; disbursed on {data.disbursed_on} / 已登记，放款日 {data.disbursed_on}")
    return loan


# ---------------------------------------------------------------- repayments


@dataclass
class Allocation:
    overdue_interest: Decimal = Decimal("0.00")
    overdue_principal: Decimal = Decimal("0.00")
    current_interest: Decimal = Decimal("0.00")
    principal: Decimal = Decimal("0.00")
    lines: list[dict] = field(default_factory=list)

    @property
    def interest(self):
        return self.overdue_interest + self.current_interest

    @property
    def principal_total(self):
        return self.overdue_principal + self.principal


def amount_owed(loan: Loan, installments: list[Installment], paid_on: dt.date) -> Decimal:
    """What the borrower can pay on ``paid_on``: unpaid interest of installments due before then, the current
    period's interest (the installment due on ``paid_on`` or next), and all unpaid principal — exactly the
    buckets ``allocate_repayment`` fills."""
    owed = Decimal(0)
    current_seen = False
    for inst in installments:
        owed += inst.principal - inst.principal_paid
        if inst.due_date < paid_on:
            owed += inst.interest - inst.interest_paid
        elif not current_seen:
            owed += inst.interest - inst.interest_paid
            current_seen = True
    return owed


def allocate_repayment(installments: list[Installment], paid_on: dt.date, amount: Decimal) -> Allocation:
    """Split a payment in the order the banks apply it (and the borrower owes it):

    1. overdue interest — interest of installments due before ``paid_on``, oldest first;
    2. overdue principal — their principal, oldest first;
    3. current interest — the installment due on ``paid_on`` or next (one period's interest);
    4. principal — that installment's principal, then later installments' principal in due order
       (a prepayment; the scheduled interest of later periods is not recomputed, and is waived once the
       principal is fully repaid).

    Mutates the installments' paid parts; returns the totals per bucket and one line per installment touched.
    """
    alloc = Allocation()
    left = amount
    touched: dict[int, dict] = {}

    def take(inst, part: str, bucket: str):
        nonlocal left
        due = getattr(inst, part) - getattr(inst, f"{part}_paid")
        pay = min(due, left)
        if pay <= 0:
            return
        setattr(inst, f"{part}_paid", getattr(inst, f"{part}_paid") + pay)
        setattr(alloc, bucket, getattr(alloc, bucket) + pay)
        line = touched.setdefault(inst.number, {"number": inst.number, "interest": Decimal(0), "principal": Decimal(0)})
        line[part] += pay
        left -= pay

    overdue = [i for i in installments if i.due_date < paid_on]
    later = [i for i in installments if i.due_date >= paid_on]
    for inst in overdue:
        take(inst, "interest", "overdue_interest")
    for inst in overdue:
        take(inst, "principal", "overdue_principal")
    if later:
        take(later[0], "interest", "current_interest")
    for inst in later:
        take(inst, "principal", "principal")
    alloc.lines = [{"number": n, "interest": str(x["interest"]), "principal": str(x["principal"])}
                   for n, x in sorted(touched.items())]
    return alloc


def _lock_loan(loan_id: int) -> Loan:
    return Loan.objects.select_for_update().get(pk=loan_id)


@transaction.atomic
def repayment_record(*, loan: Loan, paid_on, amount, by, as_of: dt.date | None = None) -> Repayment:
    """Record a repayment and allocate it (see ``allocate_repayment`` for the order).

    Refused: a date before disbursement, in the future or before the last recorded repayment (allocation
    depends on order), an amount above what is owed on that date, a loan that is not outstanding.
    The loan is repaid when its principal reaches zero; an overdue loan with nothing past due any more is
    active again (dpd 0).
    """
    paid_on = v.date(paid_on, "paid_on")
    amount = v.amount(amount, "amount")
    as_of = as_of or today()
    loan = _lock_loan(loan.pk)
    if loan.status not in (S.ACTIVE, S.OVERDUE, S.DEFAULTED):
        raise InvalidTransition(f"贷款状态为「{loan.get_status_display()}」，不能登记还款",
                                f"a loan in status '{loan.status}' takes no repayments", code="loan_not_outstanding")
    if paid_on < loan.disbursed_on:
        raise DomainError(f"还款日 {paid_on} 早于放款日 {loan.disbursed_on}",
                          f"paid_on {paid_on} is before the disbursement on {loan.disbursed_on}",
                          code="repayment_before_disbursement", field="paid_on")
    if paid_on > as_of:
        raise DomainError(f"还款日 {paid_on} 晚于今天", f"paid_on {paid_on} is in the future", code="date_in_future",
                          field="paid_on")
    last = loan.repayments.order_by("-paid_on").values_list("paid_on", flat=True).first()
    if last and paid_on < last:
        raise DomainError(f"还款日 {paid_on} 早于已登记的最近一次还款（{last}）",
                          f"paid_on {paid_on} is before the last recorded repayment ({last})",
                          code="repayment_out_of_order", field="paid_on")
    installments = list(loan.installments.exclude(status=InstallmentStatus.PAID).order_by("number"))
    owed = amount_owed(loan, installments, paid_on)
    if amount > owed:
        raise DomainError(f"还款金额 {amount} 超过 {paid_on} 应还总额 {owed}",
                          f"amount {amount} exceeds what is owed on {paid_on}: {owed}",
                          code="repayment_above_owed", field="amount", extra={"owed": str(owed)})
    on_time = not any(i.due_date < paid_on for i in installments)
    before = {i.pk: (i.principal_paid, i.interest_paid, i.status) for i in installments}
    alloc = allocate_repayment(installments, paid_on, amount)
    principal_left = sum((i.principal - i.principal_paid for i in installments), Decimal(0))
    changed = []
    for inst in installments:
        full = inst.principal_paid == inst.principal and (inst.interest_paid == inst.interest or principal_left == 0)
        if full:
            inst.status, inst.paid_on = InstallmentStatus.PAID, paid_on
        elif inst.due_date < paid_on:
            inst.status = InstallmentStatus.OVERDUE
        if before[inst.pk] != (inst.principal_paid, inst.interest_paid, inst.status):
            changed.append(inst)
    for inst in changed:  # usually one or two rows: plain UPDATEs beat bulk_update's CASE
        Installment.objects.filter(pk=inst.pk).update(principal_paid=inst.principal_paid,
                                                      interest_paid=inst.interest_paid, status=inst.status,
                                                      paid_on=inst.paid_on)
    repayment = Repayment.objects.create(
        loan=loan, paid_on=paid_on, amount=(amount, loan.principal.currency), interest_part=alloc.interest,
        principal_part=alloc.principal_total, on_time=on_time, recorded_by=by,
        allocation={"overdue_interest": str(alloc.overdue_interest), "overdue_principal": str(alloc.overdue_principal),
                    "current_interest": str(alloc.current_interest), "principal": str(alloc.principal),
                    "installments": alloc.lines})
    loan.principal_outstanding = principal_left
    loan.save(update_fields=["principal_outstanding"])
    if principal_left == 0:
        loan.dpd = 0
        loan.claim_eligible_since = None
        state_change(loan, to=S.REPAID, allowed=LOAN_TRANSITIONS, by=by, reason=f"fully repaid on {paid_on} / 已结清")
    elif loan.status == S.OVERDUE and not any(i.status != InstallmentStatus.PAID and i.due_date < paid_on
                                              for i in installments):
        loan.dpd = 0
        loan.loan_class = LoanClass.NORMAL
        loan.claim_eligible_since = None
        state_change(loan, to=S.ACTIVE, allowed=LOAN_TRANSITIONS, by=by,
                     reason=f"arrears cleared on {paid_on} / 逾期已结清")
    return repayment


# ---------------------------------------------------------------- default and write-off


@transaction.atomic
def loan_default(*, loan: Loan, declared_on, reason: str, by, as_of: dt.date | None = None) -> Loan:
    """The bank declares the loan in default (the pool's compensation claims start from here)."""
    declared_on = v.date(declared_on, "declared_on")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请说明违约原因", "give the reason for the default", code="required", field="reason")
    loan = _lock_loan(loan.pk)
    if declared_on < loan.disbursed_on or declared_on > (as_of or today()):
        raise DomainError(f"违约日期 {declared_on} 须在放款日 {loan.disbursed_on} 与今天之间",
                          f"declared_on {declared_on} must be between the disbursement ({loan.disbursed_on}) and today",
                          code="invalid_date", field="declared_on")
    loan.defaulted_on = declared_on
    loan.default_reason = reason
    return state_change(loan, to=S.DEFAULTED, allowed=LOAN_TRANSITIONS, by=by, reason=reason)


@transaction.atomic
def loan_write_off(*, loan: Loan, reason: str, by) -> Loan:
    loan = _lock_loan(loan.pk)
    return state_change(loan, to=S.WRITTEN_OFF, allowed=LOAN_TRANSITIONS, by=by, reason=reason or "written off")


# ---------------------------------------------------------------- nightly classification


def _days_between_sql(as_of_param: str, column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({as_of_param}::date - {column})"
    return f"CAST(julianday({as_of_param}) - julianday({column}) AS INTEGER)"


@dataclass
class ClassificationResult:
    as_of: dt.date
    installments_overdue: int
    loans_changed: int
    status_changes: int
    claim_eligible: int
    policy: dict


@transaction.atomic
def loans_classify(*, as_of: dt.date) -> ClassificationResult:
    """Days past due and five-category class of every active, overdue or defaulted loan, set-based in SQL.

    1. installments due before ``as_of`` and not paid become ``overdue`` (one UPDATE);
    2. each loan's dpd = ``as_of`` − its oldest unpaid due date (0 if none), its class from the loan.class.*
       thresholds; loans whose dpd or class changed get a LoanClassHistory row (one INSERT … SELECT with
       ON CONFLICT, so a rerun on the same day is harmless), then the loans take those values (one UPDATE … FROM);
    3. active ⇄ overdue status moves, with their StateChange audit rows (one INSERT … SELECT + one UPDATE each);
    4. claim_eligible_since is set when dpd ≥ pool.claim_trigger_dpd and cleared when the loan cures.
    Works on PostgreSQL and SQLite (≥ 3.33, for UPDATE … FROM).
    """
    use = PolicyUse(on=as_of)
    t_sm, t_sub = int(use("loan.class.special_mention_dpd")), int(use("loan.class.substandard_dpd"))
    t_dbt, t_loss = int(use("loan.class.doubtful_dpd")), int(use("loan.class.loss_dpd"))
    trigger = int(use("pool.claim_trigger_dpd"))
    L, Ins, H = Loan._meta.db_table, Installment._meta.db_table, LoanClassHistory._meta.db_table
    statuses = "', '".join(CLASSIFIED_STATUSES)
    day = as_of.isoformat()
    with connection.cursor() as cur:
        cur.execute(f"""
            UPDATE {Ins} SET status = 'overdue'
            WHERE status = 'due' AND due_date < %s
              AND loan_id IN (SELECT id FROM {L} WHERE status IN ('{statuses}'))""", [day])
        overdue_marked = cur.rowcount
        computed = f"""
            SELECT l.id AS loan_id, COALESCE(m.dpd, 0) AS dpd,
                   CASE WHEN COALESCE(m.dpd, 0) >= {t_loss} THEN 'loss'
                        WHEN COALESCE(m.dpd, 0) >= {t_dbt} THEN 'doubtful'
                        WHEN COALESCE(m.dpd, 0) >= {t_sub} THEN 'substandard'
                        WHEN COALESCE(m.dpd, 0) >= {t_sm} THEN 'special_mention'
                        ELSE 'normal' END AS loan_class,
                   l.dpd AS old_dpd, l.loan_class AS old_class
            FROM {L} l
            LEFT JOIN (SELECT loan_id, {_days_between_sql('%s', 'MIN(due_date)')} AS dpd
                       FROM {Ins} WHERE status = 'overdue' GROUP BY loan_id) m ON m.loan_id = l.id
            WHERE l.status IN ('{statuses}')"""
        cur.execute(f"""
            INSERT INTO {H} (loan_id, as_of, dpd, loan_class)
            SELECT c.loan_id, %s, c.dpd, c.loan_class FROM ({computed}) c
            WHERE c.dpd <> c.old_dpd OR c.loan_class <> c.old_class
            ON CONFLICT (loan_id, as_of) DO UPDATE SET dpd = excluded.dpd, loan_class = excluded.loan_class""",
                    [day, day])
        cur.execute(f"""
            UPDATE {L} SET dpd = h.dpd, loan_class = h.loan_class
            FROM {H} h
            WHERE h.loan_id = {L}.id AND h.as_of = %s AND {L}.status IN ('{statuses}')
              AND ({L}.dpd <> h.dpd OR {L}.loan_class <> h.loan_class)""", [day])
        loans_changed = cur.rowcount
        cur.execute(f"UPDATE {L} SET classified_on = %s WHERE status IN ('{statuses}')", [day])
        # Status moves with their audit rows (the same rows state_change writes, in bulk).
        ct = ContentType.objects.get_for_model(Loan).pk
        sc = StateChange._meta.db_table
        moves = 0
        for frm, to, cond, why in ((S.ACTIVE, S.OVERDUE, "dpd > 0", "days past due > 0 / 逾期"),
                                   (S.OVERDUE, S.ACTIVE, "dpd = 0", "no amount past due / 已无逾期")):
            cur.execute(f"""
                INSERT INTO {sc} (item_type_id, item_id, field, from_state, to_state, by_id, at, reason)
                SELECT %s, id, 'status', %s, %s, NULL, %s, %s FROM {L} WHERE status = %s AND {cond}""",
                        [ct, frm, to, timezone.now(), f"nightly classification {day}: {why}", frm])
            cur.execute(f"UPDATE {L} SET status = %s WHERE status = %s AND {cond}", [to, frm])
            moves += cur.rowcount
        cur.execute(f"""
            UPDATE {L} SET claim_eligible_since = %s
            WHERE status IN ('{statuses}') AND dpd >= %s AND claim_eligible_since IS NULL""", [day, trigger])
        eligible = cur.rowcount
        cur.execute(f"""
            UPDATE {L} SET claim_eligible_since = NULL
            WHERE status IN ('{statuses}') AND dpd < %s AND claim_eligible_since IS NOT NULL""", [trigger])
    return ClassificationResult(as_of, overdue_marked, loans_changed, moves, eligible, use.snapshot)


def interest_paid(loan: Loan) -> Decimal:
    return loan.repayments.aggregate(s=Sum("interest_part"))["s"] or Decimal("0.00")


# ---------------------------------------------------------------- interest subsidies (贴息)

SUBSIDY_APPROVAL_KIND = "loan_subsidy"


def _subsidy_amount(*, scheme, loan: Loan, enterprise: Organisation, use, loan_year, appraisal_fee,
                    exclude_pk=None) -> tuple[Decimal, Decimal]:
    """(basis, amount before the enterprise cap) under the scheme's rule; refuses ineligible claims."""
    from .models import SubsidyApplication, SubsidyKind, SubsidyStatus

    live = SubsidyApplication.objects.filter(enterprise=enterprise, scheme__kind=scheme.kind).exclude(
        status=SubsidyStatus.REJECTED)
    if exclude_pk:
        live = live.exclude(pk=exclude_pk)
    if scheme.kind == SubsidyKind.PAID_INTEREST:
        if live.exists():
            raise DomainError("该贴息每家企业只能选择一笔贷款申请一次", "this subsidy is granted on one loan per enterprise, once",
                              code="subsidy_once_per_enterprise", field="loan")
        late = loan.repayments.filter(on_time=False).exists() or loan.installments.filter(status="overdue").exists() \
            or loan.status in (S.OVERDUE, S.DEFAULTED, S.WRITTEN_OFF)
        if late:
            raise DomainError("只有按期还款的企业可以申请贴息", "only enterprises that repaid on time qualify",
                              code="not_repaid_on_time", field="loan")
        basis = interest_paid(loan)
        if basis <= 0:
            raise DomainError("该贷款尚未支付利息", "no interest has been paid on this loan yet", code="nothing_paid",
                              field="loan")
        return basis, fen(basis * use("subsidy.paid_interest_share") / 100)
    if scheme.kind == SubsidyKind.BENCHMARK:
        years = int(use("subsidy.years_per_loan"))
        times = int(use("subsidy.times_per_firm"))
        if not loan_year or not 1 <= int(loan_year) <= years:
            raise DomainError(f"贴息年度须在 1 到 {years} 之间（政策参数 subsidy.years_per_loan）",
                              f"loan_year must be between 1 and {years} (policy subsidy.years_per_loan)",
                              code="subsidy_year_out_of_range", field="loan_year")
        if live.filter(loan=loan, loan_year=loan_year).exists():
            raise DomainError("该贷款该年度已申请贴息", "this loan year was already claimed", code="subsidy_duplicate",
                              field="loan_year")
        if live.count() >= times:
            raise DomainError(f"每家企业最多贴息 {times} 次（政策参数 subsidy.times_per_firm）",
                              f"at most {times} subsidies per enterprise (policy subsidy.times_per_firm)",
                              code="subsidy_times_exceeded", field="loan")
        months_in_year = max(0, min(12, loan.term_months - 12 * (int(loan_year) - 1)))
        if months_in_year == 0:
            raise DomainError("贷款在该年度已到期", "the loan has ended before that year", code="subsidy_year_out_of_range",
                              field="loan_year")
        basis = loan.principal.amount
        amount = basis * use("subsidy.benchmark_rate") / 100 * use("subsidy.benchmark_share") / 100
        return basis, fen(amount * months_in_year / 12)
    if appraisal_fee is None:
        raise DomainError("请填写评估费", "give the appraisal fee paid", code="required", field="appraisal_fee")
    fee = v.amount(appraisal_fee, "appraisal_fee")
    if live.filter(loan=loan).exists():
        raise DomainError("该贷款的评估费已申请补贴", "the appraisal fee of this loan was already claimed",
                          code="subsidy_duplicate", field="loan")
    return fee, fen(fee * use("subsidy.appraisal_fee_share") / 100)


def _cap_left(*, scheme, enterprise: Organisation, use, on: dt.date) -> tuple[Decimal, str]:
    """What the enterprise may still receive under the scheme's cap (all its granted claims counted)."""
    from .models import SubsidyKind
    from .selectors import enterprise_granted

    if scheme.kind == SubsidyKind.PAID_INTEREST:
        cap, key = use("subsidy.enterprise_cap"), "subsidy.enterprise_cap"
        granted = enterprise_granted(enterprise.pk, scheme_kind=scheme.kind)
    elif scheme.kind == SubsidyKind.BENCHMARK:
        cap, key = use("subsidy.yearly_cap"), "subsidy.yearly_cap"
        granted = enterprise_granted(enterprise.pk, scheme_kind=scheme.kind, year=on.year)
    else:
        cap, key = use("subsidy.appraisal_fee_cap"), "subsidy.appraisal_fee_cap"
        granted = enterprise_granted(enterprise.pk, scheme_kind=scheme.kind)
    return max(Decimal(0), fen(cap) - granted), key


@transaction.atomic
def subsidy_apply(*, scheme, loan: Loan, by, loan_year: int | None = None, appraisal_fee=None,
                  on: dt.date | None = None):
    """A startup claims a subsidy on one of its loans; opens a maker-checker approval (maker = the applicant)."""
    from finance.approvals.services import approval_submit
    from finance.parties.models import Role

    from .models import SubsidyApplication

    on = on or today()
    enterprise = by.organisation
    if enterprise is None or enterprise.kind != OrgKind.ENTERPRISE or not by.has_role(Role.APPLICANT):
        raise DomainError("只有企业申请人可以申请贴息", "only an enterprise's applicant can apply", code="not_applicant",
                          status=403)
    if loan.borrower_id != enterprise.pk:
        raise DomainError("只能为本企业的贷款申请贴息", "apply only on your own enterprise's loans", code="not_your_loan",
                          field="loan", status=404)
    if not scheme.is_open:
        raise DomainError("该贴息项目已停止受理", "this scheme is closed", code="scheme_closed", field="scheme")
    Organisation.objects.select_for_update().get(pk=enterprise.pk)  # one application at a time per enterprise
    use = PolicyUse(on=on)
    basis, amount = _subsidy_amount(scheme=scheme, loan=loan, enterprise=enterprise, use=use, loan_year=loan_year,
                                    appraisal_fee=appraisal_fee)
    if amount <= 0:
        raise DomainError("计算的贴息金额为零", "the computed subsidy is zero", code="nothing_to_pay", field="loan")
    app = SubsidyApplication.objects.create(
        scheme=scheme, enterprise=enterprise, loan=loan, applicant=by, applied_on=on, loan_year=loan_year,
        appraisal_fee=basis if scheme.kind == "appraisal_fee" else None, basis=basis, amount_requested=amount,
        policy_snapshot=use.snapshot)
    approval_submit(item=app, kind=SUBSIDY_APPROVAL_KIND, amount=amount, maker=by,
                    default_role=Role.DEPARTMENT_REVIEWER)
    from finance.approvals.services import state_change_record

    state_change_record(app, from_state="", to_state=app.status, by=by, reason="applied / 提交申请")
    return app


def _subsidy_accounts(scheme, currency: str):
    from finance.ledger.models import AccountKind
    from finance.ledger.services import account_get_or_create

    expense = account_get_or_create(code=f"loans:subsidy:{scheme.code}:expense", name=f"贴息支出 {scheme.name}",
                                    kind=AccountKind.EXPENSE, currency=currency, programme=scheme)
    treasury = account_get_or_create(code=f"loans:subsidy:treasury:{currency}", name="贴息专项资金 Subsidy treasury",
                                     kind=AccountKind.ASSET, currency=currency)
    return expense, treasury


@transaction.atomic
def subsidy_approve(*, application, by, approve: bool = True, comment: str = "", on: dt.date | None = None):
    """A department reviewer decides one approval level. At the last approving level the amount is capped by
    what the enterprise may still receive (all its granted claims, counted under a lock on its Organisation
    row so concurrent approvals cannot both use the same headroom) and paid through the ledger."""
    from djmoney.money import Money

    from finance.approvals.models import ApprovalStatus
    from finance.approvals.services import approval_current, approval_decide, state_change
    from finance.ledger.services import credit, debit, entry_post
    from finance.parties.models import Role

    from .models import SubsidyApplication, SubsidyStatus

    on = on or today()
    Organisation.objects.select_for_update().get(pk=application.enterprise_id)
    app = SubsidyApplication.objects.select_for_update().select_related("scheme", "loan").get(pk=application.pk)
    if app.status != SubsidyStatus.SUBMITTED:
        raise DomainError("该申请已处理", "this application was already decided", code="approval_closed", status=409)
    request = approval_current(app)
    if request is None:
        raise DomainError("该申请没有待审批记录", "no approval is pending for this application", code="approval_missing")
    use = PolicyUse(on=on)
    left, cap_key = _cap_left(scheme=app.scheme, enterprise=app.enterprise, use=use, on=on)
    if approve and left <= 0:
        raise DomainError(f"企业已达贴息上限（政策参数 {cap_key} = {use.snapshot[cap_key]}）",
                          f"the enterprise has reached its subsidy cap (policy {cap_key} = {use.snapshot[cap_key]})",
                          code="subsidy_cap_reached", status=409, extra={"rule": cap_key})
    request = approval_decide(request=request, approver=by, approve=approve, comment=comment,
                              default_role=Role.DEPARTMENT_REVIEWER)
    allowed = {SubsidyStatus.SUBMITTED: {SubsidyStatus.PAID, SubsidyStatus.REJECTED}}
    if request.status == ApprovalStatus.REJECTED:
        app.decided_at = timezone.now()
        return state_change(app, to=SubsidyStatus.REJECTED, allowed=allowed, by=by, reason=comment or "rejected")
    if request.status != ApprovalStatus.APPROVED:
        return app  # further levels pending
    granted = min(app.amount_requested, left)
    currency = str(app.loan.principal.currency)
    expense, treasury = _subsidy_accounts(app.scheme, currency)
    entry_post(lines=[debit(expense, Money(granted, currency)), credit(treasury, Money(granted, currency))],
               value_date=on, memo=f"贴息 subsidy #{app.pk} {app.enterprise.name} loan {app.loan.external_ref}",
               source=app, idempotency_ref=f"loan-subsidy:{app.pk}:payment", by=by)
    app.amount_granted = granted
    app.decided_at = timezone.now()
    app.policy_snapshot = {**app.policy_snapshot, **use.snapshot}
    note = "" if granted == app.amount_requested else f"capped by {cap_key}: {granted} of {app.amount_requested}"
    app.note = note
    return state_change(app, to=SubsidyStatus.PAID, allowed=allowed, by=by, reason=comment or note or "approved and paid")
