"""Section ``loans``: IP-pledge loans per bank and in total, as of the quarter end.

Reads ``loans`` through its models' stable fields only (Loan, Installment, Repayment, Pledge,
SubsidyApplication) plus the audit trail (write-offs) and the ledger (subsidy payments), in a handful of
set-based queries merged in pandas: no loop per loan or installment.

As of the quarter end ``E``:
- outstanding principal = principal − principal parts of repayments dated ≤ E; a loan counts when that is > 0,
  it was disbursed by E and not written off before the cutoff;
- days past due = E − the oldest due date before E of an installment not fully paid by E (``paid_on`` null or
  after E) — the nightly classification's rule replayed at E; the class from the ``loan.class.*`` thresholds
  in force at E;
- ``by_ip_kind``: by the kind of the loan's main pledge (the highest appraised value), so kinds add up; a loan
  without a pledge (an early-stage R&D credit loan) is ``none``;
- ``by_category``: IP-pledge loans and early-stage R&D credit loans (``Loan.category``), which the section
  used to count together without telling them apart.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

import numpy as np
import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Min, Q

from finance.approvals.models import StateChange
from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation
from finance.policy.selectors import PolicyHistory, PolicyUse
from loans.models import (
    Installment,
    IPKind,
    Loan,
    LoanCategory,
    LoanClass,
    Pledge,
    Repayment,
    SubsidyApplication,
    SubsidyStatus,
)

from ..figures import fen_of, fen_sum, frame, ratio, yuan
from ..quarters import Quarter
from ..scopes import Scope, ScopeKind

CLASSES = [c.value for c in LoanClass]
NPL_CLASSES = ("substandard", "doubtful", "loss")
BUCKETS = ("0", "1-30", "31-90", "91-180", "181-360", ">360")
IP_KINDS = [k.value for k in IPKind]
CATEGORIES = [c.value for c in LoanCategory]


def loan_filter(scope: Scope) -> Q:
    """The loans a scope covers."""
    if scope.kind == ScopeKind.CITY:
        return Q(borrower__region=scope.city)
    if scope.kind == ScopeKind.BANK:
        return Q(bank_id=scope.id)
    return Q()


def loan_frame(q: Quarter, where: Q | None = None) -> pd.DataFrame:
    """One row per loan disbursed by the quarter end: bank, principal, outstanding, dpd, class (all as of E),
    the quarter's repayments, whether it is live (outstanding at E), its main IP kind."""
    end, start = q.end, q.start
    loans = Loan.objects.filter(where or Q(), disbursed_on__lte=end)
    ids = loans.values("id")
    # The province covers every loan: its repayment, installment and pledge rows are read without the
    # join to the loans (a loan disbursed after E has nothing due or paid by E; the merge below keeps only
    # the loans read); a narrower scope restricts them to its loans in SQL.
    mine = Q(loan_id__in=ids) if where else Q()
    df = frame(loans.order_by().values_list("id", "bank_id", "category", fen_of("principal"), "disbursed_on"),
               ["loan", "bank", "category", "principal", "disbursed_on"], ints=("principal",))
    rep = frame(Repayment.objects.order_by().filter(mine, paid_on__lte=end).values("loan_id").annotate(
        repaid=fen_sum("principal_part"), repaid_q=fen_sum("principal_part", filter=Q(paid_on__gte=start)),
        interest_q=fen_sum("interest_part", filter=Q(paid_on__gte=start))).values_list(
        "loan_id", "repaid", "repaid_q", "interest_q"), ["loan", "repaid", "repaid_q", "interest_q"],
        ints=("repaid", "repaid_q", "interest_q"))
    late = frame(Installment.objects.order_by().filter(mine, due_date__lt=end)
                 .filter(Q(paid_on__isnull=True) | Q(paid_on__gt=end)).values("loan_id")
                 .annotate(oldest=Min("due_date")).values_list("loan_id", "oldest"), ["loan", "oldest"])
    written_off = set(StateChange.objects.filter(
        item_type=ContentType.objects.get_for_model(Loan), field="status", to_state="written_off",
        at__lt=q.cutoff, item_id__in=ids).values_list("item_id", flat=True))
    pledges = Pledge.objects.filter(mine)
    if connection.vendor == "postgresql":  # the main pledge per loan chosen in SQL (DISTINCT ON)
        pledges = pledges.order_by("loan_id", "-asset__appraised_value", "id").distinct("loan_id")
    pledges = frame(pledges.values_list("loan_id", "asset__kind", fen_of("asset__appraised_value"), "id"),
                    ["loan", "kind", "value", "pid"], ints=("value",))
    df = df.merge(rep, on="loan", how="left").merge(late, on="loan", how="left")
    for c in ("repaid", "repaid_q", "interest_q"):
        df[c] = df[c].fillna(0).astype("int64")
    df["outstanding"] = df["principal"] - df["repaid"]
    df["live"] = (df["outstanding"] > 0) & ~df["loan"].isin(written_off)
    end64 = np.datetime64(end, "D")
    oldest = (
        pd.to_datetime(df["oldest"]).to_numpy(dtype="datetime64[D]")
        if len(df)
        else np.array([], "datetime64[D]")
    )
    dpd = np.where(pd.isna(df["oldest"]).to_numpy(), 0, (end64 - oldest).astype("int64")) if len(df) else []
    df["dpd"] = np.asarray(dpd, dtype="int64")
    df.loc[~df["live"], "dpd"] = 0
    keys = [f"loan.class.{k}_dpd" for k in ("special_mention", "substandard", "doubtful", "loss")]
    use = PolicyUse(on=end, history=PolicyHistory(keys=keys))  # the four thresholds in one query
    t = [int(use(k)) for k in keys]
    d = df["dpd"].to_numpy()
    df["loan_class"] = np.select([d >= t[3], d >= t[2], d >= t[1], d >= t[0]],
                                 ["loss", "doubtful", "substandard", "special_mention"], "normal")
    df["bucket"] = np.select([d > 360, d > 180, d > 90, d > 30, d > 0], list(BUCKETS[:0:-1]), "0")
    if len(pledges):
        main = (pledges.sort_values(["loan", "value", "pid"], ascending=[True, False, True])
                .drop_duplicates("loan").set_index("loan")["kind"])
        df["ip_kind"] = df["loan"].map(main).fillna("none")
    else:
        df["ip_kind"] = "none"
    df["disbursed_in_q"] = (pd.to_datetime(df["disbursed_on"]) >= pd.Timestamp(start)) if len(df) else False
    df.attrs["policy"] = dict(use.snapshot)
    return df


