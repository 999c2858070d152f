"""Section ``pool``: the risk-compensation pools (鲁科贷), per pool and in total, as of the quarter end.

Money figures come from the pool's ledger accounts by value date (``finance.ledger`` postings dated ≤ E), not
from the pool row's cached columns: ``available`` and ``reserved`` are the sponsors' account balances at E;
funded, withdrawn, paid and recovered are the cash account's movements by the kind of event that posted them
(pool movement, claim payment, recovery). So ``available + reserved = cash = funded − withdrawn − paid +
recovered``.

Exposure: outstanding principal at E (the loans section's as-of rule) of loans enrolled by E and not
compensated by E. ``leverage_used`` = exposure ÷ available. Claims by their status at the cutoff (the audit
trail). NPL by bank follows the pool's own rule (``guarantees.services.bank_npl``): NPL classes at E plus
compensated losses.
"""
from __future__ import annotations

import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Q, When

from finance.approvals.models import StateChange
from finance.ledger.models import Posting, Side
from finance.parties.models import Organisation
from guarantees.models import Claim, ClaimStatus, Enrolment, PoolMovement, PoolSponsor, Recovery, RiskPool

from ..figures import fen_of, fen_sum, frame, ratio, yuan
from ..quarters import Quarter
from ..scopes import Scope, ScopeKind
from .loans import NPL_CLASSES, loan_frame, shared_province_frame

STATUSES = [s.value for s in ClaimStatus]


def _signed():
    return Case(When(side=Side.DEBIT, then=fen_of("amount")), default=-fen_of("amount"))


def _ledger(q: Quarter, pools: list[RiskPool]) -> dict[int, dict]:
    """Per pool: balances of its accounts at E and the cash account's movements (cumulative and quarter)."""
    sponsors = list(PoolSponsor.objects.filter(pool__in=pools).values_list("pool_id", "available_account_id",
                                                                           "reserved_account_id"))
    cash = {p.cash_account_id: p.pk for p in pools}
    avail = {a: p for p, a, _ in sponsors}
    reserved = {r: p for p, _, r in sponsors}
    upto = Posting.objects.filter(entry__value_date__lte=q.end)
    bal = dict(upto.filter(account_id__in=[*cash, *avail, *reserved]).values("account_id")
               .annotate(b=fen_sum(_signed())).values_list("account_id", "b"))
    ct = ContentType.objects.get_for_models(PoolMovement, Claim, Recovery)
    kinds = {ct[PoolMovement].pk: "movement", ct[Claim].pk: "claim", ct[Recovery].pk: "recovery"}
    moves = frame(
        upto.filter(account_id__in=cash)
        .values("account_id", "side", "entry__source_type_id")
        .annotate(all=fen_sum("amount"), q=fen_sum("amount", filter=Q(entry__value_date__gte=q.start)))
        .values_list("account_id", "side", "entry__source_type_id", "all", "q"),
        ["account", "side", "source", "all", "q"],
        ints=("all", "q"),
    )
    out = {p.pk: {"cash": bal.get(p.cash_account_id, 0), "available": 0, "reserved": 0} for p in pools}
    for acc, pool in avail.items():
        out[pool]["available"] -= bal.get(acc, 0)  # liability accounts: money shows as a credit balance
    for acc, pool in reserved.items():
        out[pool]["reserved"] -= bal.get(acc, 0)
    names = {("movement", "D"): "funded", ("movement", "C"): "withdrawn", ("claim", "C"): "paid",
             ("recovery", "D"): "recovered"}
    for p in out.values():
        for key in names.values():
            p[key] = p[f"{key}_q"] = 0
    for row in moves.itertuples(index=False):  # a few rows per pool (kind × side)
        key = names.get((kinds.get(row.source), row.side))
        if key:
            out[cash[row.account]][key] += int(row.all)
            out[cash[row.account]][f"{key}_q"] += int(row.q)
    return out


def _claims(q: Quarter, claims_qs) -> pd.DataFrame:
    """Claims filed by E with their status at the cutoff (the last status change before it)."""
    df = frame(claims_qs.filter(filed_on__lte=q.end).values_list(
        "id", "pool_id", "bank_id", fen_of("claimed_loss"), fen_of("government_amount"), "paid_on"),
        ["claim", "pool", "bank", "loss", "government", "paid_on"], ints=("loss", "government"))
    moves = frame(
        StateChange.objects.filter(
            item_type=ContentType.objects.get_for_model(Claim),
            field="status",
            item_id__in=df["claim"].tolist(),
            at__lt=q.cutoff,
        )
        .order_by("at", "id")
        .values_list("item_id", "to_state"),
        ["claim", "status"],
    )
    last = moves.drop_duplicates("claim", keep="last").set_index("claim")["status"]
    df["status"] = (
        df["claim"].map(last).fillna(ClaimStatus.SUBMITTED.value) if len(df) else pd.Series(dtype=object)
    )
    return df


def _claim_table(df: pd.DataFrame) -> dict:
    return {
        s: {
            "count": int((df["status"] == s).sum()),
            "claimed_loss": yuan(df.loc[df["status"] == s, "loss"].sum()),
            "government_amount": yuan(df.loc[df["status"] == s, "government"].sum()),
        }
        for s in STATUSES
    }


