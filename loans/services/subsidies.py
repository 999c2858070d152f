"""Interest subsidies (贴息): application, maker-checker approval, and payment as a separate step.

Four eyes: the applicant (maker) never approves; from ``approval.subsidy.second_level_from`` two different
department reviewers approve; the approval reserves the amount (capped by what the enterprise may still
receive, under a lock on its Organisation row); paying is a separate step by someone who neither made nor
approved the application (``approval_check_payer``), posted through the ledger. Nothing goes straight from
submitted to paid: submitted → approved → paid, or submitted → rejected (``SubsidyApplication.TRANSITIONS``).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from finance.approvals.models import ApprovalStatus
from finance.approvals.services import (
    approval_check_payer,
    approval_current,
    approval_decide,
    approval_is_valid,
    approval_submit,
    state_change,
    state_change_record,
)
from finance.core import inputs
from finance.core.errors import DomainError, PermissionDenied
from finance.core.locks import lock
from finance.core.money import fen, money_of, percent_to_fraction
from finance.ledger.models import AccountKind
from finance.ledger.services import account_get_or_create, credit, debit, entry_post
from finance.parties.models import Organisation, OrgKind, Role
from finance.policy.selectors import PolicyUse

from ..models import Loan, LoanStatus, SubsidyApplication, SubsidyKind, SubsidyStatus
from ..selectors import enterprise_granted

S = LoanStatus
#: The approvals kind: its second level starts at the policy parameter approval.subsidy.second_level_from.
#: The approval kind; from ``approval.subsidy.second_level_from`` two approvers decide.
SUBSIDY_APPROVAL_KIND = "subsidy"


def interest_paid(loan: Loan) -> Decimal:
    return loan.repayments.aggregate(s=Sum("interest_part"))["s"] or Decimal("0.00")


def subsidy_amount(*, scheme, loan: Loan, enterprise: Organisation, use, loan_year,
                   appraisal_fee) -> tuple[Decimal, Decimal]:
    """(basis, amount before the enterprise cap) under the scheme's rule; refuses ineligible claims."""
    live = SubsidyApplication.objects.filter(enterprise=enterprise, scheme__kind=scheme.kind).exclude(
        status=SubsidyStatus.REJECTED)
    if scheme.kind == SubsidyKind.PAID_INTEREST:
        return _paid_interest(loan, live, use)
    if scheme.kind == SubsidyKind.BENCHMARK:
        return _benchmark(loan, live, use, loan_year)
    return _appraisal_fee(loan, live, use, appraisal_fee)


def _paid_interest(loan: Loan, live, use) -> tuple[Decimal, Decimal]:
    """2023 rule: a share of the interest actually paid, on one loan per enterprise that repaid on time."""
    if live.exists():
        raise DomainError("该贴息每家企业只能选择一笔贷款申请一次",
                          "this subsidy is granted on one loan per enterprise, once",
                          code="subsidy_once_per_enterprise", field="loan")
    late = (loan.repayments.filter(on_time=False).exists()
            or loan.installments.filter(status="overdue").exists()
            or loan.status in (S.OVERDUE, S.DEFAULTED, S.WRITTEN_OFF))
    if late:
        raise DomainError("只有按期还款的企业可以申请贴息", "only enterprises that repaid on time qualify",
                          code="not_repaid_on_time", field="loan")
    basis = interest_paid(loan)
    if basis <= 0:
        raise DomainError("该贷款尚未支付利息", "no interest has been paid on this loan yet",
                          code="nothing_paid", field="loan")
    return basis, fen(basis * percent_to_fraction(use("subsidy.paid_interest_share")))


