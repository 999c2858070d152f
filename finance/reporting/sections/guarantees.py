"""Section ``guarantees`` (鲁科担): per guarantor and in total, as of the quarter end.

- a guarantee counts only once the lending bank has confirmed it (``confirmed_at`` before the cutoff): a
  guarantor's proposal, a declined one and one confirmed after the quarter end are not in the report;
- in force at E: confirmed, started by E, ending after E, not paid out by E and not released before the
  cutoff;
- payouts (代偿) with ``paid_on`` in the quarter. The guarantor's compensation is public money, reviewed and
  then paid by a third person: it counts in the quarter it was paid (``compensation_paid_on``), not when the
  payout was recorded (one under review, or rejected, has paid nothing); recoveries in the quarter;
- premium subsidy: accrued for the quarter (yearly subsidy × days in force within the quarter ÷ 365, half-up
  to the fen per guarantee; a guarantee stops at its end date, its payout or its release): the accrual, not
  the yearly applications paid through ``premium_subsidy_apply`` / ``premium_subsidy_pay``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from finance.approvals.models import StateChange
from finance.parties.models import Organisation
from guarantees.models import CompensationStatus, Guarantee, GuaranteePayout, GuaranteeRecovery

from ..figures import fen_half_up_div, fen_of, frame, yuan
from ..quarters import Quarter
from ..scopes import Scope, ScopeKind


def guarantee_filter(scope: Scope) -> Q:
    if scope.kind == ScopeKind.CITY:
        return Q(loan__borrower__region=scope.city)
    if scope.kind == ScopeKind.BANK:
        return Q(bank_id=scope.id)
    return Q()


def _frames(q: Quarter, where: Q):
    gs = Guarantee.objects.filter(where, start_on__lte=q.end, confirmed_at__lt=q.cutoff)
    g = frame(
        gs.values_list(
            "id", "guarantor_id", fen_of("amount"), "start_on", "end_on", fen_of("premium_subsidy_yearly")
        ),
        ["g", "guarantor", "amount", "start_on", "end_on", "subsidy_yearly"],
        ints=("amount", "subsidy_yearly"),
    )
    payouts = frame(GuaranteePayout.objects.filter(guarantee__in=gs, paid_on__lte=q.end).values_list(
        "guarantee_id", "guarantee__guarantor_id", fen_of("amount"), "paid_on"),
        ["g", "guarantor", "amount", "paid_on"], ints=("amount",))
    compensation = frame(
        GuaranteePayout.objects.filter(
            guarantee__in=gs, status=CompensationStatus.PAID, compensation_paid_on__gte=q.start,
            compensation_paid_on__lte=q.end,
        ).values_list("guarantee__guarantor_id", fen_of("compensation")),
        ["guarantor", "compensation"],
        ints=("compensation",),
    )
    recov = frame(
        GuaranteeRecovery.objects.filter(
            payout__guarantee__in=gs, recovered_on__gte=q.start, recovered_on__lte=q.end
        ).values_list("payout__guarantee__guarantor_id", fen_of("recovered"), fen_of("net")),
        ["guarantor", "recovered", "net"],
        ints=("recovered", "net"),
    )
    released = frame(
        StateChange.objects.filter(
            item_type=ContentType.objects.get_for_model(Guarantee),
            field="status",
            to_state="released",
            at__lt=q.cutoff,
            item_id__in=gs.values("id"),
        ).values_list("item_id", "at"),
        ["g", "at"],
    )
    if len(g):
        # A guarantee stops at its end date, at a payout dated ≤ E, or at a release before the cutoff (its
        # day).
        stop = pd.to_datetime(g["end_on"]).to_numpy(dtype="datetime64[D]")
        paid_on = (
            g["g"].map(payouts.set_index("g")["paid_on"])
            if len(payouts)
            else pd.Series(pd.NaT, index=g.index)
        )
        rel_on = g["g"].map(released.drop_duplicates("g").set_index("g")["at"].map(
            lambda t: timezone.localtime(t).date())) if len(released) else pd.Series(pd.NaT, index=g.index)
        for other in (paid_on, rel_on):
            o = pd.to_datetime(other).to_numpy(dtype="datetime64[D]")
            stop = np.where(np.isnat(o), stop, np.minimum(stop, o))
        start = pd.to_datetime(g["start_on"]).to_numpy(dtype="datetime64[D]")
        g["in_force"] = stop > np.datetime64(q.end, "D")
        lo = np.maximum(start, np.datetime64(q.start, "D"))
        hi = np.minimum(stop, np.datetime64(q.end, "D") + 1)
        days = np.clip((hi - lo).astype("int64"), 0, None)
        g["subsidy_q"] = fen_half_up_div(g["subsidy_yearly"].to_numpy() * days, 365)
    else:
        g["in_force"] = pd.Series(dtype=bool)
        g["subsidy_q"] = pd.Series(dtype="int64")
    if len(payouts):
        payouts["in_q"] = pd.to_datetime(payouts["paid_on"]) >= pd.Timestamp(q.start)
    else:
        payouts["in_q"] = pd.Series(dtype=bool)
    return g, payouts, compensation, recov


def _line(g, payouts, compensation, recov) -> dict:
    live = g[g["in_force"]]
    pq = payouts[payouts["in_q"]]
    return {"in_force_count": int(len(live)), "in_force_amount": yuan(live["amount"].sum()),
            "payouts_count": int(len(pq)), "payouts_amount": yuan(pq["amount"].sum()),
            "compensation": yuan(compensation["compensation"].sum()),
            "recovered": yuan(recov["recovered"].sum()),
            "premium_subsidy": yuan(g["subsidy_q"].sum())}


def compute(q: Quarter, scope: Scope) -> dict:
    g, payouts, compensation, recov = _frames(q, guarantee_filter(scope))
    ids = sorted(set(g["guarantor"]) | set(payouts["guarantor"]) | set(compensation["guarantor"])
                 | set(recov["guarantor"]))
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    lines = [
        {
            "guarantor_id": int(i),
            "guarantor": names.get(i, str(i)),
            **_line(
                g[g["guarantor"] == i], payouts[payouts["guarantor"] == i],
                compensation[compensation["guarantor"] == i], recov[recov["guarantor"] == i],
            ),
        }
        for i in ids
    ]
    return {"guarantors": lines, "total": _line(g, payouts, compensation, recov)}
