"""Every write of the pool and guarantee schemes, by workflow; the public names stay importable from here.

- ``pools``: pool creation, sponsors' contributions and withdrawals
- ``enrolment``: 备案 of a bank's loan in a pool (deadline, currency, leverage, NPL)
- ``claims``: compensation claims, maker-checker review, payment by a third person (``claim_rules``: shares,
  caps, the trigger)
- ``recoveries``: 追偿回收 after a paid claim
- ``guarantees``: 鲁科担 guarantees, the bank's confirmation, the guarantor's net assets and leverage
- ``payouts``: 代偿 payouts with their risk split and compensation, recoveries after a payout
- ``public_money``: the payout's compensation and the premium subsidy through maker-checker
"""

from ..selectors import bank_npl, leverage_limit, pool_exposure
from ._common import add_months, claim_triggered, pool_policy
from .claim_rules import loss_ratios
from .claims import CLAIM_KIND, claim_approve, claim_file, claim_pay, claim_reject
from .enrolment import enrolment_create
from .guarantees import GUARANTEE_PARTIES, guarantee_confirm, guarantee_register, guarantor_net_assets_record
from .payouts import compensation_cap, guarantee_recovery_record, payout_record
from .pools import pool_contribute, pool_create, pool_withdraw
from .public_money import (
    payout_compensation_pay,
    payout_decide,
    premium_period,
    premium_subsidy_apply,
    premium_subsidy_decide,
    premium_subsidy_pay,
)
from .recoveries import recovery_record

__all__ = [
    "CLAIM_KIND",
    "GUARANTEE_PARTIES",
    "add_months",
    "bank_npl",
    "claim_approve",
    "claim_file",
    "claim_pay",
    "claim_reject",
    "claim_triggered",
    "compensation_cap",
    "enrolment_create",
    "guarantee_confirm",
    "guarantee_recovery_record",
    "guarantee_register",
    "guarantor_net_assets_record",
    "leverage_limit",
    "loss_ratios",
    "payout_compensation_pay",
    "payout_decide",
    "payout_record",
    "pool_contribute",
    "pool_create",
    "pool_exposure",
    "pool_policy",
    "pool_withdraw",
    "premium_period",
    "premium_subsidy_apply",
    "premium_subsidy_decide",
    "premium_subsidy_pay",
    "recovery_record",
]
