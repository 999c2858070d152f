"""Reads on loans, scoped to the caller through ``scope_to_caller``: a bank sees its own loans and files;
oversight roles see all; a startup sees the loans it borrowed and its own subsidy applications.

The second half serves the ``guarantees`` app, which reads loans only through these functions (never
``loans.models``): a loan fetched for its bank with the facts a pool or a guarantee decides on, enrolment
eligibility facts, and the loan querysets its pages offer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from finance.core.errors import NotFound
from finance.parties.models import OrgKind
from finance.parties.selectors import scope_to_caller

from .models import Loan, LoanCategory, LoanClass, LoanFile, LoanStatus, Pledge, SubsidyApplication

#: A loan that can be enrolled in a pool: disbursed and still running.
ENROLLABLE_STATUSES = (LoanStatus.ACTIVE, LoanStatus.OVERDUE)
#: Declared in default, or written off after it.
DEFAULT_STATUSES = (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF)
#: Non-performing classes (次级、可疑、损失).
NPL_CLASSES = (LoanClass.SUBSTANDARD, LoanClass.DOUBTFUL, LoanClass.LOSS)
#: A loan that can still be guaranteed (registered and not past due).
PERFORMING_STATUSES = (LoanStatus.SUBMITTED, LoanStatus.ACTIVE)
#: The pool's loan category for each loan category (guarantees.LoanCategory values).
POOL_CATEGORY = {LoanCategory.IP_PLEDGE: "standard", LoanCategory.RD_CREDIT: "rd_credit"}


def _org_field(user) -> str:
    """Enterprises see the loans they borrowed; everyone else the loans of their bank (oversight: all)."""
    org = getattr(user, "organisation", None)
    return "borrower" if org is not None and org.kind == OrgKind.ENTERPRISE else "bank"


def loan_list(*, user, status: str | None = None, borrower_uscc: str | None = None,
              disbursed_from: dt.date | None = None, disbursed_to: dt.date | None = None,
              bank_id: int | None = None, q: str | None = None) -> QuerySet[Loan]:
    qs = scope_to_caller(Loan.objects.all(), user, _org_field(user))
    if status:
        qs = qs.filter(status=status)
    if borrower_uscc:
        qs = qs.filter(borrower__uscc=borrower_uscc.strip().upper())
    if disbursed_from:
        qs = qs.filter(disbursed_on__gte=disbursed_from)
    if disbursed_to:
        qs = qs.filter(disbursed_on__lte=disbursed_to)
    if bank_id:
        qs = qs.filter(bank_id=bank_id)
    if q:
        qs = qs.filter(external_ref__icontains=q) | qs.filter(borrower__name__icontains=q)
    return qs.select_related("bank", "borrower")


def loan_get(*, user, pk: int) -> Loan:
    """The loan if the caller may see it; otherwise Loan.DoesNotExist (the API answers 404)."""
    return loan_list(user=user).get(pk=pk)


def loan_totals(qs: QuerySet[Loan]) -> list[dict]:
    """Count, principal and outstanding per currency (never summed across currencies)."""
    return list(qs.order_by().values("principal_currency").annotate(
        count=Count("id"), principal=Sum("principal"), outstanding=Sum("principal_outstanding")))


def loan_file_list(*, user) -> QuerySet[LoanFile]:
    return scope_to_caller(LoanFile.objects.all(), user, "bank")


def subsidy_list(*, user) -> QuerySet[SubsidyApplication]:
    return scope_to_caller(SubsidyApplication.objects.all(), user, "enterprise").select_related(
        "scheme", "loan", "enterprise")


def pledged_ip_numbers(kind_numbers) -> set[tuple[str, str]]:
    """Which of the (IPKind value, normalised number) pairs secure an outstanding loan now: a live
    (unreleased) pledge on a loan not repaid or written off. The portal shows it, so a bank and a reviewer
    see one truth."""
    pairs = {(str(k), str(n)) for k, n in kind_numbers}
    if not pairs:
        return set()
    rows = (Pledge.objects.filter(released_on__isnull=True, asset__number__in={n for _, n in pairs})
            .exclude(loan__status__in=(LoanStatus.REPAID, LoanStatus.WRITTEN_OFF))
            .values_list("asset__kind", "asset__number"))
    return {(kind, number) for kind, number in rows if (kind, number) in pairs}


def enterprise_granted(enterprise_id: int, *, scheme_kind: str | None = None,
                       year: int | None = None) -> Decimal:
    qs = SubsidyApplication.objects.filter(enterprise_id=enterprise_id, amount_granted__isnull=False)
    if scheme_kind:
        qs = qs.filter(scheme__kind=scheme_kind)
    if year:
        qs = qs.filter(applied_on__year=year)
    return qs.aggregate(s=Sum("amount_granted"))["s"] or Decimal("0.00")


# ---------------------------------------------------------------- for the guarantees app


@dataclass(frozen=True)
class LoanFacts:
    """What a pool, a claim or a guarantee decides on, read once from the loan."""

    id: int
    bank_id: int
    borrower_id: int
    borrower_name: str
    borrower_is_tech_sme: bool
    external_ref: str
    currency: str
    principal: Decimal
    outstanding: Decimal
    status: str
    status_label: str
    loan_class: str
    dpd: int
    category: str
    pool_category: str
    disbursed_on: dt.date
    maturity_on: dt.date
    defaulted_on: dt.date | None

    @property
    def is_defaulted(self) -> bool:
        return self.status in DEFAULT_STATUSES

    @property
    def is_non_performing(self) -> bool:
        return self.loan_class in NPL_CLASSES or self.is_defaulted


def _pk(loan) -> int | None:
    pk = getattr(loan, "pk", loan)
    try:
        return int(pk)
    except (TypeError, ValueError):
        return None


def loan_facts(loan) -> LoanFacts:
    """The facts of a loan (a Loan or its id); NotFound if there is none."""
    if isinstance(loan, Loan) and "borrower" in loan._state.fields_cache:
        obj = loan
    else:
        obj = Loan.objects.select_related("borrower").filter(pk=_pk(loan)).first()
    if obj is None:
        raise NotFound("贷款", "loan")
    return LoanFacts(
        id=obj.pk, bank_id=obj.bank_id, borrower_id=obj.borrower_id, borrower_name=obj.borrower.name,
        borrower_is_tech_sme=bool((obj.borrower.tech_sme_number or "").strip()),
        external_ref=obj.external_ref, currency=str(obj.principal.currency), principal=obj.principal.amount,
        outstanding=obj.principal_outstanding,
        status=obj.status, status_label=str(obj.get_status_display()), loan_class=obj.loan_class, dpd=obj.dpd,
        category=obj.category, pool_category=POOL_CATEGORY[obj.category], disbursed_on=obj.disbursed_on,
        maturity_on=obj.maturity_on, defaulted_on=obj.defaulted_on)


def loan_get_for_bank(*, loan, bank_id: int | None) -> Loan:
    """The bank's own loan (a Loan or its id, borrower loaded); another bank's loan, or none, is NotFound."""
    obj = Loan.objects.select_related("borrower").filter(pk=_pk(loan)).first()
    if obj is None or bank_id is None or obj.bank_id != bank_id:
        raise NotFound("贷款", "loan")
    return obj


def loan_facts_for_bank(*, loan, bank_id: int | None) -> LoanFacts:
    """``loan_facts`` of the bank's own loan; another bank's loan answers NotFound with no figures."""
    return loan_facts(loan_get_for_bank(loan=loan, bank_id=bank_id))


@dataclass(frozen=True)
class EnrolmentEligibility:
    """Whether a pool may cover the loan, before the pool's own limits (deadline, leverage, NPL)."""

    facts: LoanFacts
    reasons: tuple[tuple[str, str, str], ...]  # (code, zh, en) of every failed condition

    @property
    def eligible(self) -> bool:
        return not self.reasons


