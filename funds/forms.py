"""What the set-up and operations pages read from a form before the services check it.

The services parse and check every value (``finance.core.inputs``) and raise bilingual errors naming the
field; this module only maps form fields to service arguments (percent on the page → fraction in the service)
and turns a field code into its label so that the message names the field in the reader's language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from finance.core.errors import DomainError
from finance.core.inputs import parse_rate

from .models import LPKind

#: How many LP rows the first-close form offers (blank rows are skipped).
LP_ROWS = 6

LABELS = {
    "guidance_fund": _("Guidance fund"),
    "name": _("Name"),
    "manager": _("Manager (GP)"),
    "size": _("Fund size"),
    "currency": _("Currency"),
    "vintage": _("Vintage (first close)"),
    "term_years": _("Term (years)"),
    "investment_period_years": _("Investment period (years)"),
    "strategy": _("Strategy"),
    "region": _("Region"),
    "fee_rate": _("Management fee rate per year (%)"),
    "fee_basis": _("Management fee basis"),
    "hurdle_rate": _("Hurdle rate (%)"),
    "hurdle_compounding": _("Hurdle compounding"),
    "catch_up_share": _("GP catch-up share (%)"),
    "carry_share": _("Carried interest share (%)"),
    "commitments": _("LP commitments"),
    "amount": _("Amount"),
    "lp_kind": _("LP kind"),
    "investor_name": _("Investor name"),
    "committed_on": _("Committed on"),
    "to": _("New stage"),
    "reason": _("Reason"),
    "as_of": _("Date of the figures"),
    "value": _("Fair value"),
    "exited_on": _("Exit date"),
    "proceeds": _("Exit proceeds"),
    "holding": _("Holding"),
    "period_start": _("Period start"),
    "period_end": _("Period end"),
    "paid_on": _("Payment date"),
    "accrual": _("Fee accrual"),
    "comment": _("Comment"),
    "sub_fund": _("Sub-fund"),
    "status": _("Status"),
}


def field_label(field: str | None) -> str:
    """``commitments.2.amount`` → "LP 3 · Amount"; a known field → its label; anything else as given."""
    if not field:
        return ""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "commitments" and parts[1].isdigit():
        return f"{_('LP')} {int(parts[1]) + 1} · {LABELS.get(parts[2], parts[2])}"
    return str(LABELS.get(field, field))


def error_text(exc: DomainError, zh: bool) -> str:
    """The error in the reader's language, led by the field's label instead of its code."""
    text = exc.detail_zh if zh else exc.detail_en
    if not exc.field:
        return text
    for sep in ("：", ": "):
        prefix = f"{exc.field}{sep}"
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return f"{field_label(exc.field)}{'：' if zh else ': '}{text}"


def percent(post, field: str, default: str = "0"):
    """A percent typed on the page ("8") as the fraction the service stores (0.08); a bad value is refused
    here with the field's name, exactly as the service would."""
    raw = post.get(field)
    return parse_rate(raw if raw not in (None, "") else default, field, percent=True, max_value=1, places=4)


def lp_rows(post) -> list[dict]:
    """The first close's LP rows (kind, investor name, amount); rows left blank are skipped."""
    rows = []
    for i in range(LP_ROWS):
        kind, name, amount = (
            post.get(f"lp_kind_{i}", ""),
            post.get(f"investor_name_{i}", "").strip(),
            post.get(f"amount_{i}", "").strip(),
        )
        if not name and not amount:
            continue
        rows.append({"lp_kind": kind or LPKind.SOCIAL, "investor_name": name, "amount": amount})
    return rows


def lp_rows_for_template(post) -> list[dict]:
    """The rows as typed (or, on a blank form, the guidance fund first and social capital after)."""
    return [
        {"i": i, "lp_kind": post.get(f"lp_kind_{i}") or (LPKind.GUIDANCE if i == 0 else LPKind.SOCIAL),
         "investor_name": post.get(f"investor_name_{i}", ""), "amount": post.get(f"amount_{i}", "")}
        for i in range(LP_ROWS)
    ]
