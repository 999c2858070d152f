"""Section ``direct``: the direct instruments (先投后股, 拨投贷, talent equity) per programme and instrument,
as of the quarter end E.

Each instrument's **state at E** is worked out in SQL, one row per instrument:

- dated business events win when dated ≤ E: a 先投后股 agreement is ``exited`` / ``converted`` when its equity
  position was exited / invested by E (a conversion is booked at the round's date), ``closed_<way>`` when an
  approved closure was decided by E, ``disbursed`` when a tranche was paid by E; a talent investment is
  ``funded`` / ``exited`` by its position's dates;
- otherwise the state recorded in the audit trail before the cutoff (``approvals.StateChange``): approvals,
  signatures and the 拨投贷 steps have no business date of their own. An instrument applied for after E is
  not in the report; a 先投后股 agreement born of a 拨投贷 equity leg exists from its signing.

Amounts are integer fen summed exactly, out as yuan strings. Per programme and in total: counts and amounts by
state (every state key always present), disbursed / invested as of E, equity positions held at cost, the
quarter's conversions (round dated in the quarter), closures (decided in the quarter) and exits, and the
talent cap used: what counts against ``talent.equity_cap`` at E under the rule of ``funds.direct.caps``
(from approval on, never freed; a 拨投贷 equity leg made as 先投后股 counts once, as that agreement). In
total, the cap's headroom over the enterprises with support counted (sub-fund deals in a fiscal equity
instrument included, as the cap counts them): per enterprise ``max(cap − used, 0)``.
"""

from __future__ import annotations

import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat

from finance.approvals.models import StateChange
from finance.core.errors import DomainError
from finance.policy.selectors import policy_value
from funds.direct.models import (
    GIL_COUNTED,
    IF_COUNTED,
    TALENT_COUNTED,
    Closure,
    ClosureWay,
    Conversion,
    DecisionStatus,
    DirectKind,
    EquityLegKind,
    EquityPosition,
    GILStatus,
    GrantInvestLoan,
    InvestFirstAgreement,
    InvestFirstStatus,
    Programme,
    TalentEquity,
    TalentStatus,
    Tranche,
)

from ..figures import fen_of, frame, ratio, yuan
from ..quarters import Quarter
from ..scopes import Scope, ScopeKind

IF_STATES = tuple(InvestFirstStatus.values)
TALENT_STATES = tuple(TalentStatus.values)
GIL_STATES = tuple(GILStatus.values)
WAYS = tuple(ClosureWay.values)
POSITION_KINDS = tuple(DirectKind.values)
#: Before these states a 先投后股 agreement with a tranche paid by E was ``disbursed`` at E.
_IF_BEFORE_DISBURSED = (
    InvestFirstStatus.APPLIED,
    InvestFirstStatus.SUBMITTED,
    InvestFirstStatus.APPROVED,
    InvestFirstStatus.CONTRACTED,
)
CAP_KEY = "talent.equity_cap"
#: The columns (and the integer ones) of each frame the section reads.
_IF_COLS = (["id", "programme", "enterprise", "state", "amount", "disbursed"], ("amount", "disbursed"))
_TALENT_COLS = (["id", "programme", "enterprise", "state", "amount", "invested"], ("amount", "invested"))
_POS_COLS = (
    ["programme", "kind", "cost", "exited", "exited_q", "proceeds"],
    ("cost", "exited", "exited_q", "proceeds"),
)
_CONV_COLS = (["programme", "amount", "shares"], ("amount", "shares"))
_CLO_COLS = (["programme", "way", "amount"], ("amount",))
_GIL_COLS = (
    [
        "id",
        "programme",
        "enterprise",
        "state",
        "grant",
        "equity",
        "grant_paid",
        "equity_invested",
        "equity_own",
        "linked",
    ],
    ("grant", "equity", "grant_paid", "equity_invested", "equity_own", "linked"),
)


def _where(scope: Scope, path: str = "enterprise") -> Q:
    return Q(**{f"{path}__region": scope.city}) if scope.kind == ScopeKind.CITY else Q()