def _benchmark(loan: Loan, live, use, loan_year) -> tuple[Decimal, Decimal]:
    """Earlier IP-pledge rule: benchmark rate × principal × share, per loan year, a few times per firm."""
    years = int(use("subsidy.years_per_loan"))
    times = int(use("subsidy.times_per_firm"))
    if not loan_year or not 1 <= int(loan_year) <= years:
        raise DomainError(f"贴息年度须在 1 到 {years} 之间（政策参数 subsidy.years_per_loan）",
                          f"loan_year must be between 1 and {years} (policy subsidy.years_per_loan)",
                          code="subsidy_year_out_of_range", field="loan_year")
    if live.filter(loan=loan, loan_year=loan_year).exists():
        raise DomainError("该贷款该年度已申请贴息", "this loan year was already claimed",
                          code="subsidy_duplicate", field="loan_year")
    if live.count() >= times:
        raise DomainError(f"每家企业最多贴息 {times} 次（政策参数 subsidy.times_per_firm）",
                          f"at most {times} subsidies per enterprise (policy subsidy.times_per_firm)",
                          code="subsidy_times_exceeded", field="loan")
    months_in_year = max(0, min(12, loan.term_months - 12 * (int(loan_year) - 1)))
    if months_in_year == 0:
        raise DomainError("贷款在该年度已到期", "the loan has ended before that year",
                          code="subsidy_year_out_of_range", field="loan_year")
    basis = loan.principal.amount
    amount = (basis * percent_to_fraction(use("subsidy.benchmark_rate"))
              * percent_to_fraction(use("subsidy.benchmark_share")))
    return basis, fen(amount * months_in_year / 12)


def _appraisal_fee(loan: Loan, live, use, appraisal_fee) -> tuple[Decimal, Decimal]:
    """A share of the appraisal fee paid, once per loan."""
    if appraisal_fee is None:
        raise DomainError("请填写评估费", "give the appraisal fee paid", code="required",
                          field="appraisal_fee")
    fee = inputs.parse_amount(appraisal_fee, "appraisal_fee")
    if live.filter(loan=loan).exists():
        raise DomainError("该贷款的评估费已申请补贴", "the appraisal fee of this loan was already claimed",
                          code="subsidy_duplicate", field="loan")
    return fee, fen(fee * percent_to_fraction(use("subsidy.appraisal_fee_share")))


def subsidy_cap_left(*, scheme, enterprise: Organisation, use, on: dt.date) -> tuple[Decimal, str]:
    """What the enterprise may still receive under the scheme's cap (all its granted claims counted)."""
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
                  on: dt.date | None = None) -> SubsidyApplication:
    """A startup claims a subsidy on one of its loans; opens a maker-checker approval (the applicant is the
    maker)."""
    on = inputs.parse_date(on or inputs.today(), "on", not_future=True)
    enterprise = by.organisation
    if enterprise is None or enterprise.kind != OrgKind.ENTERPRISE or not by.has_role(Role.APPLICANT):
        raise PermissionDenied("只有企业申请人可以申请贴息", "only an enterprise's applicant can apply",
                               code="not_applicant")
    if loan.borrower_id != enterprise.pk:
        raise DomainError("只能为本企业的贷款申请贴息", "apply only on your own enterprise's loans",
                          code="not_your_loan",
                          field="loan", status=404)
    if not scheme.is_open:
        raise DomainError("该贴息项目已停止受理", "this scheme is closed", code="scheme_closed",
                          field="scheme")
    lock(Organisation, enterprise.pk)  # one application at a time per enterprise
    use = PolicyUse(on=on)
    basis, amount = subsidy_amount(scheme=scheme, loan=loan, enterprise=enterprise, use=use,
                                    loan_year=loan_year,
                                    appraisal_fee=appraisal_fee)
    if amount <= 0:
        raise DomainError("计算的贴息金额为零", "the computed subsidy is zero", code="nothing_to_pay",
                          field="loan")
    app = SubsidyApplication.objects.create(
        scheme=scheme, enterprise=enterprise, loan=loan, applicant=by, applied_on=on, loan_year=loan_year,
        appraisal_fee=basis if scheme.kind == SubsidyKind.APPRAISAL_FEE else None, basis=basis,
        amount_requested=amount, policy_snapshot=use.snapshot)
    approval_submit(item=app, kind=SUBSIDY_APPROVAL_KIND, amount=amount, maker=by,
                    default_role=Role.DEPARTMENT_REVIEWER)
    state_change_record(app, from_state="", to_state=app.status, by=by, reason="applied / 提交申请")
    return app


def _subsidy_accounts(scheme, currency: str):
    expense = account_get_or_create(code=f"loans:subsidy:{scheme.code}:expense",
                                    name=f"贴息支出 {scheme.name}",
                                    kind=AccountKind.EXPENSE, currency=currency, programme=scheme)
    treasury = account_get_or_create(code=f"loans:subsidy:treasury:{currency}",
                                     name="贴息专项资金 Subsidy treasury",
                                     kind=AccountKind.ASSET, currency=currency)
    return expense, treasury