def _subsidies(q: Quarter, where: Q) -> pd.DataFrame:
    """Subsidies approved (decided in the quarter) and paid (ledger value date in the quarter), per bank.

    Approval and payment are two states (``approved``, then ``paid`` by a third person through the ledger):
    a subsidy approved in the quarter counts as approved whether or not it has been paid since; it counts as
    paid in the quarter of its payment's value date."""
    apps = SubsidyApplication.objects.filter(loan__in=Loan.objects.filter(where),
                                             status__in=(SubsidyStatus.APPROVED, SubsidyStatus.PAID),
                                             amount_granted__isnull=False)
    approved = frame(
        apps.filter(decided_at__gte=q.previous.cutoff, decided_at__lt=q.cutoff).values_list(
            "loan__bank_id", fen_of("amount_granted")
        ),
        ["bank", "amount"],
        ints=("amount",),
    )
    paid_ids = JournalEntry.objects.filter(
        source_type=ContentType.objects.get_for_model(SubsidyApplication), value_date__gte=q.start,
        value_date__lte=q.end).values("source_id")
    paid = frame(apps.filter(status=SubsidyStatus.PAID, pk__in=paid_ids).values_list(
        "loan__bank_id", fen_of("amount_granted")), ["bank", "amount"], ints=("amount",))
    return approved, paid


