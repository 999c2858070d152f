"""Cap tables: share classes, holders, share movements (append-only), rounds; ownership computed from shares.

Export as Open Cap Table Format (OCF 1.x) JSON objects written directly (no OCF package is available here):
an ``Issuer``, ``StockClass`` objects, ``Stakeholder`` objects and ``TX_STOCK_ISSUANCE`` /
``TX_STOCK_REPURCHASE`` transactions, plus ``TX_CONVERTIBLE_ISSUANCE`` for 先投后股 agreements still waiting
to convert. ``ocf_positions`` reads such a document back (the round-trip test compares both sides).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum

from finance.core.errors import DomainError
from finance.core.inputs import parse_int, parse_text
from finance.core.money import fraction_to_percent
from finance.parties.models import Organisation

from .models import (
    FinancingRound,
    HolderKind,
    InvestFirstAgreement,
    InvestFirstStatus,
    MovementReason,
    Programme,
    ShareClass,
    Shareholder,
    ShareMovement,
)

COMMON = "普通股"
OUTSTANDING = (InvestFirstStatus.CONTRACTED, InvestFirstStatus.DISBURSED, InvestFirstStatus.CONVERTING,
               InvestFirstStatus.OVERDUE)


def share_class_get(enterprise: Organisation, name: str = COMMON, *, preferred: bool = False) -> ShareClass:
    cls, _ = ShareClass.objects.get_or_create(
        enterprise=enterprise, name=name, defaults={"preferred": preferred}
    )
    return cls


def holder_get(
    enterprise: Organisation, *, name: str, kind: str, organisation=None, programme=None
) -> Shareholder:
    if kind not in HolderKind.values:
        raise DomainError(
            f"未知的股东类型 {kind!r}", f"unknown holder kind {kind!r}", code="invalid_kind", field="kind"
        )
    holder, _ = Shareholder.objects.get_or_create(enterprise=enterprise, name=name, defaults={
        "kind": kind, "organisation": organisation, "programme": programme})
    return holder


def programme_holder(enterprise: Organisation, programme: Programme) -> Shareholder:
    return holder_get(enterprise, name=programme.name, kind=HolderKind.PROGRAMME, programme=programme)


@transaction.atomic
def shares_record(*, enterprise: Organisation, holder: Shareholder, shares, on: dt.date, reason: str,
                  share_class: ShareClass | None = None, round: FinancingRound | None = None, price=None,
                  note: str = "") -> ShareMovement:
    """A holder gains (or, negative, loses) shares; a holder never goes below zero."""
    shares = parse_int(shares, "shares", min_value=-(10**15), max_value=10**15)
    if shares == 0:
        raise DomainError(
            "shares：股数不能为零",
            "shares: the share count cannot be zero",
            code="invalid_number",
            field="shares",
        )
    if reason not in MovementReason.values:
        raise DomainError(
            f"未知的变动原因 {reason!r}", f"unknown reason {reason!r}", code="invalid_reason", field="reason"
        )
    share_class = share_class or share_class_get(enterprise)
    if shares < 0:
        held = holder.movements.filter(share_class=share_class).aggregate(s=Sum("shares"))["s"] or 0
        if held + shares < 0:
            raise DomainError(
                f"shares：股东「{holder.name}」仅持有 {held:,} 股",
                f"shares: '{holder.name}' holds only {held:,}",
                code="insufficient_shares",
                field="shares",
            )
    return ShareMovement.objects.create(
        enterprise=enterprise,
        holder=holder,
        share_class=share_class,
        shares=shares,
        on=on,
        reason=reason,
        round=round,
        price_per_share=price,
        note=note[:300],
    )


@transaction.atomic
def founders_register(
    *, enterprise: Organisation, founders: list[tuple[str, int]], on: dt.date
) -> list[ShareMovement]:
    """The enterprise's existing shareholders (name, shares) at a date: the starting cap table."""
    out = []
    for i, (name, shares) in enumerate(founders):
        name = parse_text(name, f"founders.{i}.name", max_length=200)
        n = parse_int(shares, f"founders.{i}.shares", min_value=1)
        holder = holder_get(enterprise, name=name, kind=HolderKind.FOUNDER)
        out.append(
            shares_record(enterprise=enterprise, holder=holder, shares=n, on=on, reason=MovementReason.ISSUE)
        )
    return out


def holdings(enterprise_id: int, *, as_of: dt.date | None = None) -> dict[int, int]:
    """Shares per holder id (all classes)."""
    qs = ShareMovement.objects.filter(enterprise_id=enterprise_id)
    if as_of is not None:
        qs = qs.filter(on__lte=as_of)
    return {r["holder_id"]: r["s"] for r in qs.values("holder_id").annotate(s=Sum("shares")) if r["s"]}


def total_shares(enterprise_id: int) -> int:
    return sum(holdings(enterprise_id).values())


