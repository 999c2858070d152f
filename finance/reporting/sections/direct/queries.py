"""What stood at the quarter end E, read in SQL: one frame per kind of row (先投后股 agreements, talent
investments, 拨投贷, equity positions, the quarter's conversions and closures, sub-fund deals under the cap).

Each instrument's state at E is worked out here (see the package docstring for the rule); amounts are integer
fen. The frames' columns are fixed (``*_COLS``) so an empty world gives the same shapes.
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
from funds.direct.models import (
    Closure,
    Conversion,
    DecisionStatus,
    EquityLegKind,
    EquityPosition,
    GILStatus,
    GrantInvestLoan,
    InvestFirstAgreement,
    InvestFirstStatus,
    TalentEquity,
    TalentStatus,
    Tranche,
)

from ...figures import fen_of, frame
from ...quarters import Quarter
from ...scopes import Scope, ScopeKind

#: Before these states a 先投后股 agreement with a tranche paid by E was ``disbursed`` at E.
_IF_BEFORE_DISBURSED = (
    InvestFirstStatus.APPLIED,
    InvestFirstStatus.SUBMITTED,
    InvestFirstStatus.APPROVED,
    InvestFirstStatus.CONTRACTED,
)
#: The columns (and the integer ones) of each frame the section reads.
IF_COLS = (["id", "programme", "enterprise", "state", "amount", "disbursed"], ("amount", "disbursed"))
TALENT_COLS = (["id", "programme", "enterprise", "state", "amount", "invested"], ("amount", "invested"))
POS_COLS = (
    ["programme", "kind", "cost", "exited", "exited_q", "proceeds"],
    ("cost", "exited", "exited_q", "proceeds"),
)
CONV_COLS = (["programme", "amount", "shares"], ("amount", "shares"))
CLO_COLS = (["programme", "way", "amount"], ("amount",))
GIL_COLS = (
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


def agreements(q: Quarter, scope: Scope) -> pd.DataFrame:
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
        *IF_COLS,
    )


def talent(q: Quarter, scope: Scope) -> pd.DataFrame:
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
        *TALENT_COLS,
    )


def gil(q: Quarter, scope: Scope) -> pd.DataFrame:
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
        *GIL_COLS,
    )


def positions(q: Quarter, scope: Scope) -> pd.DataFrame:
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
        *POS_COLS,
    )


def conversions(q: Quarter, scope: Scope) -> pd.DataFrame:
    qs = Conversion.objects.filter(
        _where(scope, "agreement__enterprise"),
        status=DecisionStatus.APPROVED,
        round__round_date__gte=q.start,
        round__round_date__lte=q.end,
    )
    return frame(
        qs.values_list("agreement__programme_id", fen_of("amount"), "shares"),
        *CONV_COLS,
    )


def closures(q: Quarter, scope: Scope) -> pd.DataFrame:
    qs = Closure.objects.filter(
        _where(scope, "agreement__enterprise"),
        status=DecisionStatus.APPROVED,
        decided_on__gte=q.start,
        decided_on__lte=q.end,
    )
    return frame(
        qs.values_list("agreement__programme_id", "way", fen_of("agreement__disbursed")),
        *CLO_COLS,
    )


def deals_counted(q: Quarter, scope: Scope) -> pd.DataFrame:
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
