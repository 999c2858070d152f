"""Programmes: a department's money for direct instruments, its accounts and its funding."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from finance.approvals import services as approvals
from finance.core.errors import Conflict
from finance.core.inputs import (
    check_currency,
    parse_amount,
    parse_date,
    parse_text,
)
from finance.ledger.services import credit, debit, entry_post
from finance.parties.models import Organisation, OrgKind

from .. import accounts
from ..models import (
    DirectKind,
    Programme,
)
from ._common import (
    _err,
    _m,
)

# ---------------------------------------------------------------- programmes


@transaction.atomic
def programme_create(
    *,
    name: str,
    owner_department: Organisation,
    manager: Organisation,
    budget,
    kinds: list[str],
    currency: str = "CNY",
    by=None,
) -> Programme:
    """A department's programme of direct instruments, run by a manager; its ledger accounts are opened."""
    name = parse_text(name, "name", max_length=200)
    if owner_department.kind != OrgKind.DEPARTMENT:
        raise _err(
            "owner_department：出资方必须是政府部门",
            "owner_department: the owner must be a department",
            "invalid_department",
            "owner_department",
        )
    if manager.kind != OrgKind.FUND_MANAGER:
        raise _err(
            "manager：管理机构必须是基金管理人或国有平台",
            "manager: the manager must be a fund-manager organisation",
            "invalid_manager",
            "manager",
        )
    budget = parse_amount(budget, "budget")
    kinds = list(dict.fromkeys(kinds or []))
    bad = [k for k in kinds if k not in DirectKind.values]
    if not kinds or bad:
        raise _err(
            f"kinds：请选择支持的投资方式（无效：{bad}）",
            f"kinds: choose the instruments allowed (invalid: {bad})",
            "invalid_kinds",
            "kinds",
        )
    if Programme.objects.filter(name=name).exists():
        raise _err(
            f"name：专项「{name}」已存在",
            f"name: programme '{name}' already exists",
            "duplicate",
            "name",
            status=409,
        )
    p = Programme.objects.create(name=name, owner_department=owner_department, manager=manager, budget=budget,
                                 currency=check_currency(currency), kinds=kinds, created_by=by)
    accounts.all_accounts(p)
    approvals.state_change_record(p, from_state="", to_state=p.status, by=by, reason="programme created")
    return p


@transaction.atomic
def programme_fund(*, programme: Programme, amount, on: dt.date, reference: str, by=None):
    """The owner department pays money into the programme (never beyond its budget): cash ← fiscal capital."""
    amount = parse_amount(amount, "amount")
    on = parse_date(on, "on", not_future=True)
    reference = parse_text(reference, "reference", max_length=60)
    ref = f"direct:p{programme.pk}:funding:{reference}"
    from finance.ledger.models import JournalEntry

    if JournalEntry.objects.filter(idempotency_ref=ref).exists():
        raise Conflict(
            f"reference：拨款凭证 {reference} 已入账",
            f"reference: funding {reference} is already posted",
            code="already_posted",
            field="reference",
        )
    updated = Programme.objects.filter(pk=programme.pk, funded__lte=F("budget") - amount).update(
        funded=F("funded") + amount
    )
    if not updated:
        programme.refresh_from_db()
        raise _err(
            f"amount：拨入后将超过专项预算 {programme.budget:,}（已拨入 {programme.funded:,}）",
            f"amount: funding would exceed the programme budget {programme.budget:,} "
            f"(funded {programme.funded:,})",
            "budget_exceeded",
            "amount",
            status=409,
        )
    entry = entry_post(
        lines=[
            debit(accounts.cash(programme), _m(programme, amount)),
            credit(accounts.fiscal_capital(programme), _m(programme, amount)),
        ],
        value_date=on,
        memo=f"财政拨入 fiscal funding: {programme.name} {reference}",
        source=programme,
        idempotency_ref=ref,
        by=by,
    )
    programme.refresh_from_db()
    return entry
