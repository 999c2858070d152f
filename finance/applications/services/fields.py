"""The application's typed fields: one parser each, and ``parse_fields`` for a form, an autosave or a
submission (an empty value clears the field: a draft may be incomplete)."""
from __future__ import annotations

from finance.core.errors import DomainError
from finance.core.inputs import (
    parse_amount,
    parse_date,
    parse_id,
    parse_int,
    parse_number,
    parse_rate,
    parse_text,
)

from .. import rules
from ..models import Application, EquityLeg
from ._common import D, _err


def _bool(value, field):
    return str(value).strip().lower() in ("1", "true", "on", "yes")


def _programme(value, field, application):
    from funds.direct.models import Programme

    p = Programme.objects.filter(pk=parse_id(value, field)).first()
    if p is None or not rules.programme_takes(p, application.instrument):
        raise _err(f"{field}：请选择受理该类申请的专项",
                   f"{field}: choose a programme that takes this instrument", "invalid_programme", field)
    return p


def _scheme(value, field, application):
    s = rules.schemes_for(application.instrument).filter(pk=parse_id(value, field)).first()
    if s is None:
        raise _err(f"{field}：请选择正在受理的补贴项目", f"{field}: choose an open scheme of this kind",
                   "invalid_scheme", field)
    return s


def _loan(value, field, application):
    loan = rules.loans_of(application).filter(pk=parse_id(value, field)).first()
    if loan is None:
        raise _err(f"{field}：请选择本企业的贷款", f"{field}: choose one of your enterprise's loans",
                   "invalid_loan", field)
    return loan


def _equity_kind(value, field, application):
    if value not in EquityLeg.values:
        raise _err(f"{field}：未知的股权方式", f"{field}: unknown equity leg", "invalid_choice", field)
    return value


PARSERS = {
    "title": lambda v, f, a: parse_text(v, f, max_length=200, required=False),
    "programme": _programme,
    "amount": lambda v, f, a: parse_amount(v, f),
    "price_per_share": lambda v, f, a: parse_rate(v, f, allow_zero=False, max_value=D("1000000")),
    "talent_team_leads": lambda v, f, a: _bool(v, f),
    "registered_in_shandong": lambda v, f, a: _bool(v, f),
    "own_ip_count": lambda v, f, a: parse_int(v, f, max_value=100000),
    "founded_on": lambda v, f, a: parse_date(v, f, not_future=True),
    "founders_cash": lambda v, f, a: parse_amount(v, f, allow_zero=True),
    "disbursement_due_on": lambda v, f, a: parse_date(v, f),
    "discount": lambda v, f, a: parse_number(v, f, max_value=D("99"), places=4),
    "valuation_cap": lambda v, f, a: parse_amount(v, f),
    "grant_amount": lambda v, f, a: parse_amount(v, f, allow_zero=True),
    "equity_kind": _equity_kind,
    "equity_amount": lambda v, f, a: parse_amount(v, f, allow_zero=True),
    "scheme": _scheme,
    "loan": _loan,
    "loan_year": lambda v, f, a: parse_int(v, f, min_value=1, max_value=10),
    "appraisal_fee": lambda v, f, a: parse_amount(v, f),
    "term_months": lambda v, f, a: parse_int(v, f, min_value=1, max_value=120),
    "ip_offered": lambda v, f, a: parse_text(v, f, max_length=2000, required=False),
    "purpose": lambda v, f, a: parse_text(v, f, max_length=2000, required=False),
}


BOOLEANS = ("talent_team_leads", "registered_in_shandong")


TEXTS = ("title", "ip_offered", "purpose", "equity_kind")


def parse_fields(application: Application, data: dict, *, only: tuple[str, ...] | None = None
                 ) -> tuple[dict, dict[str, DomainError]]:
    """Parse the instrument's fields present in ``data`` (all of them for a full form): values and errors by
    field. An empty value clears the field (a draft may be incomplete)."""
    values, errors = {}, {}
    for name in rules.FIELDS[application.instrument]:
        if only is not None and name not in only:
            continue
        if name not in data:
            continue
        raw = data.get(name, "")
        if name in BOOLEANS:
            values[name] = _bool(raw, name)
            continue
        if raw is None or str(raw).strip() == "":
            values[name] = "" if name in TEXTS else None
            continue
        try:
            values[name] = PARSERS[name](raw, name, application)
        except DomainError as exc:
            errors[name] = exc
    return values, errors
