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

import numpy as np
import pandas as pd
from django.contrib.contenttypes.models import ContentType
from django.db.models import Min, Q

from finance.approvals.models import StateChange
from finance.ledger.models import JournalEntry
from finance.parties.models import Organisation
from finance.policy.selectors import PolicyUse
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
    df = frame(loans.values_list("id", "bank_id", "category", fen_of("principal"), "disbursed_on"),
               ["loan", "bank", "category", "principal", "disbursed_on"], ints=("principal",))
    rep = frame(Repayment.objects.filter(loan_id__in=ids, paid_on__lte=end).values("loan_id").annotate(
        repaid=fen_sum("principal_part"), repaid_q=fen_sum("principal_part", filter=Q(paid_on__gte=start)),
        interest_q=fen_sum("interest_part", filter=Q(paid_on__gte=start))).values_list(
        "loan_id", "repaid", "repaid_q", "interest_q"), ["loan", "repaid", "repaid_q", "interest_q"],
        ints=("repaid", "repaid_q", "interest_q"))
    late = frame(Installment.objects.filter(loan_id__in=ids, due_date__lt=end)
                 .filter(Q(paid_on__isnull=True) | Q(paid_on__gt=end)).values("loan_id")
                 .annotate(oldest=Min("due_date")).values_list("loan_id", "oldest"), ["loan", "oldest"])
    written_off = set(StateChange.objects.filter(
        item_type=ContentType.objects.get_for_model(Loan), field="status", to_state="written_off",
        at__lt=q.cutoff, item_id__in=ids).values_list("item_id", flat=True))
    pledges = frame(Pledge.objects.filter(loan_id__in=ids).values_list("loan_id", "asset__kind",
                                                                      fen_of("asset__appraised_value"), "id"),
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
    use = PolicyUse(on=end)
    t = [int(use(f"loan.class.{k}_dpd")) for k in ("special_mention", "substandard", "doubtful", "loss")]
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


def _line(df: pd.DataFrame, approved: pd.DataFrame, paid: pd.DataFrame) -> dict:
    live = df[df["live"]]
    out = int(live["outstanding"].sum())
    by_class = {
        c: {
            "count": int((live["loan_class"] == c).sum()),
            "outstanding": yuan(live.loc[live["loan_class"] == c, "outstanding"].sum()),
        }
        for c in CLASSES
    }
    npl = int(live.loc[live["loan_class"].isin(NPL_CLASSES), "outstanding"].sum())
    kinds = [*IP_KINDS, "none"]
    return {
        "loans_outstanding": int(len(live)),
        "principal_outstanding": yuan(out),
        "disbursed_count": int(df["disbursed_in_q"].sum()),
        "disbursed_amount": yuan(df.loc[df["disbursed_in_q"], "principal"].sum()),
        "principal_repaid": yuan(df["repaid_q"].sum()),
        "interest_received": yuan(df["interest_q"].sum()),
        "by_class": by_class,
        "dpd_buckets": {
            b: {
                "count": int((live["bucket"] == b).sum()),
                "outstanding": yuan(live.loc[live["bucket"] == b, "outstanding"].sum()),
            }
            for b in BUCKETS
        },
        "npl_outstanding": yuan(npl),
        "npl_ratio": ratio(npl, out),
        "by_ip_kind": {
            k: {
                "count": int((live["ip_kind"] == k).sum()),
                "outstanding": yuan(live.loc[live["ip_kind"] == k, "outstanding"].sum()),
            }
            for k in kinds
        },
        "by_category": {
            c: {
                "count": int((live["category"] == c).sum()),
                "outstanding": yuan(live.loc[live["category"] == c, "outstanding"].sum()),
            }
            for c in CATEGORIES
        },
        "subsidies": {
            "approved_count": int(len(approved)),
            "approved_amount": yuan(approved["amount"].sum()),
            "paid_count": int(len(paid)),
            "paid_amount": yuan(paid["amount"].sum()),
        },
    }


def compute(q: Quarter, scope: Scope) -> dict:
    where = loan_filter(scope)
    df = loan_frame(q, where)
    approved, paid = _subsidies(q, where)
    banks = sorted(set(df["bank"]) | set(approved["bank"]) | set(paid["bank"]))
    names = dict(Organisation.objects.filter(pk__in=banks).values_list("pk", "name"))
    lines = []
    for b in banks:  # one line per bank (a handful), each computed over its columns
        lines.append({"bank_id": int(b), "bank": names.get(b, str(b)),
                      **_line(df[df["bank"] == b], approved[approved["bank"] == b], paid[paid["bank"] == b])})
    return {"banks": lines, "total": _line(df, approved, paid), "policy": df.attrs["policy"]}
