"""Small helpers every section uses: amounts in integer fen (exact sums), out as yuan strings to the fen."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from django.db.models import BigIntegerField, F, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round
from django.db.models.sql.constants import MULTI

from finance.calc import round_div, round_div_array
from funds.performance import ratio as fund_ratio

FEN = Decimal("0.01")
RATIO = Decimal("0.0001")


def fen_of(field) -> Cast:
    """SQL: a 2-place amount column as integer fen (rounded first: SQLite stores decimals as floats)."""
    expr = F(field) if isinstance(field, str) else field
    return Cast(Round(expr * Value(100)), output_field=BigIntegerField())


def fen_sum(field, **extra) -> Coalesce:
    """SQL: the sum of an amount column in integer fen (an expression already in fen is summed as it is).

    A column is summed first and turned into fen once per group (exact for NUMERIC; on SQLite the float sum is
    rounded to the fen): rounding and casting every row cost a third of the largest aggregate's time."""
    if isinstance(field, str):
        total = Sum(F(field), **extra)
        return Coalesce(Cast(Round(total * Value(100)), output_field=BigIntegerField()), Value(0),
                        output_field=BigIntegerField())
    return Coalesce(Sum(field, **extra), Value(0), output_field=BigIntegerField())


def yuan(fen) -> str:
    """Integer fen → "1234.50" (yuan to the fen)."""
    return str((Decimal(int(fen)) / 100).quantize(FEN))


def ratio(num, den, places: Decimal = RATIO) -> str | None:
    """An exact ratio of two integers as a decimal string (half-up); None when the denominator is zero."""
    num, den = int(num), int(den)
    if den == 0:
        return None
    return str((Decimal(num) / Decimal(den)).quantize(places, ROUND_HALF_UP))


def float_ratio(x) -> str | None:
    """A float figure (IRR, PME, multiples) as ``funds.performance.ratio`` rounds it for the sub-fund pages
    (four places, half-up), as text; None for NaN/inf."""
    try:
        value = fund_ratio(x)
    except (TypeError, ValueError):
        return None
    return None if value is None else str(value)


def fen_half_up_div(num, den: int):
    """round-half-up(num / den) in integers (den > 0), half away from zero: ``finance.calc.round_div``, the
    one rule for a share of an amount rounded to the fen. ``num`` may be an int64 array, rounded element by
    element (each guarantee's days of its subsidy)."""
    if isinstance(num, np.ndarray):
        return round_div_array(num, int(den))
    return round_div(int(num), int(den))


def rows_of(qs) -> list[tuple]:
    """A ``values_list`` queryset's rows as the driver returns them, in its columns' order.

    Django's row iteration calls a converter per annotated integer cell (``int(value)``), which the driver
    already returns as ``int``: on 100,000s of rows that per-cell Python call is most of the read's cost, so
    the compiled query is run as it is (chunks of 10,000 rows)."""
    if not isinstance(qs, QuerySet):
        return list(qs)
    chunks = qs.query.get_compiler(qs.db).execute_sql(MULTI, chunked_fetch=False, chunk_size=10_000)
    return [row for chunk in chunks for row in chunk]


def frame(qs, columns: list[str], ints=()) -> pd.DataFrame:
    """A queryset's ``values_list`` rows as a DataFrame; integer columns stay int64 even when empty."""
    df = pd.DataFrame(rows_of(qs), columns=columns)
    for c in ints:
        df[c] = df[c].fillna(0).astype("int64") if len(df) else df[c].astype("int64")
    return df


def group_sum(df: pd.DataFrame, by: str, col: str, index) -> pd.Series:
    if df.empty:
        return pd.Series(0, index=index, dtype="int64")
    return df.groupby(by)[col].sum().reindex(index, fill_value=0).astype("int64")