def _recorded(model, q: Quarter) -> Subquery:
    """SQL: the item's status recorded last before the cutoff (null when none was recorded by then)."""
    return Subquery(
        StateChange.objects.filter(
            item_type=ContentType.objects.get_for_model(model),
            item_id=OuterRef("pk"),
            field="status",
            at__lt=q.cutoff,
        )
        .order_by("-at", "-id")
        .values("to_state")[:1],
        output_field=CharField(),
    )


def _fen_subquery(qs, by: str, field: str) -> Coalesce:
    """SQL: the sum in fen of ``field`` over a queryset correlated on ``by`` (0 when empty)."""
    total = qs.order_by().values(by).annotate(_s=Sum(fen_of(field))).values("_s")[:1]
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def _agreements(q: Quarter, scope: Scope) -> pd.DataFrame:
    end = q.end
    paid = Tranche.objects.filter(agreement=OuterRef("pk"), paid_on__lte=end)
    closure = Closure.objects.filter(
        agreement=OuterRef("pk"), status=DecisionStatus.APPROVED, decided_on__lte=end
    ).order_by("-decided_on", "-id")
    qs = (
        InvestFirstAgreement.objects.filter(_where(scope), applied_on__lte=end)
        .filter(Q(grant_invest_loan__isnull=True) | Q(signed_on__lte=end))
        .annotate(recorded=_recorded(InvestFirstAgreement, q))
        .annotate(
            state=Case(
                When(position__exited_on__lte=end, then=Value(InvestFirstStatus.EXITED)),
                When(position__invested_on__lte=end, then=Value(InvestFirstStatus.CONVERTED)),
                When(Exists(closure), then=Concat(Value("closed_"), Subquery(closure.values("way")[:1]))),
                When(
                    Q(Exists(paid)) & (Q(recorded__isnull=True) | Q(recorded__in=_IF_BEFORE_DISBURSED)),
                    then=Value(InvestFirstStatus.DISBURSED),
                ),
                When(recorded__isnull=False, then=F("recorded")),
                When(signed_on__lte=end, then=Value(InvestFirstStatus.CONTRACTED)),
                default=Value(InvestFirstStatus.APPLIED),
                output_field=CharField(),
            ),
            disbursed_e=_fen_subquery(paid, "agreement", "amount"),
        )
    )
    return frame(
        qs.values_list("id", "programme_id", "enterprise_id", "state", fen_of("amount"), "disbursed_e"),
        *_IF_COLS,
    )


def _talent(q: Quarter, scope: Scope) -> pd.DataFrame:
    end = q.end
    qs = (
        TalentEquity.objects.filter(_where(scope), applied_on__lte=end)
        .annotate(recorded=_recorded(TalentEquity, q))
        .annotate(
            state=Case(
                When(position__exited_on__lte=end, then=Value(TalentStatus.EXITED)),
                When(position__invested_on__lte=end, then=Value(TalentStatus.FUNDED)),
                # recorded funded/exited with the position dated after E cannot happen (funding is never
                # future-dated); the contract is what stood at E then.
                When(
                    recorded__in=(TalentStatus.FUNDED, TalentStatus.EXITED),
                    then=Value(TalentStatus.CONTRACTED),
                ),
                When(recorded__isnull=False, then=F("recorded")),
                default=Value(TalentStatus.APPLIED),
                output_field=CharField(),
            ),
            invested_e=Case(
                When(position__invested_on__lte=end, then=fen_of("position__cost")),
                default=Value(0),
                output_field=BigIntegerField(),
            ),
        )
    )
    return frame(
        qs.values_list("id", "programme_id", "enterprise_id", "state", fen_of("amount"), "invested_e"),
        *_TALENT_COLS,
    )