def _locked(application) -> SubsidyApplication:
    lock(Organisation, application.enterprise_id)
    return lock(SubsidyApplication, application.pk)  # its row only: scheme, loan and enterprise are read


@transaction.atomic
def subsidy_approve(*, application, by, approve: bool = True, comment: str = "",
                    on: dt.date | None = None) -> SubsidyApplication:
    """A department reviewer decides one approval level (one person per level; the applicant never decides).

    When the last level approves, the amount granted is fixed: the amount computed, capped by what the
    enterprise may still receive (all its approved and paid claims counted, under a lock on its Organisation
    row so concurrent approvals cannot both use the same headroom). Nothing is paid here: see ``subsidy_pay``.
    """
    on = inputs.parse_date(on or inputs.today(), "on", not_future=True)
    app = _locked(application)
    if app.status != SubsidyStatus.SUBMITTED:
        raise DomainError("该申请已处理", "this application was already decided", code="approval_closed",
                          status=409)
    request = approval_current(app)
    if request is None:
        raise DomainError("该申请没有待审批记录", "no approval is pending for this application",
                          code="approval_missing")
    use = PolicyUse(on=on)
    left, cap_key = subsidy_cap_left(scheme=app.scheme, enterprise=app.enterprise, use=use, on=on)
    if approve and left <= 0:
        raise DomainError(f"企业已达贴息上限（政策参数 {cap_key} = {use.snapshot[cap_key]}）",
                          f"the enterprise has reached its subsidy cap "
                          f"(policy {cap_key} = {use.snapshot[cap_key]})",
                          code="subsidy_cap_reached", status=409, extra={"rule": cap_key})
    request = approval_decide(request=request, approver=by, approve=approve, comment=comment,
                              default_role=Role.DEPARTMENT_REVIEWER)
    if request.status == ApprovalStatus.REJECTED:
        app.decided_at = timezone.now()
        return state_change(app, to=SubsidyStatus.REJECTED, by=by, reason=comment or "rejected",
                            also=("decided_at",))
    if request.status != ApprovalStatus.APPROVED:
        return app  # a further level is pending
    granted = min(app.amount_requested, left)
    app.amount_granted = granted
    app.decided_at = timezone.now()
    app.policy_snapshot = {**app.policy_snapshot, **use.snapshot}
    capped = granted != app.amount_requested
    app.note = f"capped by {cap_key}: {granted} of {app.amount_requested}" if capped else ""
    return state_change(app, to=SubsidyStatus.APPROVED, by=by, reason=comment or app.note or "approved",
                        also=("amount_granted", "decided_at", "policy_snapshot", "note"))


@transaction.atomic
def subsidy_pay(*, application, by, on: dt.date | None = None) -> SubsidyApplication:
    """Pay an approved subsidy through the ledger, in the loan's currency: a department reviewer who neither
    made nor approved it (``approval_check_payer``), on a date not after today."""
    on = inputs.parse_date(on or inputs.today(), "on", not_future=True)
    if not by.has_role(Role.DEPARTMENT_REVIEWER):
        raise PermissionDenied("只有主管部门审核人员可以付款", "only a department reviewer pays subsidies",
                               code="role_required")
    app = _locked(application)
    if app.status != SubsidyStatus.APPROVED:
        raise DomainError("只有已批准的申请可以付款", "only an approved application can be paid",
                          code="not_approved",
                          status=409)
    if not approval_is_valid(app):
        raise DomainError("审批已失效，请重新审批", "the approval is no longer valid; approve again",
                          code="approval_stale", status=409)
    approval_check_payer(app, by)
    amount = money_of(app.loan, app.amount_granted)
    expense, treasury = _subsidy_accounts(app.scheme, str(amount.currency))
    entry_post(lines=[debit(expense, amount), credit(treasury, amount)], value_date=on,
               memo=f"贴息 subsidy #{app.pk} {app.enterprise.name} loan {app.loan.external_ref}",
               source=app, idempotency_ref=f"loan-subsidy:{app.pk}:payment", by=by)
    app.paid_at, app.paid_by = timezone.now(), by
    return state_change(app, to=SubsidyStatus.PAID, by=by, reason=f"paid on {on} / 已付款",
                        also=("paid_at", "paid_by"))
