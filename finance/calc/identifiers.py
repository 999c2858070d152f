"""Identifier checks: unified social credit code and Chinese patent application numbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import uscc as _uscc

from .errors import CalcError

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, Z, S, V


def _normalise(text: object, field: str) -> str:
    if not isinstance(text, str):
        raise CalcError("not_text", field, f"{field} 必须是字符串", f"{field} must be a string")
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()


def check_uscc(code: str) -> str:
    """The normalised 18-character code, or a CalcError saying what is wrong.

    Positions (GB 32100-2015): 1 registering authority, 2 entity type, 3-8 region code (digits),
    9-17 organisation code, 18 check character (weights 3^i mod 31). Letters are allowed in
    positions 1-2 (e.g. N for agriculture), which python-stdnum's validate() refuses, so the
    format is checked here and only the check character is taken from stdnum.
    """
    value = _normalise(code, "code")
    if len(value) != 18:
        raise CalcError("uscc_length", "code", f"统一社会信用代码应为 18 位,实际 {len(value)} 位",
                        f"a unified social credit code has 18 characters, not {len(value)}")
    bad = [c for c in value if c not in _USCC_ALPHABET]
    if bad or not value[2:8].isdigit():
        raise CalcError("uscc_characters", "code",
                        "统一社会信用代码含非法字符(不含 I、O、Z、S、V;第 3-8 位为数字)",
                        "invalid characters (I, O, Z, S, V are never used; positions 3-8 are digits)")
    expected = _uscc.calc_check_digit(value[:17])
    if value[17] != expected:
        raise CalcError("uscc_check_char", "code", f"统一社会信用代码校验位错误(应为 {expected})",
                        f"wrong check character: expected {expected}")
    return value


def valid_uscc(code: str) -> bool:
    try:
        check_uscc(code)
    except CalcError:
        return False
    return True


PATENT_KINDS = {"1": "invention", "2": "utility_model", "3": "design", "8": "pct_invention",
                "9": "pct_utility_model"}


@dataclass(frozen=True)
class PatentNumber:
    year: int
    kind: str  # PATENT_KINDS value
    serial: int
    check: str
    number: str  # canonical written form, e.g. "201010191563.5"


def patent_check_char(digits: str) -> str:
    """CNIPA check character: sum(digit * weight) mod 11, weights 2..9,2,3,4,5; 10 is X.

    Verified against real application numbers 201710601862.3, 200710308494.X, 201010191563.5
    and the pre-2003 97101765.4.
    """
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    r = sum(int(d) * w for d, w in zip(digits, weights[: len(digits)], strict=True)) % 11
    return "X" if r == 10 else str(r)


_PATENT = re.compile(r"^(?:CN|ZL|CNZL)?(\d{12}|\d{8})(?:\.?([0-9X]))?$")


def parse_cn_patent_number(text: str) -> PatentNumber:
    """Year, kind and serial of a Chinese patent application (or patent) number.

    Accepts "ZL 2021 1 0123456.7", "CN201010191563.5", full-width digits and "．", and the
    pre-2003 8-digit form "97101765.4" (two-digit year, 1985-2003). The check character must be
    present and right.
    """
    value = _normalise(text, "text")
    match = _PATENT.match(value)
    if not match:
        raise CalcError("patent_format", "text",
                        "专利号格式应为 年份+类型+流水号.校验位(如 ZL201010191563.5)",
                        "expected year + kind + serial . check, e.g. ZL201010191563.5")
    digits, check = match.groups()
    if check is None:
        raise CalcError("patent_check_missing", "text", "专利号缺少校验位", "the check character is missing")
    if len(digits) == 12:
        year, kind, serial = int(digits[:4]), digits[4], int(digits[5:])
        valid_year = 2003 <= year <= 2099
    else:
        yy = int(digits[:2])
        year, kind, serial = (1900 + yy if yy >= 85 else 2000 + yy), digits[2], int(digits[3:])
        valid_year = 1985 <= year <= 2004
    if not valid_year:
        raise CalcError("patent_year", "text", f"专利号年份 {year} 不合理", f"implausible year {year}")
    if kind not in PATENT_KINDS:
        raise CalcError("patent_kind", "text", f"专利类型码 {kind} 无效(应为 1、2、3、8、9)",
                        f"invalid kind digit {kind} (1, 2, 3, 8 or 9)")
    expected = patent_check_char(digits)
    if check != expected:
        raise CalcError("patent_check_digit", "text", f"专利号校验位错误(应为 {expected})",
                        f"wrong check character: expected {expected}")
    return PatentNumber(year, PATENT_KINDS[kind], serial, check, f"{digits}.{check}")
