"""Reads on loans, scoped to the caller: a bank sees its own loans and files; oversight roles see all;
a startup sees the loans it borrowed and its own subsidy applications."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from finance.parties.models import OrgKind
from finance.parties.rules import can_see_everything
from finance.parties.selectors import scope_to_caller

from .models import Loan, LoanFile, SubsidyApplication


def loan_list(*, user, status: str | None = None, borrower_uscc: str | None = None,
              disbursed_from: dt.date | None = None, disbursed_to: dt.date | None = None,
              bank_id: int | None = None, q: str | None = None) -> QuerySet[Loan]:
    if not can_see_everything(user) and user.organisation_id and user.organisation.kind == OrgKind.ENTERPRISE:
        qs = Loan.objects.filter(borrower_id=user.organisation_id)
    else:
        qs = scope_to_caller(Loan.objects.all(), user, "bank")
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


def enterprise_granted(enterprise_id: int, *, scheme_kind: str | None = None, year: int | None = None) -> Decimal:
    qs = SubsidyApplication.objects.filter(enterprise_id=enterprise_id, amount_granted__isnull=False)
    if scheme_kind:
        qs = qs.filter(scheme__kind=scheme_kind)
    if year:
        qs = qs.filter(applied_on__year=year)
    return qs.aggregate(s=Sum("amount_granted"))["s"] or Decimal("0.00")
