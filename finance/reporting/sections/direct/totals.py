"""The section's figures from the frames ``queries`` reads: a line per programme and the total (counts and
amounts by state, positions, conversions, closures, the talent cap used), and in total the cap's headroom."""

from __future__ import annotations

import pandas as pd

from finance.core.errors import DomainError
from finance.policy.selectors import policy_value
from funds.direct.models import (
    GIL_COUNTED,
    IF_COUNTED,
    TALENT_COUNTED,
    ClosureWay,
    DirectKind,
    GILStatus,
    InvestFirstStatus,
    Programme,
    TalentStatus,
)

from ...figures import frame, ratio, yuan
from ...quarters import Quarter
from ...scopes import Scope, ScopeKind
from .queries import (
    CLO_COLS,
    CONV_COLS,
    GIL_COLS,
    IF_COLS,
    POS_COLS,
    TALENT_COLS,
    agreements,
    closures,
    conversions,
    deals_counted,
    gil,
    positions,
    talent,
)

IF_STATES = tuple(InvestFirstStatus.values)
TALENT_STATES = tuple(TalentStatus.values)
GIL_STATES = tuple(GILStatus.values)
WAYS = tuple(ClosureWay.values)
POSITION_KINDS = tuple(DirectKind.values)
CAP_KEY = "talent.equity_cap"


def _by_state(df: pd.DataFrame, states, cols) -> dict:
    g = df.groupby("state")[list(cols)].sum() if len(df) else pd.DataFrame(columns=list(cols))
    n = df.groupby("state").size() if len(df) else pd.Series(dtype="int64")
    out = {}
    for s in states:
        line = {"count": int(n.get(s, 0))}
        for c in cols:
            line[c] = yuan(g[c].get(s, 0)) if s in g.index else "0.00"
        out[s] = line
    return out


def _empty(cols) -> pd.DataFrame:
    return frame([], *cols)


def _cap_rows(a: pd.DataFrame, t: pd.DataFrame, g: pd.DataFrame) -> pd.DataFrame:
    """(programme, enterprise, amount) of every direct instrument counted against the talent cap at E."""
    parts = [
        a.loc[a["state"].isin(IF_COUNTED), ["programme", "enterprise", "amount"]],
        t.loc[t["state"].isin(TALENT_COUNTED), ["programme", "enterprise", "amount"]],
        g.loc[
            g["state"].isin(GIL_COUNTED) & (g["equity_own"] > 0), ["programme", "enterprise", "equity_own"]
        ].rename(columns={"equity_own": "amount"}),
    ]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(
            {
                "programme": pd.Series(dtype="int64"),
                "enterprise": pd.Series(dtype="int64"),
                "amount": pd.Series(dtype="int64"),
            }
        )
    return pd.concat(parts, ignore_index=True)


def _line(a, t, g, pos, conv, clo, cap) -> dict:
    a_amount, t_amount = int(a["amount"].sum()), int(t["amount"].sum())
    g_grant, g_equity_own = int(g["grant"].sum()), int(g["equity_own"].sum())
    held = pos[pos["exited"] == 0]
    exq = pos[pos["exited_q"] == 1]
    by_kind = {}
    for k in POSITION_KINDS:
        h = held[held["kind"] == k]
        by_kind[k] = {"held_count": int(len(h)), "held_cost": yuan(h["cost"].sum())}
    by_way = {}
    for w in WAYS:
        c = clo[clo["way"] == w]
        by_way[w] = {"count": int(len(c)), "amount": yuan(c["amount"].sum())}
    return {
        "count": int(len(a) + len(t) + len(g)),
        "amount": yuan(a_amount + t_amount + g_grant + g_equity_own),
        "invest_first": {
            "count": int(len(a)),
            "amount": yuan(a_amount),
            "disbursed": yuan(a["disbursed"].sum()),
            "by_state": _by_state(a, IF_STATES, ("amount", "disbursed")),
        },
        "talent_equity": {
            "count": int(len(t)),
            "amount": yuan(t_amount),
            "invested": yuan(t["invested"].sum()),
            "by_state": _by_state(t, TALENT_STATES, ("amount", "invested")),
        },
        "grant_invest_loan": {
            "count": int(len(g)),
            "grant": yuan(g_grant),
            "grant_paid": yuan(g["grant_paid"].sum()),
            "equity": yuan(g["equity"].sum()),
            "equity_invested": yuan(g["equity_invested"].sum()),
            "loans_linked": int(g["linked"].sum()),
            "by_state": _by_state(g, GIL_STATES, ("grant", "equity")),
        },
        "positions": {
            "held_count": int(len(held)),
            "held_cost": yuan(held["cost"].sum()),
            "exited_count": int(pos["exited"].sum()),
            "exited_in_quarter": int(len(exq)),
            "exited_cost_in_quarter": yuan(exq["cost"].sum()),
            "proceeds_in_quarter": yuan(exq["proceeds"].sum()),
            "by_kind": by_kind,
        },
        "conversions": {
            "count": int(len(conv)),
            "amount": yuan(conv["amount"].sum()),
            "shares": int(conv["shares"].sum()),
        },
        "closures": {"count": int(len(clo)), "amount": yuan(clo["amount"].sum()), "by_way": by_way},
        "talent_cap_used": yuan(cap["amount"].sum()),
    }


