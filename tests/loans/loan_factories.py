"""Valid loan inputs for tests: real patent numbers with their check digits, valid credit codes."""
import datetime as dt
from decimal import Decimal

from finance.calc.identifiers import patent_check_char
from finance.parties.demo_codes import demo_uscc

D = Decimal
DISBURSED = dt.date(2025, 1, 15)


def patent(serial: int, kind_digit: str = "1", year: int = 2021) -> str:
    digits = f"{year}{kind_digit}{serial:07d}"
    return f"ZL{digits}.{patent_check_char(digits)}"


def borrower_code(serial: int) -> str:
    return demo_uscc("enterprise", 50000 + serial)


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
        "pledges": [{"ip_kind": "invention_patent", "ip_number": patent(n), "appraised_value": "5000000.00",
                     "registration_no": f"Y2025{n:06d}"}],
    }
    body.update(over)
    return body
