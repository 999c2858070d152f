"""The one registration path for loans (API and bank files): check the register, then write set-based.

Rules, the same code for one loan or a file of 100,000:
- **borrower**: a known credit code must be an enterprise; an unknown one needs a name and is created through
  ``finance.parties.services.organisation_create_bulk`` (the checks of ``organisation_create``, one insert);
- **IP asset**: an asset registered to another owner is refused; an asset with a live (unreleased) pledge is
  refused (409: an asset never backs two live loans — a partial unique index on live pledges backs this);
- **an already-known asset** that is free is pledged again and **re-appraised**: its appraised value becomes
  the value given with this pledge, on both paths (the latest appraisal wins; each pledge keeps the value its
  loan-to-value check used);
- **locking**: the assets' rows are created if missing (``INSERT … ON CONFLICT DO NOTHING``, in key order) and
  then locked in primary-key order through ``finance.core.locks``, before the pledge check is read, so a
  file and an API call pledging the same asset at once serialise and the second sees the first's pledge;
- **audit**: submitted → active for every loan through ``state_change_bulk``.
A concurrent insert that still collides (same bank reference, same new borrower) is answered as a Conflict
naming the item, never a 500.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from finance.approvals.services import state_change_bulk
from finance.core.errors import DomainError
from finance.core.locks import lock_all
from finance.parties.models import Organisation, OrgKind
from finance.parties.services import organisation_create_bulk

from ..models import Installment, IPAsset, Loan, LoanStatus, Pledge
from . import bulk

TEMP = "loans_reg_asset"


@dataclass
class Item:
    """One loan to register: its row in a file (None for the API), the parsed input, the policy used."""

    row: int | None
    data: object  # submission.LoanIn
    snapshot: dict


@dataclass
class RowError:
    row: int | None
    field: str
    code: str
    zh: str
    en: str
    status: int = 400


class RegistrationRefused(DomainError):
    """The register refused one or more loans; ``row_errors`` lists every one (the first is the message)."""

    def __init__(self, errors: list[RowError]):
        first = errors[0]
        super().__init__(first.zh, first.en, code=first.code, field=first.field, status=first.status)
        self.row_errors = errors


def existing_refs(bank: Organisation, refs) -> dict[str, int]:
    """The bank's references already registered, with their loan ids."""
    out: dict[str, int] = {}
    for chunk in bulk.among(refs):
        out.update(Loan.objects.filter(bank=bank, external_ref__in=chunk).values_list("external_ref", "pk"))
    return out


# ---------------------------------------------------------------- the rules


def _known_borrowers(items) -> dict[str, tuple[int, str]]:
    known = {}
    for chunk in bulk.among(it.data.borrower_uscc for it in items):
        known.update({u: (pk, kind) for u, pk, kind in
                      Organisation.objects.filter(uscc__in=chunk).values_list("uscc", "pk", "kind")})
    return known


def borrower_errors(items, known: dict[str, tuple[int, str]]) -> list[RowError]:
    errors = []
    for it in items:
        d = it.data
        if d.borrower_uscc is None:  # a file row whose code is invalid (reported as such): nothing to look up
            continue
        org = known.get(d.borrower_uscc)
        if org is None and d.borrower_name == "":
            errors.append(RowError(
                it.row, "borrower_name", "borrower_unknown",
                f"借款企业 {d.borrower_uscc} 尚未登记，请同时提供企业名称（borrower_name）",
                f"borrower {d.borrower_uscc} is not registered: give borrower_name to register it"))
        elif org is not None and org[1] != OrgKind.ENTERPRISE:
            errors.append(RowError(it.row, "borrower_uscc", "borrower_not_enterprise",
                                   f"借款人 {d.borrower_uscc} 不是企业",
                                   f"borrower {d.borrower_uscc} is not an enterprise"))
    return errors


def asset_errors(items, assets: dict, live: set[int], borrower_ids: dict[str, int]) -> list[RowError]:
    """``assets``: (kind, number) → (asset id, owner id) of the assets that exist; ``live``: ids of assets
    with an unreleased pledge; ``borrower_ids``: credit code → organisation id (known borrowers)."""
    errors = []
    for it in items:
        owner = borrower_ids.get(it.data.borrower_uscc)
        for i, p in enumerate(it.data.pledges):
            found = assets.get((p.ip_kind, p.ip_number)) if p is not None else None
            if found is None:
                continue
            field = f"pledges.{i}.ip_number"
            if it.data.borrower_uscc is not None and found[1] != owner:
                errors.append(RowError(it.row, field, "ip_owner_mismatch",
                                       f"知识产权 {p.ip_number} 登记在其他权利人名下",
                                       f"IP asset {p.ip_number} belongs to another owner", 409))
            elif found[0] in live:
                errors.append(RowError(it.row, field, "ip_already_pledged",
                                       f"知识产权 {p.ip_number} 已为另一笔未结清贷款质押",
                                       f"IP asset {p.ip_number} already secures another outstanding loan",
                                       409))
    return errors


