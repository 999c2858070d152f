"""Quarters and their as-of dates: the one place a quarter string ("2026Q3") is parsed.

A report's figures are as of the quarter end in Asia/Shanghai: everything dated on or before ``end`` counts,
and for timestamps (state changes, decisions) everything before ``cutoff`` (the next day, 00:00 Beijing time).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from finance.core.errors import DomainError
from finance.core.inputs import today

SHANGHAI = ZoneInfo("Asia/Shanghai")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")
_ZH_NUMBER = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def zh(self) -> str:
        return f"{self.year}年第{_ZH_NUMBER[self.number]}季度"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """The as-of date: the quarter's last day."""
        nxt = self.next
        return dt.date(nxt.year, 3 * nxt.number - 2, 1) - dt.timedelta(days=1)

    @property
    def cutoff(self) -> dt.datetime:
        """The first instant after the quarter, in Asia/Shanghai (timestamps before it count)."""
        day = self.end + dt.timedelta(days=1)
        return dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)

    @property
    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def __str__(self) -> str:
        return self.label


def _err(field: str, zh: str, en: str, code: str = "invalid_quarter") -> DomainError:
    return DomainError(f"{field}：{zh}", f"{field}: {en}", code=code, field=field)


def parse_quarter(value, field: str = "quarter", *, ended: bool = True, on: dt.date | None = None) -> Quarter:
    """"2026Q3" (also "2026-Q3", "2026q3") → Quarter. ``ended``: refuse a quarter that has not ended yet
    (its figures are not final): a report is only made once the quarter is over."""
    if isinstance(value, Quarter):
        q = value
    else:
        text = str(value if value is not None else "")
        m = _QUARTER.match(text) if len(text) <= 20 else None
        if not m:
            raise _err(field, f"季度格式应为「2026Q3」，收到 {text[:20]!r}",
                       f"a quarter looks like '2026Q3', got {text[:20]!r}")
        q = Quarter(int(m.group(1)), int(m.group(2)))
        if not 2000 <= q.year <= 2100:
            raise _err(
                field, f"年份 {q.year} 超出范围（2000–2100）", f"year {q.year} is out of range (2000–2100)"
            )
    if ended and q.end >= (on or today()):
        raise _err(
            field,
            f"{q.label} 尚未结束，季度结束后才能生成报告",
            f"{q.label} has not ended yet; a report is made once the quarter is over",
            code="quarter_not_ended",
        )
    return q


def quarter_of(day: dt.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def last_ended(on: dt.date | None = None, count: int = 1) -> list[Quarter]:
    """The ``count`` most recent quarters that have ended by ``on`` (newest first)."""
    q = quarter_of(on or today()).previous
    out = []
    for _ in range(count):
        out.append(q)
        q = q.previous
    return out