def _gil(q: Quarter, scope: Scope) -> pd.DataFrame:
    end = q.end
    qs = (
        GrantInvestLoan.objects.filter(_where(scope), applied_on__lte=end)
        .annotate(recorded=_recorded(GrantInvestLoan, q))
        .annotate(
            state=Coalesce(F("recorded"), Value(GILStatus.APPLIED), output_field=CharField()),
            grant_paid=Case(
                When(grant_paid_on__lte=end, then=fen_of("grant_amount")),
                default=Value(0),
                output_field=BigIntegerField(),
            ),
            equity_invested=Case(
                When(position__invested_on__lte=end, then=fen_of("position__cost")),
                default=Value(0),
                output_field=BigIntegerField(),
            ),
            # The equity leg made as 先投后股 is reported (and capped) as its agreement once that is signed.
            equity_own=Case(
                When(
                    Q(equity_kind=EquityLegKind.INVEST_FIRST, invest_first__signed_on__lte=end), then=Value(0)
                ),
                When(
                    equity_kind__in=(EquityLegKind.DIRECT, EquityLegKind.INVEST_FIRST),
                    then=fen_of("equity_amount"),
                ),
                default=Value(0),
                output_field=BigIntegerField(),
            ),
            linked=Case(
                When(loan_reference="", then=Value(0)), default=Value(1), output_field=BigIntegerField()
            ),
        )
    )
    return frame(
        qs.values_list(
            "id",
            "programme_id",
            "enterprise_id",
            "state",
            fen_of("grant_amount"),
            fen_of("equity_amount"),
            "grant_paid",
            "equity_invested",
            "equity_own",
            "linked",
        ),
        *_GIL_COLS,
    )


def _positions(q: Quarter, scope: Scope) -> pd.DataFrame:
    qs = EquityPosition.objects.filter(_where(scope), invested_on__lte=q.end).annotate(
        exited_e=Case(
            When(exited_on__lte=q.end, then=Value(1)), default=Value(0), output_field=BigIntegerField()
        ),
        exited_q=Case(
            When(exited_on__gte=q.start, exited_on__lte=q.end, then=Value(1)),
            default=Value(0),
            output_field=BigIntegerField(),
        ),
        proceeds_e=Case(
            When(exited_on__lte=q.end, proceeds__isnull=False, then=fen_of("proceeds")),
            default=Value(0),
            output_field=BigIntegerField(),
        ),
    )
    return frame(
        qs.values_list("programme_id", "kind", fen_of("cost"), "exited_e", "exited_q", "proceeds_e"),
        *_POS_COLS,
    )


def _conversions(q: Quarter, scope: Scope) -> pd.DataFrame:
    qs = Conversion.objects.filter(
        _where(scope, "agreement__enterprise"),
        status=DecisionStatus.APPROVED,
        round__round_date__gte=q.start,
        round__round_date__lte=q.end,
    )
    return frame(
        qs.values_list("agreement__programme_id", fen_of("amount"), "shares"),
        *_CONV_COLS,
    )


def _closures(q: Quarter, scope: Scope) -> pd.DataFrame:
    qs = Closure.objects.filter(
        _where(scope, "agreement__enterprise"),
        status=DecisionStatus.APPROVED,
        decided_on__gte=q.start,
        decided_on__lte=q.end,
    )
    return frame(
        qs.values_list("agreement__programme_id", "way", fen_of("agreement__disbursed")),
        *_CLO_COLS,
    )


def _deals_counted(q: Quarter, scope: Scope) -> pd.DataFrame:
    """Sub-fund deals in a fiscal equity instrument counted against the cap at E (approved by the cutoff)."""
    from funds.models import FISCAL_EQUITY, Deal, DealStatus

    counted = (DealStatus.APPROVED, DealStatus.CONTRACTED, DealStatus.FUNDED, DealStatus.EXITED)
    qs = (
        Deal.objects.filter(_where(scope), instrument__in=FISCAL_EQUITY)
        .annotate(recorded=_recorded(Deal, q))
        .filter(recorded__in=counted)
    )
    return frame(
        qs.values_list("enterprise_id", fen_of("amount")), ["enterprise", "amount"], ints=("amount",)
    )


# ---------------------------------------------------------------- figures


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
    deals = _deals_counted(q, scope)
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
        a, t, g = (_empty(c) for c in (_IF_COLS, _TALENT_COLS, _GIL_COLS))
        pos, conv, clo = (_empty(c) for c in (_POS_COLS, _CONV_COLS, _CLO_COLS))
        total = _line(a, t, g, pos, conv, clo, _cap_rows(a, t, g))
        total["talent_cap"] = _cap_figures(q, scope, _cap_rows(a, t, g))
        return {"programmes": [], "total": total}
    a, t, g = _agreements(q, scope), _talent(q, scope), _gil(q, scope)
    pos, conv, clo = _positions(q, scope), _conversions(q, scope), _closures(q, scope)
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
