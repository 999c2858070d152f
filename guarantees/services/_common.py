"""What the pool and guarantee services share: policy reads, dates, roles, locks and the loans they read.

Locking (see ``finance.core.locks.ORDER``): every service that moves a pool's money locks the pool row
first, then the claim, then the approval request (``approval_decide``), and lets ``entry_post`` lock the
ledger accounts last in pk order. Guarantee services lock the guarantor's organisation (leverage), then the
guarantee, then its payout.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from finance.core.errors import NotFound, PermissionDenied
from finance.core.locks import lock
from finance.policy.selectors import PolicyHistory, PolicyUse

from .. import loan_reads
from ..models import RiskPool

HUNDRED = Decimal(100)
ZERO = Decimal("0.00")

POOL_KEYS = (
    "pool.share.province",
    "pool.share.city",
    "pool.share.bank",
    "pool.rd_credit.province_share",
    "pool.rd_credit.city_share",
    "pool.rd_credit.government_share_max",
    "pool.leverage_multiple",
    "pool.enrolment_deadline_months",
    "pool.claim_trigger_dpd",
    "pool.cap_per_loan",
    "pool.cap_per_bank",
    "pool.cap_per_year",
    "pool.npl_suspension_ratio",
)


def pool_policy(*, on: dt.date, scope: str) -> PolicyUse:
    """``PolicyUse`` for one pool decision with every pool parameter read in one query."""
    return PolicyUse(on=on, scope=scope, history=PolicyHistory(scope=scope, keys=POOL_KEYS))


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clipped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def lock_pool(pool_id: int) -> RiskPool:
    return lock(RiskPool, pool_id)


def require_role(user, *roles):
    if not user.has_role(*roles):
        raise PermissionDenied(
            f"需要角色：{'/'.join(roles)}", f"this needs the role {'/'.join(roles)}", code="role_required"
        )


def own_loan(loan_or_id, by):
    """The caller's bank's loan; anyone else's (and a loan that does not exist) answers the same 404."""
    loan = loan_reads.loan_of_bank(loan_or_id, bank_id=by.organisation_id)
    if loan is None:
        raise NotFound("贷款", "loan")
    return loan


def claim_triggered(loan, trigger: Decimal) -> bool:
    """The pool's claim trigger: more than ``pool.claim_trigger_dpd`` days past due (90 → from day 91).

    Decision on the off-by-one between the trigger (90 days) and the five-category classes (substandard
    from 91 days past due): a claim stands from the first day the loan is non-performing, i.e. when its days
    past due exceed the trigger. A loan at exactly 90 days is still "special mention" and cannot be claimed,
    and a loan declared defaulted or written off counts only once it is past the trigger too (a default at 0
    days past due is not a loss the pool compensates).
    """
    return loan.dpd > trigger
