"""Every write of the direct fiscal instruments (split by workflow; every name importable from here):
programmes, 先投后股, talent equity, 拨投贷, exits.

Keyword-only ``<entity>_<action>`` functions, each atomic: validate, lock what the decision reads, post money
as one balanced journal entry with its own idempotency reference, record the policy values used. A
``DomainError`` means nothing was written.

Locking: every write to an enterprise's instruments first locks the enterprise row (``parties.Organisation``
through ``finance.core.locks.lock``) and re-reads the instrument under it. That one lock serialises the talent
cap, the cap table and each instrument's state for the enterprise (the direct models are not in
``finance.core.locks.ORDER`` yet: see the report). Ledger accounts are locked last, by ``entry_post``.
"""
from ._common import IFS, ROLE, D  # noqa: F401
from .closures import CLOSED, closure_decide, closure_propose, invest_first_overdue_sweep  # noqa: F401
from .exits import exit_minimum, position_exit  # noqa: F401
from .gil import (  # noqa: F401
    GS,
    grant_invest_loan_apply,
    grant_invest_loan_decide,
    grant_invest_loan_fund_equity,
    grant_invest_loan_move,
    grant_invest_loan_pay_grant,
    grant_invest_loan_review,
    grant_invest_loan_sign,
    grant_invest_loan_submit,
)
from .gil_loan import grant_invest_loan_exposure, grant_invest_loan_link_loan  # noqa: F401
from .invest_first import (  # noqa: F401
    invest_first_apply,
    invest_first_decide,
    invest_first_sign,
    invest_first_submit,
    tranche_pay,
)
from .programmes import programme_create, programme_fund  # noqa: F401
from .rounds import (  # noqa: F401
    SHARE_TOLERANCE,
    conversion_decide,
    conversion_preview,
    conversion_propose,
    round_check,
    round_report,
)
from .talent import (  # noqa: F401
    ELIGIBILITY,
    talent_eligibility,
    talent_equity_apply,
    talent_equity_decide,
    talent_equity_fund,
    talent_equity_sign,
    talent_equity_submit,
)
