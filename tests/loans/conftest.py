"""Fixtures shared by the loans tests."""
import datetime as dt
from decimal import Decimal as D

import pytest

from finance.policy.services import parameter_set

EARLIER_RULES = {"subsidy.benchmark_share": "60", "subsidy.yearly_cap": "500000", "subsidy.years_per_loan": "2",
                 "subsidy.times_per_firm": "3", "subsidy.appraisal_fee_share": "50", "subsidy.appraisal_fee_cap": "50000"}


@pytest.fixture
def earlier_rules():
    """The benchmark-rate and appraisal-fee figures ended with 155号 (2023-01-01); a programme that still runs
    that scheme in 2026 has them set anew by an administrator, from 2026-01-01."""
    for key, value in EARLIER_RULES.items():
        parameter_set(key=key, value=D(value), effective_from=dt.date(2026, 1, 1))