def _tallies(live: pd.DataFrame, col: str, keys, banks: list) -> tuple[dict, dict]:
    """{key: {count, outstanding}} (every key, zeros included) per bank and in total, in one pass over the
    live loans' columns (integer codes and ``np.bincount``/``np.add.at``, no mask per bank and key)."""
    nb, nk = len(banks), len(keys)
    codes = pd.Categorical(live[col], categories=list(keys)).codes.astype("int64")
    bank_pos = pd.Categorical(live["bank"], categories=banks).codes.astype("int64")
    ok = (codes >= 0) & (bank_pos >= 0)
    idx = bank_pos[ok] * nk + codes[ok]
    counts = np.bincount(idx, minlength=nb * nk).reshape(nb, nk) if nb else np.zeros((0, nk), "int64")
    sums = np.zeros(nb * nk, dtype="int64")
    np.add.at(sums, idx, live["outstanding"].to_numpy(dtype="int64")[ok])
    sums = sums.reshape(nb, nk)

    def block(c, v):
        return {k: {"count": int(c[j]), "outstanding": yuan(v[j])} for j, k in enumerate(keys)}

    per_bank = {b: block(counts[i], sums[i]) for i, b in enumerate(banks)}
    return per_bank, block(counts.sum(axis=0), sums.sum(axis=0))


def _line(df: pd.DataFrame, approved: pd.DataFrame, paid: pd.DataFrame, tallies: dict) -> dict:
    live = df[df["live"]]
    out = int(live["outstanding"].sum())
    by_class = tallies["by_class"]
    npl = sum(int(Decimal(by_class[c]["outstanding"]) * 100) for c in NPL_CLASSES)
    return {
        "loans_outstanding": int(len(live)),
        "principal_outstanding": yuan(out),
        "disbursed_count": int(df["disbursed_in_q"].sum()),
        "disbursed_amount": yuan(df["principal"].to_numpy()[df["disbursed_in_q"].to_numpy(dtype=bool)].sum()),
        "principal_repaid": yuan(df["repaid_q"].sum()),
        "interest_received": yuan(df["interest_q"].sum()),
        "by_class": by_class,
        "dpd_buckets": tallies["dpd_buckets"],
        "npl_outstanding": yuan(npl),
        "npl_ratio": ratio(npl, out),
        "by_ip_kind": tallies["by_ip_kind"],
        "by_category": tallies["by_category"],
        "subsidies": {
            "approved_count": int(len(approved)),
            "approved_amount": yuan(approved["amount"].sum()),
            "paid_count": int(len(paid)),
            "paid_amount": yuan(paid["amount"].sum()),
        },
    }


#: While ``shared_frames()`` is active (one process computing every section of a report), the loan frame of a
#: scope is read once: the ``pool`` section takes its enrolled loans from the province's frame.
_SHARED: ContextVar[dict | None] = ContextVar("report_loan_frames", default=None)


@contextmanager
def shared_frames():
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def scope_frame(q: Quarter, scope: Scope) -> pd.DataFrame:
    """``loan_frame`` of a scope's loans, read once per report while frames are shared."""
    cache = _SHARED.get()
    key = (q.label, scope.code)
    if cache is not None and key in cache:
        return cache[key]
    df = loan_frame(q, loan_filter(scope))
    if cache is not None:
        cache[key] = df
    return df


def shared_province_frame(q: Quarter) -> pd.DataFrame | None:
    """The province's loan frame if this report already read it (else None: read what you need)."""
    cache = _SHARED.get()
    return cache.get((q.label, "province")) if cache is not None else None


def compute(q: Quarter, scope: Scope) -> dict:
    where = loan_filter(scope)
    df = scope_frame(q, scope)
    approved, paid = _subsidies(q, where)
    banks = sorted(set(df["bank"]) | set(approved["bank"]) | set(paid["bank"]))
    names = dict(Organisation.objects.filter(pk__in=banks).values_list("pk", "name"))
    live = df[df["live"]]
    per_bank, total = {}, {}
    dims = (("by_class", "loan_class", CLASSES), ("dpd_buckets", "bucket", BUCKETS),
            ("by_ip_kind", "ip_kind", [*IP_KINDS, "none"]), ("by_category", "category", CATEGORIES))
    for key, col, keys in dims:
        per_bank[key], total[key] = _tallies(live, col, keys, banks)
    lines = []
    by_bank = dict(tuple(df.groupby("bank", sort=False))) if len(df) else {}
    empty = df.iloc[0:0]
    for b in banks:  # one line per bank (a handful), each computed over its columns
        line = _line(by_bank.get(b, empty), approved[approved["bank"] == b], paid[paid["bank"] == b],
                     {k: v[b] for k, v in per_bank.items()})
        lines.append({"bank_id": int(b), "bank": names.get(b, str(b)), **line})
    return {"banks": lines, "total": _line(df, approved, paid, total), "policy": df.attrs["policy"]}
