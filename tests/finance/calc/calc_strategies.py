"""Hypothesis strategies shared by the calc tests (imported as a sibling module)."""

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from finance.calc.schedules import DAY_COUNTS, METHODS, add_months

principals = st.integers(min_value=1, max_value=10**12).map(lambda fen: Decimal(fen).scaleb(-2))
rates = st.integers(min_value=0, max_value=360_000).map(lambda units: Decimal(units).scaleb(-4))
# Month and year ends are where clamping and ACT/ACT year splits go wrong, so draw them often.
start_dates = st.one_of(
    st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2060, 12, 31)),
    st.builds(lambda y, m, back: add_months(dt.date(y, m, 1), 1, 1) - dt.timedelta(days=back),
              st.integers(1995, 2060), st.integers(1, 12), st.integers(1, 3)),
)


@st.composite
def loans(draw, max_term=600):
    start = draw(start_dates)
    loan = dict(
        principal=draw(principals),
        annual_rate=draw(rates),
        term_months=draw(st.integers(min_value=1, max_value=max_term)),
        method=draw(st.sampled_from(METHODS)),
        day_count=draw(st.sampled_from(DAY_COUNTS)),
        start_date=start,
    )
    if draw(st.booleans()):
        latest = add_months(start, 2, start.day)
        loan["first_due_date"] = start + dt.timedelta(days=draw(st.integers(1, (latest - start).days)))
    return loan