def cap_table(enterprise_id: int, *, as_of: dt.date | None = None) -> dict:
    """Holders with share counts and ownership fractions (from share counts), classes, rounds, converting
    money."""
    held = holdings(enterprise_id, as_of=as_of)
    total = sum(held.values())
    holders = {h.pk: h for h in Shareholder.objects.filter(enterprise_id=enterprise_id)}
    rows = []
    for hid, n in sorted(held.items(), key=lambda kv: (-kv[1], kv[0])):
        h = holders[hid]
        rows.append(
            {
                "holder": h,
                "name": h.name,
                "kind": h.kind,
                "kind_label": h.get_kind_display(),
                "shares": n,
                "ownership": (Decimal(n) / Decimal(total)).quantize(Decimal("0.00000001"), ROUND_HALF_UP)
                if total
                else Decimal(0),
            }
        )
    converting = list(InvestFirstAgreement.objects.filter(enterprise_id=enterprise_id, status__in=OUTSTANDING)
                      .select_related("programme").order_by("pk"))
    return {"enterprise_id": enterprise_id, "total_shares": total, "holders": rows,
            "classes": list(ShareClass.objects.filter(enterprise_id=enterprise_id)),
            "rounds": list(FinancingRound.objects.filter(enterprise_id=enterprise_id)),
            "converting": converting}


def share_caps_check(
    *,
    enterprise_id: int,
    holder_id: int | None,
    holder_name: str,
    extra: dict[int | str, int],
    max_share_percent: Decimal,
) -> dict:
    """After adding ``extra`` shares (holder id, or a name for new holders), the programme's holder must own
    at most ``max_share_percent`` and hold strictly fewer shares than the largest other holder (a tie counts
    as largest). Refuses naming the cap; returns the figures."""
    held: dict[int | str, int] = dict(holdings(enterprise_id))
    for k, n in extra.items():
        held[k] = held.get(k, 0) + n
    total = sum(held.values())
    key = holder_id if holder_id is not None else holder_name
    mine = held.get(key, 0)
    share = Decimal(mine) / Decimal(total) if total else Decimal(0)
    percent = fraction_to_percent(share).quantize(Decimal("0.001"), ROUND_HALF_UP)
    others = [n for k, n in held.items() if k != key]
    largest = max(others) if others else 0
    cap_text = format(Decimal(max_share_percent).normalize(), "f")
    figures = {"programme_shares": mine, "total_shares": total, "programme_percent": str(percent),
               "largest_other": largest, "max_share": str(max_share_percent)}
    if fraction_to_percent(share) > max_share_percent:
        raise DomainError(
            f"转股后{holder_name}持股 {percent}% 超过持股比例上限（investfirst.max_share）{cap_text}%",
            f"after conversion {holder_name} would own {percent}%, above the share cap "
            f"(investfirst.max_share) {cap_text}%",
            code="share_cap_exceeded",
            field="round",
            status=409,
            extra=figures,
        )
    if mine >= largest:
        raise DomainError(
            f"转股后{holder_name}持有 {mine:,} 股，将成为第一大股东（其他最大股东 {largest:,} 股）："
            f"财政资金不得成为第一大股东",
            f"after conversion {holder_name} would hold {mine:,} shares and be the largest shareholder "
            f"(largest other {largest:,}): fiscal money must never be the largest shareholder",
            code="largest_shareholder",
            field="round",
            status=409,
            extra=figures,
        )
    return figures


# ---------------------------------------------------------------- Open Cap Table Format


def _ocf_money(amount: Decimal, currency: str = "CNY") -> dict:
    return {"amount": format(Decimal(amount), "f"), "currency": currency}


