"""Pools (鲁科贷) and guarantees (鲁科担): fields and constraints only, by subdomain.

Money in a pool lives in the ledger (``finance.ledger``); the pool row caches the figures under its row lock.
All workflows are in ``guarantees.services``.
"""

from .guarantees import (  # noqa: F401
    COMPENSATION_TRANSITIONS,
    SCHEME_COUNTER_GUARANTEES,
    CompensationStatus,
    CounterGuarantee,
    Guarantee,
    GuaranteePayout,
    GuaranteeRecovery,
    GuaranteeStatus,
    GuarantorNetAssets,
    PremiumSubsidy,
)
from .pool_requests import PoolRequest, PoolRequestStatus  # noqa: F401
from .pools import (  # noqa: F401
    CLAIM_TRANSITIONS,
    CURRENCIES,
    ENROLMENT_TRANSITIONS,
    MONEY,
    Claim,
    ClaimDocument,
    ClaimStatus,
    Enrolment,
    EnrolmentStatus,
    LoanCategory,
    MovementKind,
    PoolMovement,
    PoolSponsor,
    PoolStatus,
    Recovery,
    RiskPool,
    SponsorLevel,
    claim_document_path,
)
