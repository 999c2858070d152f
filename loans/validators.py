"""Loan-specific input checks shared by the API, the bulk files and the services (IP numbers, credit codes,
terms, methods, CNIPA pledge registrations); amounts, rates, dates and currencies are parsed by
``finance.core.inputs``, called from here or directly. Each raises a bilingual DomainError naming the field.

They are plain functions (no database) so the bulk import can run them over 100,000 rows quickly: a file runs
each check once per distinct value of its column (``Distinct``) — the same function the API calls on its one
value, never a second copy of the rule.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from finance.calc import CalcError, check_uscc, parse_cn_patent_number
from finance.calc.schedules import DAY_COUNTS, METHODS
from finance.core.errors import DomainError
from finance.core.inputs import parse_date, parse_int, parse_rate

from .models import IPKind, LoanCategory

#: Which patent kind digits each IP kind accepts (PCT national-phase numbers carry 8 and 9).
_PATENT_KINDS = {IPKind.INVENTION_PATENT: {"invention", "pct_invention"},
                 IPKind.UTILITY_MODEL: {"utility_model", "pct_utility_model"}}
_PATENT_KIND_ZH = {"invention": "发明专利", "pct_invention": "PCT 发明专利", "utility_model": "实用新型",
                   "pct_utility_model": "PCT 实用新型", "design": "外观设计"}
# Trademark registration numbers are digits (up to 10); copyright registrations are either a software
# copyright number (2021SR0123456) or a works registration number (国作登字-2021-F-00012345).
_TRADEMARK = re.compile(r"^\d{1,10}$")
_COPYRIGHT = re.compile(r"^(\d{4}SR\d{5,8}|国作登字-\d{4}-[A-Z]-\d{8})$")


# Choices' ``values`` is rebuilt on every access: read once (these run for every row of a 100,000-row file).
_IP_KINDS = frozenset(IPKind.values)
_CATEGORIES = frozenset(LoanCategory.values)


class Distinct:
    """Run a scalar check over a column, once per distinct value, remembering (value, None) or (None, error).

    A bank file repeats borrowers, dates, rates, methods and amounts: each distinct cell is checked once by
    the very function the API calls on its one value. Keys carry the type, so ``12`` and ``12.0`` (refused)
    never share an answer; unhashable input (a list sent where a string belongs) is checked every time.
    """

    def __init__(self) -> None:
        self.memo: dict[tuple, dict] = {}

    def column(self, check, values, *args) -> list[tuple[object, DomainError | None]]:
        """``check(value, *args)`` for every value of the column."""
        memo = self.memo.setdefault((check, *args), {})
        out = []
        for value in values:
            key = (value.__class__, value)
            try:
                hit = memo[key]
            except KeyError:
                hit = memo[key] = _answer(check, (value, *args))
            except TypeError:
                hit = _answer(check, (value, *args))
            out.append(hit)
        return out


def _answer(check, args) -> tuple[object, DomainError | None]:
    try:
        return check(*args), None
    except DomainError as exc:
        return None, exc


def _norm(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text))).upper()


def ip_kind(kind, field: str = "ip_kind") -> str:
    kind = str(kind or "").strip()
    if kind not in _IP_KINDS:
        raise DomainError(f"未知的知识产权类型：{kind[:40]!r}（可选：{', '.join(IPKind.values)}）",
                          f"unknown IP kind {kind[:40]!r} (one of {', '.join(IPKind.values)})",
                          code="invalid_ip_kind", field=field)
    return kind


def ip_number(kind: str, number, field: str = "ip_number") -> str:
    """The normalised number of an IP asset, checked against its kind (patents: format and check digit)."""
    kind = ip_kind(kind, field.replace("ip_number", "ip_kind"))
    if not isinstance(number, str) or not number.strip():
        raise DomainError("知识产权编号不能为空", "the IP number is required", code="required", field=field)
    if kind in _PATENT_KINDS:
        try:
            parsed = parse_cn_patent_number(number)
        except CalcError as exc:
            raise DomainError(f"专利号 {number}：{exc.message_zh}",
                              f"patent number {number}: {exc.message_en}",
                              code="invalid_patent_number", field=field) from None
        if parsed.kind not in _PATENT_KINDS[kind]:
            is_zh = _PATENT_KIND_ZH.get(parsed.kind, parsed.kind)
            is_en, want_en = parsed.kind.replace("_", " "), kind.replace("_", " ")
            raise DomainError(f"编号 {number} 是{is_zh}，与类型「{IPKind(kind).label}」不符",
                              f"number {number} is a {is_en} number, not a {want_en}",
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
                              f"number {number} is a patent number, not a {kind}", code="ip_kind_mismatch",
                              field=field)
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
        raise DomainError(f"统一社会信用代码 {code}：{exc.message_zh}",
                          f"social credit code {code}: {exc.message_en}",
                          code="invalid_uscc", field=field) from None


def rate(value, field: str = "annual_rate") -> Decimal:
    """Annual rate in percent (\"4.35\"), at most 4 decimals, not negative: ``finance.core.inputs.parse_rate``
    read as a plain number (the loan stores percent; the cap is the policy parameter loan.rate_max)."""
    return parse_rate(value, field, places=4)


def term(value, field: str = "term_months") -> int:
    """A positive whole number of months (an int or a string of digits: "12.5" and 12.0 are refused)."""
    if isinstance(value, (bool, float)):
        raise DomainError(f"{field}：必须是整数（月）", f"{field}: must be a whole number of months",
                          code="invalid_number", field=field)
    return parse_int(value, field, min_value=1, max_value=600)


def method(value, field: str = "repayment_method") -> str:
    if value not in METHODS:
        raise DomainError(f"未知的还款方式：{str(value)[:40]!r}（可选：{', '.join(METHODS)}）",
                          f"unknown repayment method {str(value)[:40]!r} (one of {', '.join(METHODS)})",
                          code="invalid_method", field=field)
    return value


def day_count(value, field: str = "day_count") -> str:
    value = value or "30/360"
    if value not in DAY_COUNTS:
        raise DomainError(f"未知的计息基准：{str(value)[:40]!r}（可选：{', '.join(DAY_COUNTS)}）",
                          f"unknown day count {str(value)[:40]!r} (one of {', '.join(DAY_COUNTS)})",
                          code="invalid_day_count", field=field)
    return value


def category(value, field: str = "category") -> str:
    value = str(value or "").strip() or LoanCategory.IP_PLEDGE
    if value not in _CATEGORIES:
        raise DomainError(f"未知的贷款类别：{value[:40]!r}（可选：{', '.join(LoanCategory.values)}）",
                          f"unknown loan category {value[:40]!r} (one of {', '.join(LoanCategory.values)})",
                          code="invalid_category", field=field)
    return value


# CNIPA pledge registration numbers (质押登记号), as printed on the registration notice and in the patent
# gazette's 专利权质押合同登记生效 entries:
#   patents and utility models, since 2020: "Y" + year of registration + "98" + 7 digits, e.g. Y2023980012345;
#   before 2020: year + "99" + 7 digits, e.g. 2015990000123 (accepted, for loans registered then);
#   trademarks (商标专用权质权登记, CNIPA's trademark office): year + "质字" or "ZC" + serial, written by the
#   banks as 2023质字0001234 / ZC20230001234 (no published numbering rule was found; this shape is checked);
#   copyrights (著作权质权登记, Copyright Protection Center): 软著质登字-2021-L-00001234 or
#   作质登字-2021-L-00001234 form, "质登字" + year + letter + 8 digits.
# Spaces and full-width characters are normalised first; the year may not be after the registration date.
_PLEDGE_PATENT = re.compile(r"^(?:Y(?P<y1>(?:19|20)\d{2})98\d{7}|(?P<y2>(?:19|20)\d{2})99\d{7})$")
_PLEDGE_TRADEMARK = re.compile(r"^(?:(?P<y1>(?:19|20)\d{2})质字\d{4,8}|ZC(?P<y2>(?:19|20)\d{2})\d{4,8})$")
_PLEDGE_COPYRIGHT = re.compile(r"^(?:软著|作)质登字-(?P<y1>(?:19|20)\d{2})-[A-Z]-\d{8}$")
PLEDGE_FORMATS = {
    IPKind.INVENTION_PATENT: (_PLEDGE_PATENT, "Y2023980012345（2020 年前：2015990000123）"),
    IPKind.UTILITY_MODEL: (_PLEDGE_PATENT, "Y2023980012345（2020 年前：2015990000123）"),
    IPKind.TRADEMARK: (_PLEDGE_TRADEMARK, "2023质字0001234 / ZC20230001234"),
    IPKind.COPYRIGHT: (_PLEDGE_COPYRIGHT, "软著质登字-2021-L-00001234"),
}


def registration_no(kind: str, number, field: str) -> tuple[str, int]:
    """A CNIPA pledge registration number in the format of the asset's kind; returns it and its year."""
    value = _norm(number or "")
    if not value:
        raise DomainError("质押登记号不能为空：质押须在国家知识产权局办理登记",
                          "the CNIPA pledge registration "
                          "number is required: a pledge must be registered", code="required", field=field)
    pattern, example = PLEDGE_FORMATS.get(kind, PLEDGE_FORMATS[IPKind.INVENTION_PATENT])
    match = pattern.match(value)
    if match is None:
        raise DomainError(f"质押登记号 {value[:40]} 格式无效（应如 {example}）",
                          f"pledge registration number {value[:40]} is not valid (expected like {example})",
                          code="invalid_registration_no", field=field)
    return value, int(match.group("y1") or match.group("y2"))


def registration_date(registered_on, field: str) -> dt.date:
    """The pledge registration date: required, a date, not after today."""
    if registered_on in (None, ""):
        raise DomainError("质押登记日期不能为空", "the pledge registration date is required", code="required",
                          field=field)
    return parse_date(registered_on, field, not_future=True)


def registration_year(value: str, year: int, day: dt.date, field: str) -> None:
    """The cross-field rule: the year in the registration number is not after the registration date."""
    if year > day.year:
        raise DomainError(f"质押登记号 {value} 的年份 {year} 晚于登记日期 {day}",
                          f"pledge registration number {value} carries year {year}, after its date {day}",
                          code="invalid_registration_no", field=field)


def pledge_registration(kind: str, number, registered_on, *, prefix: str) -> tuple[str, dt.date]:
    """The CNIPA pledge registration number (format of the asset's kind) and its date (not after today)."""
    field = f"{prefix}.registration_no"
    value, year = registration_no(kind, number, field)
    day = registration_date(registered_on, f"{prefix}.registered_on")
    registration_year(value, year, day, field)
    return value, day
