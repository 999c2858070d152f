"""Pure financial math for Kejin: no Django here (an import-linter contract enforces it).

Money is ``Decimal`` with 2 places and explicit rounding; floats appear only inside numeric
kernels whose results are rounded back to exact integers. Bad input raises ``CalcError``.
"""

from .allocation import allocate, split_loss
from .bulk import BulkSchedules, LoanColumns, bulk_schedules
from .conversion import Conversion, Instrument, RoundResult, convert_at_round
from .errors import CalcError
from .exits import early_exit_price
from .identifiers import PatentNumber, check_uscc, parse_cn_patent_number, valid_uscc
from .returns import dpi, ks_pme, pic, rvpi, tvpi, xirr, xirr_columns, xirr_many
from .schedules import DAY_COUNTS, METHODS, Installment, amortization_schedule, round_div, round_div_array
from .waterfall import Tier, WaterfallResult, european_waterfall

__all__ = [
    "DAY_COUNTS", "METHODS", "BulkSchedules", "CalcError", "Conversion", "Installment", "Instrument",
    "LoanColumns", "PatentNumber", "RoundResult", "Tier", "WaterfallResult", "allocate",
    "amortization_schedule", "bulk_schedules", "check_uscc", "convert_at_round", "dpi", "early_exit_price",
    "european_waterfall",
    "ks_pme", "parse_cn_patent_number", "pic", "round_div", "round_div_array", "rvpi", "split_loss", "tvpi",
    "valid_uscc", "xirr",
    "xirr_columns", "xirr_many",
]
