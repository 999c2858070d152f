"""The ledger accounts of a programme: fiscal direct money is told apart from sub-fund money by its codes
(``direct:p<id>:...``) and by the account's programme link, so reports add it up per programme."""
from __future__ import annotations

from finance.ledger.models import AccountKind
from finance.ledger.services import account_get_or_create

from .models import Programme


def _acc(p: Programme, suffix: str, name: str, kind: str, *, floor: bool):
    return account_get_or_create(code=f"direct:p{p.pk}:{suffix}", name=f"{p.name} {name}", kind=kind,
                                 currency=p.currency, owner=p.manager, programme=p, may_go_negative=not floor)


def fiscal_capital(p: Programme):
    """财政拨入资金: what the owner department has put into the programme."""
    return _acc(p, "capital", "财政拨入资金 fiscal capital", AccountKind.EQUITY, floor=False)


def cash(p: Programme):
    """专项资金存款: never below zero, so a programme can only spend what the department has funded."""
    return _acc(p, "cash", "专项资金存款 programme cash", AccountKind.ASSET, floor=True)


def project_funding(p: Programme):
    """先投后股项目资金: invest-first money before conversion (not equity)."""
    return _acc(
        p,
        "project-funding",
        "先投后股项目资金 project funding (before conversion)",
        AccountKind.ASSET,
        floor=True,
    )


def equity(p: Programme):
    """长期股权投资（成本）: converted 先投后股, talent equity, 拨投贷 equity legs, at cost."""
    return _acc(p, "equity", "长期股权投资（成本） equity at cost", AccountKind.ASSET, floor=True)


def other_projects(p: Programme):
    """转入其他项目的资金: invest-first money swapped into another project."""
    return _acc(
        p, "swapped", "转入其他项目资金 funding swapped into other projects", AccountKind.ASSET, floor=True
    )


def grant_expense(p: Programme):
    """拨款支出: 拨投贷 grants, and invest-first funding closed as a project grant."""
    return _acc(p, "grants", "项目拨款支出 project grants expensed", AccountKind.EXPENSE, floor=False)


def gains(p: Programme):
    """投资收益（损失）: exit gains and losses, and the difference on a repaid closure."""
    return _acc(p, "gains", "投资收益 realised gains and losses", AccountKind.INCOME, floor=False)


def all_accounts(p: Programme) -> dict:
    return {"fiscal_capital": fiscal_capital(p), "cash": cash(p), "project_funding": project_funding(p),
            "equity": equity(p), "other_projects": other_projects(p), "grant_expense": grant_expense(p),
            "gains": gains(p)}
