"""Reads of the direct instruments, scoped to the caller: oversight roles (departments' reviewers, auditors,
administrators) see everything; a manager sees its programmes' instruments; an enterprise sees its own."""
from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from finance.approvals.models import ApprovalRequest, ApprovalStatus
from finance.approvals.selectors import approval_current
from finance.core.inputs import today
from finance.parties.models import OrgKind
from finance.parties.rules import can_see_everything
from finance.parties.selectors import scope_to_caller

from . import accounts
from .models import (
    Closure,
    Conversion,
    DecisionStatus,
    EquityPosition,
    FinancingRound,
    GrantInvestLoan,
    InvestFirstAgreement,
    InvestFirstStatus,
    Programme,
    TalentEquity,
)


def _kind(user):
    return user.organisation.kind if getattr(user, "organisation_id", None) else None


def _scoped(
    qs: QuerySet, user, *, programme_path: str = "programme", enterprise_path: str = "enterprise"
) -> QuerySet:
    if can_see_everything(user):
        return qs
    kind = _kind(user)
    if kind in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
        return scope_to_caller(qs, user, enterprise_path)
    if kind == OrgKind.DEPARTMENT:
        return scope_to_caller(qs, user, f"{programme_path}__owner_department")
    return scope_to_caller(qs, user, f"{programme_path}__manager")


def programme_list(*, user) -> QuerySet[Programme]:
    if can_see_everything(user):
        return Programme.objects.all()
    kind = _kind(user)
    if kind == OrgKind.DEPARTMENT:
        return scope_to_caller(Programme.objects.all(), user, "owner_department")
    if kind == OrgKind.FUND_MANAGER:
        return scope_to_caller(Programme.objects.all(), user, "manager")
    return Programme.objects.none()


def agreement_list(*, user, status: str | None = None) -> QuerySet[InvestFirstAgreement]:
    qs = _scoped(InvestFirstAgreement.objects.select_related("programme", "enterprise"), user)
    return qs.filter(status=status) if status else qs


def talent_list(*, user) -> QuerySet[TalentEquity]:
    return _scoped(TalentEquity.objects.select_related("programme", "enterprise"), user)


def grant_invest_loan_list(*, user) -> QuerySet[GrantInvestLoan]:
    return _scoped(
        GrantInvestLoan.objects.select_related(
            "programme", "enterprise", "loan_bank", "invest_first", "position"
        ),
        user,
    )


def position_list(*, user) -> QuerySet[EquityPosition]:
    return _scoped(EquityPosition.objects.select_related("programme", "enterprise"), user)


def round_list(*, user) -> QuerySet[FinancingRound]:
    if can_see_everything(user):
        return FinancingRound.objects.all()
    if _kind(user) in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
        return scope_to_caller(FinancingRound.objects.all(), user, "enterprise")
    ents = agreement_list(user=user).values("enterprise_id")
    return FinancingRound.objects.filter(enterprise_id__in=ents)


def enterprise_visible(*, user, enterprise_id: int) -> bool:
    """The caller may see this enterprise's cap table: oversight, the enterprise itself, or a programme
    holding an instrument in it."""
    if can_see_everything(user) or user.organisation_id == enterprise_id:
        return True
    return any(qs.filter(enterprise_id=enterprise_id).exists() for qs in (
        agreement_list(user=user), talent_list(user=user), grant_invest_loan_list(user=user)))


def manager_board(*, user, within_days: int = 90) -> dict:
    """What a manager acts on: agreements due to convert (deadline within ``within_days``), overdue
    conversions, conversions and closures awaiting a decision."""
    qs = agreement_list(user=user)
    horizon = today() + dt.timedelta(days=within_days)
    waiting = [InvestFirstStatus.CONTRACTED, InvestFirstStatus.DISBURSED]
    return {
        "due": list(qs.filter(status__in=waiting, deadline__lte=horizon).order_by("deadline")),
        "waiting": list(qs.filter(status__in=waiting).order_by("deadline")),
        "overdue": list(qs.filter(status=InvestFirstStatus.OVERDUE).order_by("deadline")),
        "conversions": list(Conversion.objects.filter(agreement__in=qs, status=DecisionStatus.PENDING)
                            .select_related("agreement", "round")),
        "closures": list(Closure.objects.filter(agreement__in=qs, status=DecisionStatus.PENDING)
                         .select_related("agreement", "maker")),
        "applications": list(qs.filter(status__in=[InvestFirstStatus.APPLIED, InvestFirstStatus.SUBMITTED])),
    }


def programme_exposure(programme: Programme) -> dict:
    """The programme's money by ledger account (balances on their normal side)."""
    acc = accounts.all_accounts(programme)
    out = {name: a.normal_balance for name, a in acc.items()}
    out["budget"] = programme.budget
    out["funded"] = programme.funded
    out["exposure"] = out["project_funding"] + out["equity"]
    out["support_given"] = (
        out["project_funding"] + out["equity"] + out["grant_expense"] + out["other_projects"]
    )
    return out


def pending_approval(item) -> ApprovalRequest | None:
    r = approval_current(item)
    return r if r is not None and r.status == ApprovalStatus.PENDING else None


