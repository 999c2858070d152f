"""Talent-startup equity: eligibility parameters, approval, funding with a holding period."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus
from finance.calc.schedules import add_months
from finance.core.errors import InvalidTransition
from finance.core.inputs import (
    parse_amount,
    parse_date,
    parse_int,
    parse_rate,
    parse_text,
    today,
)
from finance.parties.models import Organisation
from finance.policy.selectors import PolicyUse

from ..caps import cap_check
from ..models import (
    DirectKind,
    Programme,
    TalentEquity,
    TalentStatus,
)
from ._common import (
    D,
    _applicant_for,
    _decide,
    _enterprise_ok,
    _err,
    _locked,
    _manager_of,
    _programme_ok,
    _submit_application,
)
from .exits import _direct_equity

# ---------------------------------------------------------------- talent equity

ELIGIBILITY = (
    "talent.eligibility.team_leads",
    "talent.eligibility.in_shandong",
    "talent.eligibility.own_ip_min",
    "talent.eligibility.company_age_max_years",
    "talent.eligibility.founders_cash_min",
)


def talent_eligibility(t: TalentEquity, *, on: dt.date) -> dict:
    """Each criterion against its parameter (an unset parameter blocks, naming it); refuses naming the first
    criterion failed. Returns the results and the values used."""
    use = PolicyUse(on=on)
    values = {k: use(k) for k in ELIGIBILITY}
    age = (on - t.founded_on).days / D("365")
    results = [
        (
            "talent_team_leads",
            "人才团队主导企业",
            "a talent team leads the company",
            t.talent_team_leads or values["talent.eligibility.team_leads"] == 0,
        ),
        (
            "registered_in_shandong",
            "企业在山东注册",
            "registered in Shandong",
            t.registered_in_shandong or values["talent.eligibility.in_shandong"] == 0,
        ),
        (
            "own_ip_count",
            f"自有知识产权不少于 {values['talent.eligibility.own_ip_min']} 件",
            f"at least {values['talent.eligibility.own_ip_min']} own IP items",
            t.own_ip_count >= values["talent.eligibility.own_ip_min"],
        ),
        (
            "founded_on",
            f"成立不超过 {values['talent.eligibility.company_age_max_years']} 年",
            f"founded at most {values['talent.eligibility.company_age_max_years']} years ago",
            age <= values["talent.eligibility.company_age_max_years"],
        ),
        (
            "founders_cash",
            f"创始团队现金出资不少于 {values['talent.eligibility.founders_cash_min']:,} 元",
            f"founders' cash at least {values['talent.eligibility.founders_cash_min']:,}",
            t.founders_cash >= values["talent.eligibility.founders_cash_min"],
        ),
    ]
    for fld, zh, en, ok in results:
        if not ok:
            raise _err(f"{fld}：不符合人才股权投资条件：{zh}", f"{fld}: not eligible for talent equity: {en}",
                       "not_eligible", fld)
    return {"results": {fld: {"label": zh, "ok": ok} for fld, zh, _en, ok in results}, "policy": use.snapshot}


@transaction.atomic
def talent_equity_apply(
    *,
    programme: Programme,
    enterprise: Organisation,
    title: str,
    amount,
    price_per_share,
    founded_on: dt.date,
    by,
    talent_team_leads: bool = False,
    registered_in_shandong: bool = False,
    own_ip_count=0,
    founders_cash="0",
    applied_on: dt.date | None = None,
) -> TalentEquity:
    """A talent-equity application: eligibility checked (each parameter named), cap headroom shown
    (``t.cap``)."""
    _enterprise_ok(enterprise)
    _programme_ok(programme, DirectKind.TALENT_EQUITY)
    _applicant_for(enterprise, programme, by)
    applied_on = parse_date(applied_on or today(), "applied_on", not_future=True)
    t = TalentEquity(
        programme=programme,
        enterprise=enterprise,
        title=parse_text(title, "title", max_length=200),
        amount=parse_amount(amount, "amount"),
        price_per_share=parse_rate(
            price_per_share, "price_per_share", allow_zero=False, max_value=D("1000000")
        ),
        talent_team_leads=bool(talent_team_leads),
        registered_in_shandong=bool(registered_in_shandong),
        own_ip_count=parse_int(own_ip_count, "own_ip_count"),
        founded_on=parse_date(founded_on, "founded_on", not_future=True),
        founders_cash=parse_amount(founders_cash, "founders_cash", allow_zero=True),
        applicant=by,
        applied_on=applied_on,
    )
    t.eligibility = talent_eligibility(t, on=applied_on)
    state = cap_check(enterprise_id=enterprise.pk, amount=t.amount, on=applied_on)
    t.policy = {"application": state.policy}
    t.save()
    approvals.state_change_record(t, from_state="", to_state=t.status, by=by, reason="applied")
    t.cap = state
    return t


@transaction.atomic
def talent_equity_submit(*, talent: TalentEquity, by, reason: str = "") -> TalentEquity:
    return _submit_application(TalentEquity, talent, applied=TalentStatus.APPLIED, to=TalentStatus.SUBMITTED,
                               kind="talent_equity", by=by, reason=reason or "submitted",
                               what_zh="项目")


@transaction.atomic
def talent_equity_decide(*, talent: TalentEquity, by, approve: bool, comment: str = "") -> TalentEquity:
    """Approval re-checks eligibility and the cap under the enterprise lock."""
    t = _locked(TalentEquity, talent, talent.enterprise_id)
    if t.status != TalentStatus.SUBMITTED:
        raise InvalidTransition("该项目不在审批中", "the investment is not awaiting approval", field="status")
    if approve:
        t.eligibility = talent_eligibility(t, on=today())
        state = cap_check(enterprise_id=t.enterprise_id, amount=t.amount, on=today(), exclude=t, locked=False)
    request = _decide(t, by=by, approve=approve, comment=comment)
    if request.status == ApprovalStatus.REJECTED:
        return approvals.state_change(t, to=TalentStatus.REJECTED, by=by, reason=comment or "rejected")
    if request.status == ApprovalStatus.APPROVED:
        t.policy = {**t.policy, "approval": state.policy}
        return approvals.state_change(t, to=TalentStatus.APPROVED, by=by, reason=comment or "approved",
                                      also=("policy", "eligibility"))
    return t


@transaction.atomic
def talent_equity_sign(*, talent: TalentEquity, by) -> TalentEquity:
    t = _locked(TalentEquity, talent, talent.enterprise_id)
    _manager_of(t.programme, by)
    if not approvals.approval_is_valid(t):
        raise _err(
            "审批已失效，请重新提交",
            "the approval is no longer valid; submit again",
            "approval_void",
            "status",
            status=409,
        )
    return approvals.state_change(t, to=TalentStatus.CONTRACTED, by=by, reason="contract signed")


@transaction.atomic
def talent_equity_fund(*, talent: TalentEquity, funded_on: dt.date, by) -> TalentEquity:
    """Pay the investment: equity at cost ← programme cash; shares on the cap table; the holding period
    (``talent.holding_years``) sets the end of the holding."""
    t = _locked(TalentEquity, talent, talent.enterprise_id)
    _manager_of(t.programme, by)
    if t.status != TalentStatus.CONTRACTED:
        raise InvalidTransition(
            "只有已签约的项目可以出资", "only a contracted investment can be funded", field="status"
        )
    funded_on = parse_date(
        funded_on,
        "funded_on",
        not_future=True,
        not_before=t.applied_on,
        not_before_label="申请日 application date",
    )
    approvals.approval_check_payer(t, by)
    cap_check(enterprise_id=t.enterprise_id, amount=t.amount, on=funded_on, exclude=t, locked=False)
    use = PolicyUse(on=funded_on)
    years = int(use("talent.holding_years"))
    t.position = _direct_equity(programme=t.programme, enterprise=t.enterprise, kind=DirectKind.TALENT_EQUITY,
                                amount=t.amount, price=t.price_per_share, on=funded_on,
                                ref=f"direct:talent:{t.pk}:funded", source=t, by=by,
                                exit_due_on=add_months(funded_on, 12 * years, funded_on.day))
    t.position.policy = use.snapshot
    t.position.save(update_fields=["policy"])
    t.policy = {**t.policy, "funding": use.snapshot}
    return approvals.state_change(t, to=TalentStatus.FUNDED, by=by, reason=f"funded on {funded_on}",
                                  also=("position", "policy"))