def _cap_figures(q: Quarter, scope: Scope, cap_rows: pd.DataFrame) -> dict:
    """The talent cap over the enterprises with support counted at E (direct instruments, sub-fund deals)."""
    deals = deals_counted(q, scope)
    used = (
        pd.concat([cap_rows[["enterprise", "amount"]], deals], ignore_index=True)
        if len(deals)
        else cap_rows[["enterprise", "amount"]]
    )
    per = used.groupby("enterprise")["amount"].sum() if len(used) else pd.Series(dtype="int64")
    per = per[per > 0]
    try:
        cap = int(round(policy_value(CAP_KEY, on=q.end) * 100))
    except DomainError:  # no cap in force at E
        cap = None
    out = {
        "cap": yuan(cap) if cap is not None else None,
        "enterprises": int(len(per)),
        "used": yuan(per.sum()),
        "deals": yuan(deals["amount"].sum()),
        "headroom": None,
        "at_cap": None,
        "largest_used": yuan(per.max()) if len(per) else "0.00",
        "largest_used_ratio": None,
    }
    if cap is not None:
        out["headroom"] = yuan((cap - per).clip(lower=0).sum())
        out["at_cap"] = int((per >= cap).sum())
        out["largest_used_ratio"] = ratio(per.max(), cap) if len(per) else None
    return out


def compute(q: Quarter, scope: Scope) -> dict:
    if not Programme.objects.exists():
        # No programme at all: every instrument hangs off one, so the figures are all zero (same keys).
        a, t, g = (_empty(c) for c in (IF_COLS, TALENT_COLS, GIL_COLS))
        pos, conv, clo = (_empty(c) for c in (POS_COLS, CONV_COLS, CLO_COLS))
        total = _line(a, t, g, pos, conv, clo, _cap_rows(a, t, g))
        total["talent_cap"] = _cap_figures(q, scope, _cap_rows(a, t, g))
        return {"programmes": [], "total": total}
    a, t, g = agreements(q, scope), talent(q, scope), gil(q, scope)
    pos, conv, clo = positions(q, scope), conversions(q, scope), closures(q, scope)
    cap = _cap_rows(a, t, g)
    ids = sorted(
        set(a["programme"])
        | set(t["programme"])
        | set(g["programme"])
        | set(pos["programme"])
        | set(conv["programme"])
        | set(clo["programme"])
    )
    if scope.kind != ScopeKind.CITY:  # every programme that existed by the cutoff, even with nothing yet
        ids = sorted(
            set(ids) | set(Programme.objects.filter(created_at__lt=q.cutoff).values_list("pk", flat=True))
        )
    names = dict(Programme.objects.filter(pk__in=ids).values_list("pk", "name"))
    lines = [
        {
            "programme_id": int(p),
            "programme": names.get(p, str(p)),
            **_line(
                a[a["programme"] == p],
                t[t["programme"] == p],
                g[g["programme"] == p],
                pos[pos["programme"] == p],
                conv[conv["programme"] == p],
                clo[clo["programme"] == p],
                cap[cap["programme"] == p],
            ),
        }
        for p in ids
    ]
    total = _line(a, t, g, pos, conv, clo, cap)
    total["talent_cap"] = _cap_figures(q, scope, cap)
    return {"programmes": lines, "total": total}