def _keys(items) -> list[tuple[str, str]]:
    return sorted({(p.ip_kind, p.ip_number) for it in items for p in it.data.pledges if p is not None})


def _live(asset_ids) -> set[int]:
    live: set[int] = set()
    for chunk in bulk.among(asset_ids, "bigint"):
        live.update(Pledge.objects.filter(asset_id__in=chunk, released_on__isnull=True)
                    .values_list("asset_id", flat=True))
    return live


def registration_errors(items) -> list[RowError]:
    """Every register rule over ``items``, read-only and without locks (a file's validation reports them
    all at once; ``register_loans`` applies the same functions again under the locks). A file row with
    field errors comes as a partial probe: ``borrower_uscc``/``borrower_name`` None and pledges None where
    invalid, so its register rules run on the inputs that passed."""
    known = _known_borrowers(items)
    errors = borrower_errors(items, known)
    keys = _keys(items)
    assets = {}
    for chunk in bulk.among(n for _, n in keys):
        for pk, kind, number, owner in IPAsset.objects.filter(number__in=chunk).values_list(
                "pk", "kind", "number", "owner_id"):
            assets[(kind, number)] = (pk, owner)
    live = _live(pk for pk, _ in assets.values())
    return errors + asset_errors(items, assets, live, {u: pk for u, (pk, _) in known.items()})


# ---------------------------------------------------------------- writing


def _create_borrowers(items, known) -> dict[str, int]:
    """Credit code → organisation id, creating the new enterprises through the parties service (one bulk call,
    the same checks as ``organisation_create``)."""
    ids = {u: pk for u, (pk, _) in known.items()}
    new: dict[str, tuple[int | None, str]] = {}
    for it in items:
        if it.data.borrower_uscc not in ids and it.data.borrower_uscc not in new:
            new[it.data.borrower_uscc] = (it.row, it.data.borrower_name)
    if not new:
        return ids
    wanted = list(new.items())
    try:
        created = organisation_create_bulk(kind=OrgKind.ENTERPRISE,
                                           items=[{"name": name, "uscc": u} for u, (_, name) in wanted])
    except DomainError as exc:
        uscc, (row, _) = wanted[exc.extra.get("item", 0)]
        if exc.code != "duplicate":
            raise RegistrationRefused([RowError(row, "borrower_uscc", exc.code, exc.detail_zh, exc.detail_en,
                                                exc.status)]) from None
        raise RegistrationRefused([_borrower_race(row, uscc)]) from None
    ids.update({o.uscc: o.pk for o in created})
    return ids


def _borrower_race(row, uscc) -> RowError:
    return RowError(row, "borrower_uscc", "borrower_registered_concurrently",
                    f"借款企业 {uscc} 正被同时登记，请重新提交",
                    f"borrower {uscc} was being registered at the same time; submit again", 409)


def _temp_assets(items, borrower_ids) -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {TEMP}")
        suffix = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
        cur.execute(f"CREATE TEMP TABLE {TEMP} (kind varchar(20), number varchar(40), owner_id bigint, "
                    f"currency varchar(3), value numeric(18, 2)){suffix}")
    rows = sorted((p.ip_kind, p.ip_number, borrower_ids[it.data.borrower_uscc], it.data.currency,
                   p.appraised_value)
                  for it in items for p in it.data.pledges)
    bulk.insert_rows(TEMP, ["kind", "number", "owner_id", "currency", "value"], rows)


