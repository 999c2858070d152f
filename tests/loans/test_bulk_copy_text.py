"""The installments' COPY text (PostgreSQL path) says exactly what the Decimal rows (other databases) say."""
import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

from loans.services import bulk


def test_copy_lines_match_the_decimal_rows_to_the_fen():
    loans = [SimpleNamespace(principal=D(p), annual_rate=D(r), term_months=t, repayment_method=m,
                             day_count="30/360", disbursed_on=dt.date(2025, 1, 15))
             for p, r, t, m in (("1000000.00", "0.0435", 36, "equal_installment"),
                                ("0.05", "0.0435", 1, "bullet"),        # cents below ten, a one-row schedule
                                ("100.07", "0.0001", 6, "equal_principal"),
                                ("99999999.99", "0.24", 60, "interest_only"))]
    parts = bulk.schedule_parts([11, 12, 13, 14], loans)
    lines = bulk.schedule_copy_lines(parts)
    rows = list(bulk.schedule_tuples(parts))
    assert len(lines) == len(rows) > 4
    for line, row in zip(lines, rows, strict=True):
        cells = line.split("\t")
        assert cells[:3] == [str(row[0]), str(row[1]), row[2]]
        assert [D(c) for c in cells[3:7]] == [x.quantize(D("0.01")) for x in row[3:7]]
        assert all(len(c.split(".")[1]) == 2 for c in cells[3:7]), line
        assert cells[7:] == ["0.00", "0.00", "due", "\\N"]
    assert lines[0] == "11\t1\t2025-02-15\t" + "\t".join(str(x.quantize(D("0.01"))) for x in rows[0][3:7]) \
        + "\t0.00\t0.00\tdue\t\\N"
