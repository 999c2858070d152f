"""Validation of a parsed loan file: every row through the API's own functions, then the file-wide checks.

Per row: ``loans.services.loan_input`` (the API's parsing) and ``loan_rules_check`` (the API's policy rules,
with one policy history read for the whole file); rows whose reference the bank already registered are
reported and skipped, never duplicated. File-wide: a reference or an IP asset twice in the file. Then the
register rules of ``loans.services.registration`` (borrowers, asset owners, live pledges) over every row, so
the bank gets every error at once; the store step applies them again under the row locks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from finance.core.errors import DomainError
from finance.policy.selectors import PolicyHistory

from .. import services
from .parse import Parsed, as_submission, column_for, err

PROGRESS_EVERY = 2000


@dataclass
class Prepared:
    items: list[services.Item]
    already: list[dict]  # [{row, external_ref, loan_id}]
    errors: list[dict]  # [{row, column, code, detail_zh, detail_en}]


def row_error(e: services.RowError, names: dict[str, str]) -> dict:
    return err(e.row or 0, column_for(e.field, names), e.code, e.zh, e.en)


def _file_wide(items: list[services.Item], names: dict[str, str]) -> tuple[list[services.Item], list[dict]]:
    """A reference or an IP asset twice in the file: the later row is an error."""
    errors, good, seen_refs, seen_assets = [], [], {}, {}
    for it in items:
        d = it.data
        if d.external_ref in seen_refs:
            errors.append(err(it.row, names["external_ref"], "duplicate_external_ref",
                              f"贷款编号 {d.external_ref} 与第 {seen_refs[d.external_ref]} 行重复",
                              f"reference {d.external_ref} repeats row {seen_refs[d.external_ref]}"))
            continue
        seen_refs[d.external_ref] = it.row
        for i, p in enumerate(d.pledges):
            key = (p.ip_kind, p.ip_number)
            if key in seen_assets:
                errors.append(err(it.row, column_for(f"pledges.{i}.ip_number", names), "duplicate_pledge",
                                  f"知识产权 {p.ip_number} 已在第 {seen_assets[key]} 行质押",
                                  f"IP asset {p.ip_number} is already pledged in row {seen_assets[key]}"))
            seen_assets[key] = it.row
        good.append(it)
    return good, errors


def validate_rows(parsed: Parsed, *, bank, as_of: dt.date, progress=None) -> Prepared:
    """Every row through the API's rules, then the file-wide and register checks; collects every error."""
    errors = list(parsed.errors)
    names = parsed.names
    history = PolicyHistory()
    existing = services.existing_refs(bank, [r.get("external_ref", "").strip() for _, r in parsed.rows])
    items, already = [], []
    for k, (row, record) in enumerate(parsed.rows, start=1):
        try:
            data = services.loan_input(as_submission(record))
            if data.external_ref in existing:
                already.append({"row": row, "external_ref": data.external_ref,
                                "loan_id": existing[data.external_ref]})
                continue
            use = history.use(data.disbursed_on)
            services.loan_rules_check(data, use, as_of=as_of)
        except DomainError as exc:
            errors.append(err(row, column_for(exc.field, names), exc.code, exc.detail_zh, exc.detail_en))
            continue
        items.append(services.Item(row, data, use.snapshot))
        if progress and k % PROGRESS_EVERY == 0:
            progress(k)
    items, wide = _file_wide(items, names)
    errors += wide
    errors += [row_error(e, names) for e in services.registration_errors(items)]
    return Prepared(items, already, errors)
