"""The reviewer's decision: reject, or recommend and hand the application over to its instrument.

The hand-over (``application_recommend``) calls the instrument's own services — ``talent_equity_apply`` +
``talent_equity_submit``, ``invest_first_apply`` + ``invest_first_submit``, ``grant_invest_loan_apply`` +
``_review`` + ``_submit``, ``subsidy_apply`` — so the application reaches the same approval and committee
as one typed in by a manager; their decision is read back from the linked object, not copied.
"""
from __future__ import annotations

from django.db import transaction

from finance.approvals import services as approvals
from finance.core.errors import InvalidTransition, PermissionDenied
from finance.core.inputs import parse_text, today
from finance.policy.selectors import PolicyUse

from .. import rules
from ..models import EQUITY_INSTRUMENTS, SUBSIDY_INSTRUMENTS, Application, Verb
from ._common import INS, S, _check_reviewer, _err, _locked
from .notify import _enterprise_people, _notify
from .review import RECOMMEND_MIN, _declared_free, criteria_in_force, weighted_total


@transaction.atomic
def application_reject(*, application: Application, by, reason: str) -> Application:
    """The reviewer does not recommend it (reason required, shown to the enterprise)."""
    app = _locked(application)
    _check_reviewer(app, by, act=True)
    reason = parse_text(reason, "reason", max_length=1000)
    approvals.state_change(app, to=S.REJECTED, by=by, reason=reason)
    _notify(_enterprise_people(app), verb=Verb.REJECTED, application=app)
    return app


@transaction.atomic
def application_recommend(*, application: Application, by, reason: str = "") -> Application:
    """Hand the application over to its instrument: the reviewer (assigned, declared free of conflict, the
    whole sheet scored at or above ``review.recommend_score_min``) creates it through the instrument's own
    service — the enterprise's submitter is its applicant — and takes it to that instrument's approval."""
    app = _locked(application)
    _check_reviewer(app, by, act=True)
    _declared_free(app, by)
    if app.status != S.UNDER_REVIEW:
        raise InvalidTransition("只有审查中的申请可以推荐",
                                "only an application under review can be recommended", field="status")
    weights, _ = criteria_in_force(today())
    mine = list(app.scores.filter(reviewer=by))
    if {s.criterion for s in mine} != set(weights):
        raise _err("scores：请先完成评分表的全部项目", "scores: score every criterion first",
                   "scores_missing", "scores")
    total = weighted_total(mine)
    minimum = PolicyUse(on=today())(RECOMMEND_MIN)
    if total < minimum:
        raise _err(f"scores：加权总分 {total} 低于推荐下限 {minimum}（{RECOMMEND_MIN}）",
                   f"scores: weighted total {total} is below the minimum {minimum} ({RECOMMEND_MIN})",
                   "score_too_low", "scores", status=409)
    _hand_over(app, by)
    approvals.state_change(app, to=S.RECOMMENDED, by=by,
                           reason=reason or f"recommended, weighted score {total}",
                           also=("talent", "agreement", "project", "subsidy"))
    _notify(_enterprise_people(app), verb=Verb.RECOMMENDED, application=app)
    return app


def _hand_over(app: Application, by) -> None:
    from funds.direct import services as direct

    applicant = app.submitted_by
    title = app.title or str(app)
    if app.instrument in EQUITY_INSTRUMENTS and not rules.manages_programme(by, app):
        raise PermissionDenied("股权类申请由专项管理机构的基金经理推荐上会",
                               "an equity application is recommended by the programme's fund manager",
                               code="not_programme_manager")
    if app.instrument == INS.TALENT_EQUITY:
        t = direct.talent_equity_apply(
            programme=app.programme, enterprise=app.enterprise, title=title, amount=app.amount,
            price_per_share=app.price_per_share, founded_on=app.founded_on, by=applicant,
            talent_team_leads=app.talent_team_leads, registered_in_shandong=app.registered_in_shandong,
            own_ip_count=app.own_ip_count or 0, founders_cash=app.founders_cash or "0")
        app.talent = direct.talent_equity_submit(talent=t, by=by, reason=f"application #{app.pk}")
    elif app.instrument == INS.INVEST_FIRST:
        a = direct.invest_first_apply(
            programme=app.programme, enterprise=app.enterprise, title=title, amount=app.amount,
            tranches=[{"amount": str(app.amount), "due_on": app.disbursement_due_on.isoformat()}],
            by=applicant,
            discount=None if app.discount is None else str(app.discount), valuation_cap=app.valuation_cap)
        app.agreement = direct.invest_first_submit(agreement=a, by=by, reason=f"application #{app.pk}")
    elif app.instrument == INS.GRANT_INVEST_LOAN:
        g = direct.grant_invest_loan_apply(
            programme=app.programme, enterprise=app.enterprise, title=title, by=applicant,
            grant_amount=app.grant_amount or "0", equity_kind=app.equity_kind or "",
            equity_amount=app.equity_amount or "0", equity_price_per_share=app.price_per_share)
        g = direct.grant_invest_loan_review(project=g, by=by, reason=f"application #{app.pk}")
        app.project = direct.grant_invest_loan_submit(project=g, by=by)
    elif app.instrument in SUBSIDY_INSTRUMENTS:
        from loans.services.subsidies import subsidy_apply

        app.subsidy = subsidy_apply(scheme=app.scheme, loan=app.loan, by=applicant, loan_year=app.loan_year,
                                    appraisal_fee=app.appraisal_fee)
    else:
        raise _err("融资需求由合作银行直接对接，无需推荐",
                   "a financing need is answered by the banks directly", "not_recommendable", status=409)