def _lock_assets(items, borrower_ids) -> dict[tuple[str, str], tuple[int, int]]:
    """Create the missing assets (key order), lock every pledged asset (pk order); key → (id, owner)."""
    _temp_assets(items, borrower_ids)
    a = IPAsset._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {a} (kind, number, owner_id, appraised_value_currency, appraised_value, appraiser)
            SELECT kind, number, owner_id, currency, value, '' FROM {TEMP} WHERE true ORDER BY kind, number
            ON CONFLICT (kind, number) DO NOTHING""")
    wanted = RawSQL(f"SELECT a.id FROM {a} a JOIN {TEMP} t ON a.kind = t.kind AND a.number = t.number", [])
    locked = lock_all(IPAsset.objects.only("id", "kind", "number", "owner_id"), pk__in=wanted)
    return {(x.kind, x.number): (x.pk, x.owner_id) for x in locked}


def _reappraise() -> None:
    """The rule for an already-known asset: the appraisal given with this pledge becomes its value."""
    a = IPAsset._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"""
            UPDATE {a} SET appraised_value = t.value, appraised_value_currency = t.currency
            FROM {TEMP} t WHERE {a}.kind = t.kind AND {a}.number = t.number
              AND ({a}.appraised_value <> t.value OR {a}.appraised_value_currency <> t.currency)""")
        cur.execute(f"DROP TABLE {TEMP}")


LOAN_COLUMNS = ["id", "bank_id", "borrower_id", "external_ref", "category", "principal_currency", "principal",
                "annual_rate", "term_months", "repayment_method", "day_count", "disbursed_on", "maturity_on",
                "status", "principal_outstanding", "dpd", "loan_class", "classified_on",
                "claim_eligible_since", "defaulted_on", "default_reason", "policy_snapshot",
                "submitted_by_id", "source_file_id", "created_at"]
PLEDGE_COLUMNS = ["loan_id", "asset_id", "registration_no", "registered_on", "released_on", "appraised_value",
                  "ltv_cap"]


def _write(items, *, bank, by, source_file, borrower_ids, assets, reason) -> list[int]:
    now = timezone.now()
    loan_ids = bulk.reserve_ids(Loan, len(items))
    parts = bulk.schedule_parts(loan_ids, [it.data for it in items])
    file_id = source_file.pk if source_file is not None else None
    snapshots: dict[tuple, str] = {}  # a file's loans share a few policy snapshots: one JSON text each

    def snapshot(values: dict) -> str:
        key = tuple(values.items())
        if key not in snapshots:
            snapshots[key] = json.dumps(values, ensure_ascii=False)
        return snapshots[key]

    bulk.insert_rows(Loan._meta.db_table, LOAN_COLUMNS, [
        (lid, bank.pk, borrower_ids[d.borrower_uscc], d.external_ref, d.category, d.currency, d.principal,
         d.annual_rate, d.term_months, d.repayment_method, d.day_count, d.disbursed_on, mat,
         LoanStatus.ACTIVE.value, d.principal, 0, "normal", None, None, None, "",
         snapshot(it.snapshot), by.pk, file_id, now)
        for lid, it, d, mat in zip(loan_ids, items, (it.data for it in items), bulk.maturities(parts),
                                   strict=True)])
    bulk.insert_rows(Pledge._meta.db_table, PLEDGE_COLUMNS, [
        (lid, assets[(p.ip_kind, p.ip_number)][0], p.registration_no, p.registered_on, None,
         p.appraised_value,
         it.snapshot[f"loan.ltv_max.{p.ip_kind}"])
        for lid, it in zip(loan_ids, items, strict=True) for p in it.data.pledges])
    bulk.insert_schedules(Installment._meta.db_table, parts)
    state_change_bulk(Loan, loan_ids, from_state=LoanStatus.SUBMITTED, to_state=LoanStatus.ACTIVE, by=by,
                      reason=reason)
    return loan_ids


def _conflict(exc: IntegrityError, items) -> RegistrationRefused:
    """A unique violation from a concurrent registration, named (constraint → the item that collided)."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None) or str(exc)
    detail = getattr(diag, "message_detail", None) or str(exc)
    asset = re.search(r"\(asset_id\)=\((\d+)\)", detail)
    if asset:  # the live-pledge index names the asset by id: name it by its number
        number = IPAsset.objects.filter(pk=int(asset.group(1))).values_list("number", flat=True).first()
        detail = f"IP asset {number}" if number else detail
    named = (it.row for it in items if it.data.external_ref in detail or it.data.borrower_uscc in detail
             or any(p.ip_number in detail for p in it.data.pledges))
    row = next(named, items[0].row if len(items) == 1 else None)
    if "external_ref" in name:
        return RegistrationRefused([RowError(row, "external_ref", "duplicate_external_ref",
                                             f"贷款编号已被同时登记（{detail}）",
                                             f"the loan reference was registered at the same time ({detail})",
                                             409)])
    if "pledge" in name or "ip_asset" in name:
        return RegistrationRefused([RowError(row, "pledges.0.ip_number", "ip_already_pledged",
                                             f"知识产权已为另一笔贷款质押（{detail}）",
                                             f"the IP asset was pledged by another loan at the same time "
                                             f"({detail})", 409)])
    if "uscc" in name:
        return RegistrationRefused([_borrower_race(row, detail)])
    return RegistrationRefused([RowError(row, "", "conflict", f"并发登记冲突（{detail}）",
                                         f"conflicting concurrent registration ({detail})", 409)])


def register_loans(items: list[Item], *, bank: Organisation, by, reason: str, source_file=None) -> list[int]:
    """Register parsed, rule-checked loans in the current transaction; returns their ids in ``items`` order.

    Raises ``RegistrationRefused`` (every error, with row and field) and writes nothing when a rule refuses.
    """
    if not items:
        return []
    known = _known_borrowers(items)
    errors = borrower_errors(items, known)
    if errors:
        raise RegistrationRefused(errors)
    try:
        with transaction.atomic():
            borrower_ids = _create_borrowers(items, known)
            assets = _lock_assets(items, borrower_ids) if any(it.data.pledges for it in items) else {}
            errors = asset_errors(items, assets, _live(pk for pk, _ in assets.values()), borrower_ids)
            if errors:
                raise RegistrationRefused(errors)
            if assets:
                _reappraise()
            return _write(items, bank=bank, by=by, source_file=source_file, borrower_ids=borrower_ids,
                          assets=assets, reason=reason)
    except IntegrityError as exc:
        raise _conflict(exc, items) from None
