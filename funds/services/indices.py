"""Public-market index series (date, level) that managers upload for KS-PME."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db import IntegrityError, transaction

from finance.core.errors import Conflict, DomainError
from finance.core.inputs import parse_date, parse_rate, parse_text
from finance.core.locks import lock_first
from finance.parties.models import Organisation

from ..models import IndexLevel, IndexSeries
from ._common import _err

LEVEL_MAX = Decimal("999999999999")


def _row_date(text: str, n: int) -> dt.date:
    try:
        return parse_date(text, f"row {n}")
    except DomainError:
        raise _err(f"第 {n} 行日期无效：{text[:20]!r}（应为 YYYY-MM-DD）",
                   f"row {n}: invalid date {text[:20]!r} (expected YYYY-MM-DD)",
                   "index_invalid_date", f"row {n}") from None


def _row_level(text: str, n: int) -> Decimal:
    try:
        return parse_rate(text, f"row {n}", max_value=LEVEL_MAX, places=6, allow_zero=False)
    except DomainError:
        raise _err(f"第 {n} 行点位必须为正数（最多 6 位小数）：{text[:20]!r}",
                   f"row {n}: the level must be a positive number (at most 6 decimals): {text[:20]!r}",
                   "index_invalid_level", f"row {n}") from None


def _rows(content) -> list[list[str]]:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _err("文件不是 UTF-8 文本", "the file is not UTF-8 text", "invalid_file", "file") from None
    try:
        return list(csv.reader(io.StringIO(content)))
    except csv.Error:
        raise _err("文件不是有效的 CSV", "the file is not valid CSV", "invalid_file", "file") from None


def _check_gaps(out: list[tuple[dt.date, Decimal]], seen: dict[dt.date, int]) -> None:
    steps = sorted((b[0] - a[0]).days for a, b in zip(out, out[1:], strict=False))
    median = steps[len(steps) // 2]
    allowed = 10 if median <= 7 else 35 if median <= 31 else 95 if median <= 92 else 370
    for a, b in zip(out, out[1:], strict=False):
        if (b[0] - a[0]).days > allowed:
            raise _err(f"指数序列在 {a[0]} 与 {b[0]} 之间有缺口（第 {seen[a[0]]}–{seen[b[0]]} 行）",
                       f"the series has a gap between {a[0]} and {b[0]} (rows {seen[a[0]]}–{seen[b[0]]})",
                       "index_gap", f"row {seen[b[0]]}")


def parse_index_csv(content) -> list[tuple[dt.date, Decimal]]:
    """Rows of ``date,level`` (ISO dates, a header row allowed). Refuses text, blanks, non-positive levels,
    duplicate dates and gaps: a step longer than the series' own rhythm allows (daily: 10 days, for the Spring
    Festival holiday; monthly: 35; quarterly: 95; yearly: 370). Every error names the row."""
    out: list[tuple[dt.date, Decimal]] = []
    seen: dict[dt.date, int] = {}
    for n, row in enumerate(_rows(content), start=1):
        cells = [c.strip() for c in row]
        if n == 1 and cells and cells[0].lower() in ("date", "日期"):
            continue
        if not any(cells):
            raise _err(f"第 {n} 行为空（序列有缺口）", f"row {n} is empty (a gap in the series)", "index_gap",
                       f"row {n}")
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise _err(f"第 {n} 行缺少日期或点位（序列有缺口）",
                       f"row {n}: missing date or level (a gap in the series)",
                       "index_gap", f"row {n}")
        day, level = _row_date(cells[0], n), _row_level(cells[1], n)
        if day in seen:
            raise _err(f"第 {n} 行日期 {day} 与第 {seen[day]} 行重复",
                       f"row {n}: date {day} repeats row {seen[day]}",
                       "index_duplicate_date", f"row {n}")
        seen[day] = n
        out.append((day, level))
    if len(out) < 2:
        raise _err("指数序列至少需要两行", "an index series needs at least two rows", "index_too_short",
                   "file")
    out.sort()
    _check_gaps(out, seen)
    return out


@transaction.atomic
def index_upload(*, owner: Organisation, name: str, content, by=None) -> IndexSeries:
    """Store (or replace) an index series for KS-PME; a bad file changes nothing."""
    name = parse_text(name, "name", max_length=IndexSeries._meta.get_field("name").max_length)
    rows = parse_index_csv(content)
    series = lock_first(IndexSeries, owner=owner, name=name)
    if series is None:
        try:
            with transaction.atomic():
                series = IndexSeries.objects.create(owner=owner, name=name, uploaded_by=by)
        except IntegrityError:
            raise Conflict(f"指数「{name}」正在被同时上传，请重试",
                           f"index '{name}' is being uploaded at the same time; "
                           "try again", code="duplicate") from None
    series.levels.all().delete()
    IndexLevel.objects.bulk_create([IndexLevel(series=series, on=d, level=lv) for d, lv in rows])
    series.uploaded_by = by
    series.save(update_fields=["uploaded_by"])
    return series
