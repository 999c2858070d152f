"""Valid unified social credit codes for demo data and tests (organisation code digits + computed check
char)."""

from stdnum.cn import uscc

# 91 = enterprise registered with market regulator; 370100 = Jinan (region code).
_PREFIX = {"enterprise": "91370100", "bank": "91370000", "guarantor": "91370200", "fund_manager": "91370300",
           "department": "11370000", "university": "12370000"}


def demo_uscc(kind: str, serial: int) -> str:
    """A well-formed code: prefix + 9-character organisation code + check character."""
    body = f"{_PREFIX[kind]}MA{serial:07d}"
    return body + uscc.calc_check_digit(body)
