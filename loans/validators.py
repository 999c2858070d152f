"""Input checks shared by the API, the bulk files and the services: each raises a bilingual DomainError.

They are plain functions (no database) so the bulk import can run them over 100,000 rows quickly.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from finance.calc import CalcError, check_uscc, parse_cn_patent_number
from finance.calc.schedules import DAY_COUNTS, METHODS
from finance.core.errors import DomainError
from finance.core.inputs import check_currency, parse_amount

from .models import IPKind

#: Which patent kind digits each IP kind accepts (PCT national-phase numbers carry 8 and 9).
_PATENT_KINDS = {IPKind.INVENTION_PATENT: {"invention", "pct_invention"},
                 IPKind.UTILITY_MODEL: {"utility_model", "pct_utility_model"}}
_PATENT_KIND_ZH = {"invention": "发明专利", "pct_invention": "PCT 发明专利", "utility_model": "实用新型",
                   "pct_utility_model": "PCT 实用新型", "design": "外观设计"}
# Trademark registration numbers are digits (up to 10); copyright registrations are either a software
# copyright number (2021SR0123456) or a works registration number (国作登字-2021-F-00012345).
_TRADEMARK = re.compile(r"^\d{1,10}$")
_COPYRIGHT = re.compile(r"^(\d{4}SR\d{5,8}|国作登字-\d{4}-[A-Z]-\d{8})$")


def _norm(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text))).upper()


def ip_number(kind: str, number, field: str = "ip_number") -> str:
    """The normalised number of an IP asset, checked against its kind (patents: format and check digit)."""
    if kind not in IPKind.values:
        raise DomainError(f"未知的知识产权类型：{kind!r}（可选：{', '.join(IPKind.values)}）",
                          f"unknown IP kind {kind!r} (one of {', '.join(IPKind.values)})",
                          code="invalid_ip_kind", field=field.replace("ip_number", "ip_kind"))
    if not isinstance(number, str) or not number.strip():
        raise DomainError("知识产权编号不能为空", "the IP number is required", code="required", field=field)
    if kind in _PATENT_KINDS:
        try:
            parsed = parse_cn_patent_number(number)
        except CalcError as exc:
            raise DomainError(f"专利号 {number}：{exc.message_zh}", f"patent number {number}: {exc.message_en}",
                              code="invalid_patent_number", field=field) from None
        if parsed.kind not in _PATENT_KINDS[kind]:
            raise DomainError(
                f"编号 {number} 是{_PATENT_KIND_ZH.get(parsed.kind, parsed.kind)}，与类型「{IPKind(kind).label}」不符",
                f"number {number} is a {parsed.kind.replace('_', ' ')} number, not a {kind.replace('_', ' ')}",
                code="ip_kind_mismatch", field=field)
        return parsed.number
    value = _norm(number)
    pattern = _TRADEMARK if kind == IPKind.TRADEMARK else _COPYRIGHT
    if not pattern.match(value):
        looks_like_patent = True
        try:
            parse_cn_patent_number(number)
        except CalcError:
            looks_like_patent = False
        if looks_like_patent:
            raise DomainError(f"编号 {number} 是专利号，与类型「{kind}」不符",
                              f"number {number} is a patent number, not a {kind}", code="ip_kind_mismatch", field=field)
        expected = ("商标注册号为 1–10 位数字", "a trademark registration number has 1–10 digits") \
            if kind == IPKind.TRADEMARK else \
            ("著作权登记号格式应为 2021SR0123456 或 国作登字-2021-F-00012345",
             "a copyright registration looks like 2021SR0123456 or 国作登字-2021-F-00012345")
        raise DomainError(f"编号 {number} 无效：{expected[0]}", f"number {number} is invalid: {expected[1]}",
                          code="invalid_ip_number", field=field)
    return value


def uscc(code, field: str = "borrower_uscc") -> str:
    try:
        return check_uscc(code)
    except CalcError as exc:
        raise DomainError(f"统一社会信用代码 {code}：{exc.message_zh}", f"social credit code {code}: {exc.message_en}",
                          code="invalid_uscc", field=field) from None


def amount(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """Money as a decimal string: floats (JSON numbers with a fraction), NaN and a third decimal are refused."""
    if isinstance(value, bool):
        raise DomainError(f"{field} 必须是十进制字符串", f"{field} must be a decimal string", code="invalid_amount",
                          field=field)
    return parse_amount(value, field, allow_zero=allow_zero)


def currency(value, field: str = "currency") -> str:
    return check_currency(value, field)


def rate(value, field: str = "annual_rate") -> Decimal:
    """Annual rate in percent, at most 4 decimals, not negative (the cap is a policy parameter)."""
    if isinstance(value, (float, bool)):
        raise DomainError(f"{field} 必须是十进制字符串（如 \"4.35\"）", f"{field} must be a decimal string such as \"4.35\"",
                          code="invalid_rate", field=field)
    try:
        r = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"{field} 不是有效利率：{value!r}", f"{field} is not a valid rate: {value!r}",
                          code="invalid_rate", field=field) from None
    if not r.is_finite() or r < 0 or r.as_tuple().exponent < -4:
        raise DomainError(f"{field} 必须是非负百分数，最多四位小数", f"{field} must be a non-negative percentage with at most 4 decimals",
                          code="invalid_rate", field=field)
    return r


def term(value, field: str = "term_months") -> int:
    """A positive whole number of months (an int, or a string of digits: "12.5" and 12.0 are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit() \
            or int(value) <= 0:
        raise DomainError(f"{field} 必须是正整数（月）：{value!r}", f"{field} must be a positive whole number of months: {value!r}",
                          code="invalid_term", field=field)
    return int(value)


def method(value, field: str = "repayment_method") -> str:
    if value not in METHODS:
        raise DomainError(f"未知的还款方式：{value!r}（可选：{', '.join(METHODS)}）",
                          f"unknown repayment method {value!r} (one of {', '.join(METHODS)})",
                          code="invalid_method", field=field)
    return value


def day_count(value, field: str = "day_count") -> str:
    value = value or "30/360"
    if value not in DAY_COUNTS:
        raise DomainError(f"未知的计息基准：{value!r}（可选：{', '.join(DAY_COUNTS)}）",
                          f"unknown day count {value!r} (one of {', '.join(DAY_COUNTS)})",
                          code="invalid_day_count", field=field)
    return value


def date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(f"{field} 不是有效日期（YYYY-MM-DD）：{value!r}", f"{field} is not an ISO date (YYYY-MM-DD): {value!r}",
                          code="invalid_date", field=field) from None