def _npl_by_bank(loans: pd.DataFrame, claims: pd.DataFrame, names: dict) -> list[dict]:
    paid = claims[claims["status"] == ClaimStatus.PAID]
    banks = sorted(set(loans["bank"]) | set(paid["bank"]))
    rows = []
    for b in banks:
        lb = loans[(loans["bank"] == b) & loans["live"] & ~loans["compensated"]]
        total = int(lb["outstanding"].sum())
        npl = int(lb.loc[lb["loan_class"].isin(NPL_CLASSES), "outstanding"].sum())
        comp = int(paid.loc[paid["bank"] == b, "loss"].sum())
        rows.append(
            {
                "bank_id": int(b),
                "bank": names.get(b, str(b)),
                "outstanding": yuan(total),
                "npl_outstanding": yuan(npl),
                "compensated": yuan(comp),
                "npl_ratio": ratio(npl + comp, total + comp),
            }
        )
    return rows


def compute(q: Quarter, scope: Scope) -> dict:
    pools = RiskPool.objects.order_by("pk")
    enrol = Enrolment.objects.filter(enrolled_on__lte=q.end)
    claims_qs = Claim.objects.all()
    if scope.kind == ScopeKind.CITY:
        pools = pools.filter(region=scope.city)
    if scope.kind == ScopeKind.BANK:
        enrol, claims_qs = enrol.filter(bank_id=scope.id), claims_qs.filter(bank_id=scope.id)
        pools = pools.filter(Q(pk__in=enrol.values("pool_id")) | Q(pk__in=claims_qs.values("pool_id")))
    pools = list(pools)
    enrol = enrol.filter(pool__in=pools)
    claims = _claims(q, claims_qs.filter(pool__in=pools))
    pool_of = dict(enrol.values_list("loan_id", "pool_id"))
    province = shared_province_frame(q)  # the same rows, already read by the loans section of this report
    if province is not None:
        loans = province[province["loan"].isin(list(pool_of))].copy()
    else:
        loans = loan_frame(q, Q(pool_enrolment__in=enrol))
    loans["pool"] = loans["loan"].map(pool_of)
    comp_loans = set(
        Claim.objects.filter(
            pk__in=claims.loc[claims["status"] == ClaimStatus.PAID, "claim"].tolist()
        ).values_list("loan_id", flat=True)
    )
    loans["compensated"] = loans["loan"].isin(comp_loans)
    ledger = _ledger(q, pools) if scope.kind != ScopeKind.BANK else {}
    banks = set(loans["bank"]) | set(claims["bank"])
    names = dict(Organisation.objects.filter(pk__in=banks).values_list("pk", "name"))
    lines, totals = [], {}
    for pool in pools:  # a handful of pools, each over its columns
        lp = loans[loans["pool"] == pool.pk]
        exposure = int(lp.loc[lp["live"] & ~lp["compensated"], "outstanding"].sum())
        cp = claims[claims["pool"] == pool.pk]
        line = {"pool_id": pool.pk, "pool": pool.name, "region": pool.region, "exposure": yuan(exposure)}
        if pool.pk in ledger:
            m = ledger[pool.pk]
            line.update(
                {
                    "funded": yuan(m["funded"]),
                    "withdrawn": yuan(m["withdrawn"]),
                    "available": yuan(m["available"]),
                    "reserved": yuan(m["reserved"]),
                    "cash": yuan(m["cash"]),
                    "paid": {"cumulative": yuan(m["paid"]), "quarter": yuan(m["paid_q"])},
                    "recovered": {"cumulative": yuan(m["recovered"]), "quarter": yuan(m["recovered_q"])},
                    "leverage_used": ratio(exposure, m["available"]),
                }
            )
            for k in ("funded", "withdrawn", "available", "reserved", "cash", "paid", "paid_q", "recovered",
                      "recovered_q"):
                totals[k] = totals.get(k, 0) + m[k]
        totals["exposure"] = totals.get("exposure", 0) + exposure
        line["claims"] = _claim_table(cp)
        line["npl_by_bank"] = _npl_by_bank(lp, cp, names)
        lines.append(line)
    total = {"exposure": yuan(totals.get("exposure", 0)), "claims": _claim_table(claims)}
    if scope.kind != ScopeKind.BANK:
        total.update(
            {
                "funded": yuan(totals.get("funded", 0)),
                "withdrawn": yuan(totals.get("withdrawn", 0)),
                "available": yuan(totals.get("available", 0)),
                "reserved": yuan(totals.get("reserved", 0)),
                "cash": yuan(totals.get("cash", 0)),
                "paid": {"cumulative": yuan(totals.get("paid", 0)), "quarter": yuan(totals.get("paid_q", 0))},
                "recovered": {
                    "cumulative": yuan(totals.get("recovered", 0)),
                    "quarter": yuan(totals.get("recovered_q", 0)),
                },
                "leverage_used": ratio(totals.get("exposure", 0), totals.get("available", 0)),
            }
        )
    total["npl_by_bank"] = _npl_by_bank(loans, claims, names)
    return {"pools": lines, "total": total}
