"""Valid loan inputs for tests: real patent numbers with their check digits, valid credit codes."""
import datetime as dt
from decimal import Decimal

from finance.calc.identifiers import patent_check_char
from finance.parties.demo_codes import demo_uscc

D = Decimal
DISBURSED = dt.date(2025, 1, 15)
REGISTERED = dt.date(2025, 1, 10)


def patent(serial: int, kind_digit: str = "1", year: int = 2021) -> str:
    digits = f"{year}{kind_digit}{serial:07d}"
    return f"ZL{digits}.{patent_check_char(digits)}"


def borrower_code(serial: int) -> str:
    return demo_uscc("enterprise", 50000 + serial)


def registration_no(n: int, year: int = 2025) -> str:
    """A CNIPA patent pledge registration number (Y + year + 98 + 7 digits)."""
    return f"Y{year}98{n:07d}"


def pledge(n: int, kind: str = "invention_patent", number: str | None = None, value: str = "5000000.00",
           **over) -> dict:
    p = {"ip_kind": kind, "ip_number": number or patent(n), "appraised_value": value,
         "registration_no": registration_no(n) if kind in ("invention_patent", "utility_model")
         else f"2025质字{n:07d}" if kind == "trademark" else f"软著质登字-2025-L-{n:08d}",
         "registered_on": REGISTERED.isoformat()}
    p.update(over)
    return p


def loan_body(n: int = 1, **over) -> dict:
    """1,000,000 at 4.35% over 36 months, equal installment, backed by one 5,000,000 invention patent (25%)."""
    body = {
        "external_ref": f"LN-{n:05d}",
        "borrower_uscc": borrower_code(n),
        "borrower_name": f"测试科技有限公司{n}",
        "principal": "1000000.00",
        "currency": "CNY",
        "annual_rate": "4.35",
        "term_months": 36,
        "repayment_method": "equal_installment",
        "disbursed_on": DISBURSED.isoformat(),
        "pledges": [pledge(n)],
    }
    body.update(over)
    return body
