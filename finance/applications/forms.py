"""What the pages render for the per-instrument form (labels from the models' verbose names, one input type
per typed field) and how the queue's filters are read. Validation is the services' (``parse_fields``)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from finance.core.errors import DomainError
from finance.core.inputs import parse_int

from .models import Application, EquityLeg, Instrument, Status
from .rules import FIELDS, REQUIRED, loans_of, programmes_for, schemes_for
from .selectors import QueueFilters

KIND = {
    "title": "text", "programme": "select", "amount": "number", "price_per_share": "number",
    "talent_team_leads": "checkbox", "registered_in_shandong": "checkbox", "own_ip_count": "number",
    "founded_on": "date", "founders_cash": "number", "disbursement_due_on": "date", "discount": "number",
    "valuation_cap": "number", "grant_amount": "number", "equity_kind": "select", "equity_amount": "number",
    "scheme": "select", "loan": "select", "loan_year": "number", "appraisal_fee": "number",
    "term_months": "number", "ip_offered": "textarea", "purpose": "textarea",
}
HELP = {
    "amount": _("yuan"), "founders_cash": _("yuan"), "valuation_cap": _("yuan"), "grant_amount": _("yuan"),
    "equity_amount": _("yuan"), "appraisal_fee": _("yuan"), "price_per_share": _("yuan per share"),
    "discount": _("percent, empty for none"),
    "own_ip_count": _("from your IP portfolio; correct it if needed"),
}

DESCRIPTIONS = {
    Instrument.TALENT_EQUITY: _("Fiscal equity investment for talent teams founding tech companies in "
                                "Shandong with their own IP, at most the talent cap per enterprise."),
    Instrument.INVEST_FIRST: _("Project funding first, converted into equity at your next financing round."),
    Instrument.GRANT_INVEST_LOAN: _("One linked project: a grant, an equity stake and a bank loan."),
    Instrument.INTEREST_SUBSIDY: _("A share of the interest paid on an IP-pledge loan your bank registered."),
    Instrument.APPRAISAL_FEE_SUBSIDY: _("A share of the appraisal fee paid for an IP-pledge loan."),
    Instrument.FINANCING_NEED: _("Tell the partner banks how much you need, for how long, and which IP you "
                                 "offer as pledge; they answer you here."),
}


def instrument_choices() -> list[tuple[str, str, str]]:
    return [(value, label, DESCRIPTIONS[value]) for value, label in Instrument.choices]


def _options(app: Application, name: str) -> list[tuple[str, str]]:
    if name == "programme":
        return [(str(p.pk), p.name) for p in programmes_for(app.instrument)]
    if name == "scheme":
        return [(str(s.pk), s.name) for s in schemes_for(app.instrument)]
    if name == "loan":
        return [(str(loan.pk), f"{loan.external_ref} · {loan.bank}")
                for loan in loans_of(app).select_related("bank")]
    if name == "equity_kind":
        return [(v, str(label)) for v, label in EquityLeg.choices]
    return []


def _value(app: Application, name: str) -> str:
    field = Application._meta.get_field(name)
    value = getattr(app, field.attname)
    if value is None:
        return ""
    if KIND[name] == "date":
        return value.isoformat()
    return str(value)


def field_rows(app: Application, errors: dict) -> list[dict]:
    """One row per field of the instrument: id, label, input kind, value, options, error, required."""
    rows = []
    for name in FIELDS[app.instrument]:
        field = Application._meta.get_field(name)
        rows.append({"name": name, "id": f"id_{name}", "label": field.verbose_name, "kind": KIND[name],
                     "value": _value(app, name), "checked": bool(getattr(app, name, False)),
                     "options": _options(app, name), "error": errors.get(name, ""),
                     "help": HELP.get(name, ""),
                     "required": name in REQUIRED[app.instrument]})
    return rows


def queue_filters(params) -> QueueFilters:
    """The queue's filters from the query string; unknown values are ignored (a filter never errors)."""
    f = QueueFilters()
    if params.get("instrument") in Instrument.values:
        f.instrument = params["instrument"]
    if params.get("status") in Status.values:
        f.status = params["status"]
    f.city = (params.get("city") or "")[:50]
    try:
        f.age_days = parse_int(params.get("age"), "age", max_value=3650) if params.get("age") else None
    except DomainError:
        f.age_days = None
    f.mine = params.get("mine") == "1"
    return f
