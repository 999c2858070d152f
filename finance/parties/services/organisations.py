"""Organisations: creation (one, or a bank file's new borrowers in bulk, with the same checks), the
tech-based SME registration, look-up by credit code, deactivation."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from finance.core.errors import DomainError
from finance.core.locks import lock

from ..models import USCC_REQUIRED, Organisation, OrgKind
from ..validators import validate_uscc

_KINDS = frozenset(OrgKind.values)  # OrgKind.values builds a new list on every read


def _check_kind(kind: str) -> None:
    if kind not in _KINDS:
        raise DomainError(
            f"未知的机构类型：{kind}", f"unknown organisation kind: {kind}", code="invalid_kind", field="kind"
        )


def _organisation_fields(
    *,
    kind: str,
    name: str,
    uscc: str | None = None,
    dept_level: str = "",
    region: str = "",
    tech_sme_number: str = "",
) -> dict:
    """The one validation of a new organisation (single and bulk): kind known, name given, credit code valid
    and required for the kinds in ``USCC_REQUIRED``. Returns the normalised model fields."""
    _check_kind(kind)
    name = (name or "").strip()
    if not name:
        raise DomainError("机构名称不能为空", "organisation name is required", code="required", field="name")
    if uscc:
        uscc = validate_uscc(uscc)
    elif kind in USCC_REQUIRED:
        raise DomainError(
            "该类机构必须填写统一社会信用代码",
            "this kind of organisation needs a unified social credit code",
            code="required",
            field="uscc",
        )
    return {"kind": kind, "name": name, "uscc": uscc or None, "dept_level": dept_level, "region": region,
            "tech_sme_number": tech_sme_number}


def _uscc_taken(uscc: str, *, listed_twice: bool = False) -> DomainError:
    if listed_twice:
        return DomainError(
            f"统一社会信用代码 {uscc} 重复出现",
            f"unified social credit code {uscc} is listed twice",
            code="duplicate",
            field="uscc",
            status=409,
            extra={"uscc": uscc},
        )
    return DomainError(
        f"统一社会信用代码 {uscc} 已登记",
        f"unified social credit code {uscc} is already registered",
        code="duplicate",
        field="uscc",
        status=409,
        extra={"uscc": uscc},
    )


def _check_not_registered(codes) -> None:
    """Refuse the first credit code (in sorted order) already held by an organisation."""
    codes = sorted(codes)
    for i in range(0, len(codes), 5000):
        taken = (Organisation.objects.filter(uscc__in=codes[i:i + 5000]).order_by("uscc")
                 .values_list("uscc", flat=True).first())
        if taken:
            raise _uscc_taken(taken)


def _verified_at_creation(kind: str, verified: bool | None):
    """Organisations created by the platform's operators are verified as created, except enterprises: an
    enterprise (whether a bank, a department or the enterprise itself registered it) waits for a department
    reviewer to confirm it against its business licence (``enterprise_verify``)."""
    if verified is None:
        verified = kind != OrgKind.ENTERPRISE
    return timezone.now() if verified else None


@transaction.atomic
def organisation_create(*, kind: str, name: str, uscc: str | None = None, dept_level: str = "",
                        region: str = "", tech_sme_number: str = "",
                        verified: bool | None = None) -> Organisation:
    fields = _organisation_fields(kind=kind, name=name, uscc=uscc, dept_level=dept_level, region=region,
                                  tech_sme_number=tech_sme_number)
    if fields["uscc"]:
        _check_not_registered([fields["uscc"]])
    return Organisation.objects.create(**fields, verified_at=_verified_at_creation(kind, verified))


@transaction.atomic
def organisation_create_bulk(*, kind: str, items) -> list[Organisation]:
    """Create many organisations of one ``kind`` (a bank file's new borrowers) with exactly the checks of
    ``organisation_create``, then one ``bulk_create``; returns them, with ids, in ``items`` order.

    ``items``: mappings with ``organisation_create``'s keywords (``name``, ``uscc``, ``dept_level``,
    ``region``, ``tech_sme_number``). The first refusal is raised (same code and field as
    ``organisation_create``, with ``extra["item"]`` = its index in ``items``) and nothing is written; a
    credit code listed twice or already
    registered is a 409 ``duplicate``.
    """
    _check_kind(kind)
    rows, where = [], {}
    for i, item in enumerate(items):
        try:
            fields = _organisation_fields(kind=kind, **item)
            code = fields["uscc"]
            if code and code in where:
                raise _uscc_taken(code, listed_twice=True)
        except DomainError as exc:
            exc.extra["item"] = i
            raise
        if code:
            where[code] = i
        rows.append(Organisation(**fields, verified_at=_verified_at_creation(kind, None)))
    try:
        _check_not_registered(where)
    except DomainError as exc:
        exc.extra["item"] = where[exc.extra["uscc"]]
        raise
    return Organisation.objects.bulk_create(rows, batch_size=2000)


@transaction.atomic
def organisation_tech_sme_set(*, organisation: Organisation, number: str, year: int | None) -> Organisation:
    """Record the tech-based SME registration (入库编号, year) on the organisation, the one place it is kept:
    pool enrolment eligibility reads the number, the portal's expiry flag the year. The caller (the portal's
    profile form) has validated the pair; "" and None clear it."""
    org = lock(Organisation, organisation.pk)
    org.tech_sme_number = (number or "").strip()
    org.tech_sme_year = year if org.tech_sme_number else None
    org.save(update_fields=["tech_sme_number", "tech_sme_year"])
    organisation.tech_sme_number, organisation.tech_sme_year = org.tech_sme_number, org.tech_sme_year
    return org


def organisation_by_code(code: str) -> Organisation:
    """Find an organisation by its social credit code (or numeric id, for departments without one)."""
    org = Organisation.objects.filter(uscc=code).first()
    if org is None and code.isdigit():
        org = Organisation.objects.filter(pk=int(code)).first()
    if org is None:
        raise DomainError(
            f"找不到机构 {code}", f"no organisation {code}", code="not_found", field="org", status=404
        )
    return org


@transaction.atomic
def organisation_set_active(*, organisation: Organisation, active: bool) -> Organisation:
    """Deactivate (or reactivate) an organisation.

    Nothing else is rewritten: authentication checks the organisation on every request (API keys in
    finance.api.auth, logins and existing sessions in finance.parties.backends), so deactivation stops its
    keys, its users' logins and their open sessions at once, and reactivation restores them as they were.
    """
    organisation.is_active = active
    organisation.save(update_fields=["is_active"])
    return organisation
