"""Validation of a parsed loan file: every row through the API's own functions, then the file-wide checks.

Every error of every row is reported in one pass. Per row: ``loans.services.loans_input`` (the API's parsing,
field by field, each check once per distinct value of its column) and ``loan_rules_errors`` (the API's policy
rules whose inputs passed, with one policy history read for the whole file); rows whose reference the bank
already registered are reported and skipped, never duplicated. File-wide: a reference or an IP asset twice in
the file. Then the register rules of ``loans.services.registration`` (borrowers, asset owners, live pledges)
over every row — a row with field errors takes part with the inputs that passed — so the bank gets every
error at once; the store step applies them again under the row locks.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from finance.policy.selectors import PolicyHistory, PolicyUse

from .. import services
from .parse import Parsed, as_submission, column_for, err

PROGRESS_EVERY = 2000


@dataclass
class Prepared:
    items: list[services.Item]
    already: list[dict]  # [{row, external_ref, loan_id}]
    errors: list[dict]  # [{row, column, code, detail_zh, detail_en}]


class _InForce:
    """``PolicyHistory`` looked up once per (parameter, day): a file's rows share a few disbursement days.
    Each row still gets its own ``PolicyUse``, so its snapshot holds only the values its rules read."""

    def __init__(self) -> None:
        self.history = PolicyHistory()
        self.memo: dict[tuple, object] = {}

    def value(self, key: str, on: dt.date):
        try:
            return self.memo[key, on]
        except KeyError:
            found = self.memo[key, on] = self.history.value(key, on)
            return found

    def use(self, on: dt.date) -> PolicyUse:
        return PolicyUse(on=on, history=self)  # type: ignore[arg-type]  # the history's lookup, memoised


def row_error(e: services.RowError, names: dict[str, str]) -> dict:
    return err(e.row or 0, column_for(e.field, names), e.code, e.zh, e.en)


def _probe(row: int, values: dict) -> services.Item:
    """A row with field errors, as the register and file-wide checks see it: the inputs that passed."""
    pledges = [SimpleNamespace(ip_kind=p["ip_kind"], ip_number=p["ip_number"])
               if p is not None and "ip_number" in p else None for p in values["pledges"]]
    data = SimpleNamespace(external_ref=values.get("external_ref"), borrower_uscc=values.get("borrower_uscc"),
                           borrower_name=values.get("borrower_name"), pledges=pledges)
    return services.Item(row, data, {})


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
        if d.external_ref is not None:
            seen_refs[d.external_ref] = it.row
        for i, p in enumerate(d.pledges):
            if p is None:
                continue
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
    history = _InForce()
    existing = services.existing_refs(bank, [r.get("external_ref", "").strip() for _, r in parsed.rows])
    inputs = services.loans_input([as_submission(record) for _, record in parsed.rows])
    checked, already = [], []
    for k, ((row, _), one) in enumerate(zip(parsed.rows, inputs, strict=True), start=1):
        values = one.values
        if not one.errors and values["external_ref"] in existing:
            already.append({"row": row, "external_ref": values["external_ref"],
                            "loan_id": existing[values["external_ref"]]})
            continue
        use = history.use(values["disbursed_on"]) if "disbursed_on" in values else None
        found = one.errors + services.loan_rules_errors(values, use, as_of=as_of)
        if found:
            errors += [err(row, column_for(e.field, names), e.code, e.detail_zh, e.detail_en) for e in found]
            checked.append(_probe(row, values))
        else:
            checked.append(services.Item(row, one.loan, use.snapshot))
        if progress and k % PROGRESS_EVERY == 0:
            progress(k)
    checked, wide = _file_wide(checked, names)
    errors += wide
    errors += [row_error(e, names) for e in services.registration_errors(checked)]
    items = [it for it in checked if isinstance(it.data, services.LoanIn)]
    return Prepared(items, already, errors)