def ocf_export(enterprise_id: int) -> dict:
    """The enterprise's cap table as an OCF document: {"file_type": "OCF_MANIFEST_FILE", ..., "items":
    [...]}."""
    org = Organisation.objects.get(pk=enterprise_id)
    items: list[dict] = [{"object_type": "ISSUER", "id": f"issuer-{org.pk}", "legal_name": org.name,
                          "formation_date": org.created_at.date().isoformat(), "country_of_formation": "CN",
                          "tax_ids": [{"country": "CN", "tax_id": org.uscc or ""}]}]
    for cls in ShareClass.objects.filter(enterprise_id=enterprise_id).order_by("pk"):
        items.append({"object_type": "STOCK_CLASS", "id": f"class-{cls.pk}", "name": cls.name,
                      "class_type": "PREFERRED" if cls.preferred else "COMMON", "default_id_prefix": "CS-",
                      "initial_shares_authorized": "UNLIMITED", "votes_per_share": "1", "seniority": "1"})
    for h in Shareholder.objects.filter(enterprise_id=enterprise_id).order_by("pk"):
        items.append({"object_type": "STAKEHOLDER", "id": f"holder-{h.pk}", "name": {"legal_name": h.name},
                      "stakeholder_type": "INDIVIDUAL" if h.kind == HolderKind.FOUNDER else "INSTITUTION",
                      "comments": [f"kind:{h.kind}"]})
    for m in ShareMovement.objects.filter(enterprise_id=enterprise_id).order_by("on", "pk"):
        base = {"id": f"tx-{m.pk}", "date": m.on.isoformat(), "security_id": f"sec-{m.pk}"}
        if m.shares > 0:
            items.append(
                {
                    **base,
                    "object_type": "TX_STOCK_ISSUANCE",
                    "stock_class_id": f"class-{m.share_class_id}",
                    "stakeholder_id": f"holder-{m.holder_id}",
                    "custom_id": f"{m.reason}-{m.pk}",
                    "quantity": str(m.shares),
                    "share_price": _ocf_money(m.price_per_share or Decimal(0)),
                    "security_law_exemptions": [],
                    "comments": [m.get_reason_display()],
                }
            )
        else:
            items.append(
                {
                    **base,
                    "object_type": "TX_STOCK_REPURCHASE",
                    "stock_class_id": f"class-{m.share_class_id}",
                    "stakeholder_id": f"holder-{m.holder_id}",
                    "quantity": str(-m.shares),
                    "price": _ocf_money(m.price_per_share or Decimal(0)),
                    "comments": [m.get_reason_display()],
                }
            )
    for a in InvestFirstAgreement.objects.filter(
        enterprise_id=enterprise_id, status__in=OUTSTANDING
    ).order_by("pk"):
        holder = Shareholder.objects.filter(enterprise_id=enterprise_id, programme=a.programme).first()
        mechanism = {"type": "SAFE_CONVERSION", "conversion_mfn": False, "conversion_timing": "PRE_MONEY"
                     if a.valuation_cap is None and a.discount is None else "POST_MONEY"}
        if a.discount is not None:
            mechanism["conversion_discount"] = format(a.discount.normalize(), "f")
        if a.valuation_cap is not None:
            mechanism["conversion_valuation_cap"] = _ocf_money(a.valuation_cap, a.programme.currency)
        items.append(
            {
                "object_type": "TX_CONVERTIBLE_ISSUANCE",
                "id": f"conv-{a.pk}",
                "date": (a.signed_on or a.applied_on).isoformat(),
                "security_id": f"ifa-{a.pk}",
                "custom_id": f"先投后股-{a.pk}",
                "stakeholder_id": f"holder-{holder.pk}" if holder else f"programme-{a.programme_id}",
                "investment_amount": _ocf_money(a.disbursed or a.amount, a.programme.currency),
                "convertible_type": "SAFE",
                "seniority": 1,
                "security_law_exemptions": [],
                "conversion_triggers": [
                    {
                        "type": "AUTOMATIC_ON_CONDITION",
                        "trigger_id": f"round-{a.pk}",
                        "conversion_right": {
                            "type": "CONVERTIBLE_CONVERSION_RIGHT",
                            "conversion_mechanism": mechanism,
                        },
                    }
                ],
            }
        )
    return {"file_type": "OCF_MANIFEST_FILE", "ocf_version": "1.2.0", "issuer": items[0],
            "as_of": max((m.on for m in ShareMovement.objects.filter(enterprise_id=enterprise_id)),
                         default=org.created_at.date()).isoformat(),
            "items": items}


def ocf_positions(doc: dict) -> dict:
    """Read an OCF document back: shares per stakeholder legal name and class name, and converting amounts."""
    if (
        not isinstance(doc, dict)
        or doc.get("file_type") != "OCF_MANIFEST_FILE"
        or not isinstance(doc.get("items"), list)
    ):
        raise DomainError(
            "不是 OCF 清单文件", "not an OCF manifest document", code="invalid_ocf", field="file"
        )
    names, classes, shares, converting = {}, {}, {}, {}
    for it in doc["items"]:
        t = it.get("object_type")
        if t == "STAKEHOLDER":
            names[it["id"]] = it["name"]["legal_name"]
        elif t == "STOCK_CLASS":
            classes[it["id"]] = it["name"]
    for it in doc["items"]:
        t = it.get("object_type")
        if t in ("TX_STOCK_ISSUANCE", "TX_STOCK_REPURCHASE"):
            key = (names[it["stakeholder_id"]], classes[it["stock_class_id"]])
            n = int(it["quantity"])
            shares[key] = shares.get(key, 0) + (n if t == "TX_STOCK_ISSUANCE" else -n)
        elif t == "TX_CONVERTIBLE_ISSUANCE":
            who = names.get(it["stakeholder_id"], it["stakeholder_id"])
            converting[who] = converting.get(who, Decimal(0)) + Decimal(it["investment_amount"]["amount"])
    return {"shares": {k: v for k, v in shares.items() if v}, "converting": converting}
