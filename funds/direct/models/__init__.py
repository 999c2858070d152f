"""Direct fiscal instruments: programmes, 先投后股 agreements, talent equity, 拨投贷 projects, cap tables.

These models belong to the ``funds`` app (``funds/models`` re-exports them). Fields and constraints only:
every write goes through ``funds.direct.services``. Money is ``Decimal`` with two places in the programme's
currency; share counts are whole numbers and ownership is always computed from share counts. Split by
subdomain (programmes, cap tables, positions, 先投后股, talent equity, 拨投贷); every name stays importable
from ``funds.direct.models``.
"""
from .captable import FinancingRound, HolderKind, MovementReason, ShareClass, Shareholder, ShareMovement
from .gil import GIL_COUNTED, EquityLegKind, GILStatus, GrantInvestLoan  # noqa: F401
from .invest_first import (  # noqa: F401  (IF_COUNTED, outside *)
    IF_COUNTED,
    Closure,
    ClosureWay,
    Conversion,
    DecisionStatus,
    InvestFirstAgreement,
    InvestFirstStatus,
    Tranche,
)
from .positions import EquityPosition, ExitKind, PositionStatus
from .programmes import MONEY, PRICE, DirectKind, Programme, ProgrammeStatus  # noqa: F401
from .talent import TALENT_COUNTED, TalentEquity, TalentStatus  # noqa: F401

# What ``from funds.direct.models import *`` (funds.models) re-exports: the models and their choices. The
# field sizes (MONEY, PRICE) and the statuses counted against the talent cap (*_COUNTED) are importable from
# here too, but stay out of ``*`` (funds.models has its own MONEY).
__all__ = [
    "Closure", "ClosureWay", "Conversion", "DecisionStatus", "DirectKind", "EquityLegKind", "EquityPosition",
    "ExitKind", "FinancingRound", "GILStatus", "GrantInvestLoan", "HolderKind", "InvestFirstAgreement",
    "InvestFirstStatus", "MovementReason", "PositionStatus", "Programme", "ProgrammeStatus", "ShareClass",
    "ShareMovement", "Shareholder", "TalentEquity", "TalentStatus", "Tranche",
]