def enrolment_eligibility(loan) -> EnrolmentEligibility:
    """Facts for 备案: a running loan (active or overdue) of a registered tech SME, principal outstanding."""
    f = loan if isinstance(loan, LoanFacts) else loan_facts(loan)
    reasons = []
    if f.status not in ENROLLABLE_STATUSES:
        reasons.append(("loan_not_eligible",
                        f"贷款状态为「{f.status_label}」，只有正常或逾期的已放款贷款可以备案",
                        f"the loan is {f.status}; only active or overdue loans can be enrolled"))
    if not f.borrower_is_tech_sme:
        reasons.append(("borrower_not_tech_sme", f"借款人 {f.borrower_name} 未入库科技型中小企业",
                        f"borrower {f.borrower_name} is not a registered tech-based SME"))
    if f.outstanding <= 0:
        reasons.append(("loan_not_eligible", "贷款无未偿本金", "the loan has no outstanding principal"))
    return EnrolmentEligibility(facts=f, reasons=tuple(reasons))


def bank_enrollable_loans(*, bank_id: int) -> QuerySet[Loan]:
    """The bank's running loans not yet enrolled in any pool (the enrolment form's choices)."""
    return (Loan.objects.filter(bank_id=bank_id, pool_enrolment__isnull=True, status__in=ENROLLABLE_STATUSES)
            .select_related("borrower"))


def bank_enrolled_loans(*, bank_id: int, enrolment_status: str) -> QuerySet[Loan]:
    """The bank's loans whose pool enrolment is in ``enrolment_status`` (the claim form's choices)."""
    return Loan.objects.filter(bank_id=bank_id,
                               pool_enrolment__status=enrolment_status).select_related("borrower")


def outstanding_by_currency(loans: QuerySet[Loan] | None = None, **filters) -> dict[str, Decimal]:
    """Outstanding principal per currency of the loans matching ``filters``
    (e.g. ``pool_enrolment__pool=pool``); amounts of different currencies are never added."""
    qs = loans if loans is not None else Loan.objects.all()
    rows = (qs.filter(**filters).order_by().values("principal_currency")
            .annotate(s=Sum("principal_outstanding")))
    return {r["principal_currency"]: r["s"] or Decimal("0.00") for r in rows}


def loans_of_tech_smes(*, statuses=ENROLLABLE_STATUSES + (LoanStatus.DEFAULTED,)) -> QuerySet[Loan]:
    """Loans to registered tech SMEs in ``statuses`` (the demo's pool candidates), least past due first."""
    return (Loan.objects.filter(borrower__tech_sme_number__gt="", status__in=statuses).select_related("bank",
                                                                                                      "borrower")
            .order_by("dpd", "pk"))


def loans_in_status(*statuses: str) -> QuerySet[Loan]:
    return Loan.objects.filter(status__in=statuses).select_related("bank", "borrower").order_by("pk")
