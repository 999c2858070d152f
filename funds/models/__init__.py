"""Guidance fund, sub-funds, LP commitments, capital calls, distributions, NAV, holdings and deals.

Fields and constraints only: every write goes through ``funds.services``. Money is ``Decimal`` with two places
in the sub-fund's own currency; a paid or posted amount is also a ledger entry. Split by subdomain (the fund
and its LPs, the money through it, the deals); every name stays importable from ``funds.models``.
"""
from .deals import (
    FISCAL_EQUITY,
    LIVE_DEAL_STATUSES,
    ChecklistItem,
    Condition,
    Deal,
    DealDocument,
    DealStatus,
    Instrument,
    document_path,
)
from .funds import (
    ALLOWED_FEE_BASES,
    CURRENCY_WHITELIST,
    GOVERNMENT_KINDS,
    MONEY,
    PROVINCIAL_KINDS,
    Commitment,
    FeeBasis,
    FundStatus,
    GuidanceFund,
    LPKind,
    SubFund,
)
from .money import (
    CallPurpose,
    CallStatus,
    CapitalCall,
    CapitalCallLine,
    Distribution,
    DistributionLine,
    FeeAccrual,
    Holding,
    IndexLevel,
    IndexSeries,
    NavReport,
    Stage,
    Valuation,
)

__all__ = [
    "ALLOWED_FEE_BASES", "CURRENCY_WHITELIST", "FISCAL_EQUITY", "GOVERNMENT_KINDS", "LIVE_DEAL_STATUSES",
    "MONEY", "PROVINCIAL_KINDS", "CallPurpose", "CallStatus", "CapitalCall", "CapitalCallLine",
    "ChecklistItem", "Commitment", "Condition", "Deal", "DealDocument", "DealStatus", "Distribution",
    "DistributionLine", "FeeAccrual", "FeeBasis", "FundStatus", "GuidanceFund", "Holding", "IndexLevel",
    "IndexSeries", "Instrument", "LPKind", "NavReport", "Stage", "SubFund", "Valuation", "document_path",
]
from funds.direct.models import *  # noqa: E402,F401,F403  direct instruments
