"""The nightly five-category classification (五级分类), set-based in SQL on PostgreSQL and SQLite."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

from finance.approvals.services import state_change_bulk
from finance.policy.selectors import PolicyUse

from ..models import Installment, Loan, LoanClassHistory, LoanStatus
from .lifecycle import DEFAULT_CLASS_FLOOR

S = LoanStatus
#: Loans the nightly job classifies. Defaulted loans keep ageing until written off or repaid (the pool's claim
#: trigger depends on it).
CLASSIFIED_STATUSES = (S.ACTIVE, S.OVERDUE, S.DEFAULTED)


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


def _computed_sql(use, statuses: str) -> str:
    """Per classified loan: dpd from its oldest overdue installment and the class from the loan.class.*
    thresholds; a defaulted loan is classed at least substandard (see ``lifecycle.DEFAULT_CLASS_FLOOR``)."""
    t_sm, t_sub = int(use("loan.class.special_mention_dpd")), int(use("loan.class.substandard_dpd"))
    t_dbt, t_loss = int(use("loan.class.doubtful_dpd")), int(use("loan.class.loss_dpd"))
    L, Ins = Loan._meta.db_table, Installment._meta.db_table
    return f"""
        SELECT l.id AS loan_id, COALESCE(m.dpd, 0) AS dpd,
               CASE WHEN COALESCE(m.dpd, 0) >= {t_loss} THEN 'loss'
                    WHEN COALESCE(m.dpd, 0) >= {t_dbt} THEN 'doubtful'
                    WHEN COALESCE(m.dpd, 0) >= {t_sub} THEN 'substandard'
                    WHEN l.status = '{S.DEFAULTED}' THEN '{DEFAULT_CLASS_FLOOR}'
                    WHEN COALESCE(m.dpd, 0) >= {t_sm} THEN 'special_mention'
                    ELSE 'normal' END AS loan_class,
               l.dpd AS old_dpd, l.loan_class AS old_class
        FROM {L} l
        LEFT JOIN (SELECT loan_id, {_days_between_sql('%s', 'MIN(due_date)')} AS dpd
                   FROM {Ins} WHERE status = 'overdue' GROUP BY loan_id) m ON m.loan_id = l.id
        WHERE l.status IN ({statuses})"""


@transaction.atomic
def loans_classify(*, as_of: dt.date) -> ClassificationResult:
    """Days past due and five-category class of every active, overdue or defaulted loan, set-based in SQL.

    1. installments due before ``as_of`` and not paid become ``overdue`` (one UPDATE);
    2. each loan's dpd = ``as_of`` − its oldest unpaid due date (0 if none), its class from the loan.class.*
       thresholds (a defaulted loan: at least substandard); loans whose dpd or class changed get a
       LoanClassHistory row (one INSERT … SELECT with ON CONFLICT, so a rerun on the same day is harmless),
       then the loans take those values (one UPDATE … FROM);
    3. active ⇄ overdue status moves (UPDATE … RETURNING), audited through ``state_change_bulk``;
    4. claim_eligible_since is set when dpd > pool.claim_trigger_dpd (day 91 with 90: the first substandard
       day, as the pool decides claims) and cleared when the loan cures.
    Works on PostgreSQL and SQLite (≥ 3.35, for UPDATE … FROM and RETURNING).
    """
    use = PolicyUse(on=as_of)
    trigger = int(use("pool.claim_trigger_dpd"))
    L, Ins, H = Loan._meta.db_table, Installment._meta.db_table, LoanClassHistory._meta.db_table
    statuses = ", ".join(f"'{s}'" for s in CLASSIFIED_STATUSES)
    day = as_of.isoformat()
    with connection.cursor() as cur:
        cur.execute(f"""
            UPDATE {Ins} SET status = 'overdue'
            WHERE status = 'due' AND due_date < %s
              AND loan_id IN (SELECT id FROM {L} WHERE status IN ({statuses}))""", [day])
        overdue_marked = cur.rowcount
        cur.execute(f"""
            INSERT INTO {H} (loan_id, as_of, dpd, loan_class)
            SELECT c.loan_id, %s, c.dpd, c.loan_class FROM ({_computed_sql(use, statuses)}) c
            WHERE c.dpd <> c.old_dpd OR c.loan_class <> c.old_class
            ON CONFLICT (loan_id, as_of)
            DO UPDATE SET dpd = excluded.dpd, loan_class = excluded.loan_class""",
                    [day, day])
        cur.execute(f"""
            UPDATE {L} SET dpd = h.dpd, loan_class = h.loan_class
            FROM {H} h
            WHERE h.loan_id = {L}.id AND h.as_of = %s AND {L}.status IN ({statuses})
              AND ({L}.dpd <> h.dpd OR {L}.loan_class <> h.loan_class)""", [day])
        loans_changed = cur.rowcount
        cur.execute(f"UPDATE {L} SET classified_on = %s WHERE status IN ({statuses})", [day])
        moves = 0
        for frm, to, cond, why in ((S.ACTIVE, S.OVERDUE, "dpd > 0", "days past due > 0 / 逾期"),
                                   (S.OVERDUE, S.ACTIVE, "dpd = 0", "no amount past due / 已无逾期")):
            cur.execute(f"UPDATE {L} SET status = %s WHERE status = %s AND {cond} RETURNING id", [to, frm])
            ids = [r[0] for r in cur.fetchall()]
            state_change_bulk(Loan, ids, from_state=frm, to_state=to,
                              reason=f"nightly classification {day}: {why}")
            moves += len(ids)
        cur.execute(f"""
            UPDATE {L} SET claim_eligible_since = %s
            WHERE status IN ({statuses}) AND dpd > %s AND claim_eligible_since IS NULL""", [day, trigger])
        eligible = cur.rowcount
        cur.execute(f"""
            UPDATE {L} SET claim_eligible_since = NULL
            WHERE status IN ({statuses}) AND dpd <= %s AND claim_eligible_since IS NOT NULL""", [trigger])
    return ClassificationResult(as_of, overdue_marked, loans_changed, moves, eligible, use.snapshot)
