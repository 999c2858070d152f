"""The eligibility pre-check: each rule an instrument's decision will apply, passed or failed, with its
figure.

Nothing here restates a rule. Each check calls the rule's one place — the talent cap (``funds.direct.caps``),
talent eligibility (``funds.direct.services.talent_eligibility``), the 拨投贷 grant cap, the subsidy rules and
enterprise caps of ``loans.services.subsidies``, the enterprise verification rule of parties — and reports
what it answered. The same function gates ``application_submit``: a submission passes only when every rule
passes.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from finance.core.errors import DomainError
from finance.core.inputs import today
from finance.policy.selectors import PolicyUse

from .models import EQUITY_INSTRUMENTS, SUBSIDY_INSTRUMENTS, Application, Instrument
from .rules import DOCUMENTS, REQUIRED, programme_takes

INS = Instrument


@dataclass
class Rule:
    code: str
    label_zh: str
    label_en: str
    ok: bool
    figure_zh: str = ""
    figure_en: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Precheck:
    rules: list[Rule] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    policy: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rules) and all(d["present"] for d in self.documents) \
            and not self.missing_fields

    @property
    def failed(self) -> list[Rule]:
        return [r for r in self.rules if not r.ok]

    def as_dict(self) -> dict:
        return {"rules": [r.as_dict() for r in self.rules], "documents": self.documents,
                "missing_fields": self.missing_fields, "policy": self.policy, "ok": self.ok}


def _fmt(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _refused(code: str, label_zh: str, label_en: str, exc: DomainError) -> Rule:
    return Rule(code, label_zh, label_en, False, exc.detail_zh, exc.detail_en)


def _verified_rule(application: Application) -> Rule:
    from finance.parties.rules import check_may_submit

    try:
        check_may_submit(application.enterprise)
    except DomainError as exc:
        return _refused("enterprise_verified", "企业身份已经主管部门确认", "enterprise identity confirmed",
                        exc)
    return Rule("enterprise_verified", "企业身份已经主管部门确认", "enterprise identity confirmed", True)


def _cap_rule(application: Application, amount: Decimal | None, on: dt.date, pc: Precheck) -> Rule:
    """The talent cap (fiscal equity per enterprise, across every fiscal equity instrument)."""
    from funds.direct.caps import CAP_KEY, cap_state

    label_zh, label_en = "人才创业股权投资支持上限剩余额度", "talent equity cap headroom"
    try:
        state = cap_state(application.enterprise_id, on=on)
    except DomainError as exc:
        return _refused("talent_cap", label_zh, label_en, exc)
    pc.policy.update(state.policy)
    asked = amount or Decimal("0.00")
    figure_zh = f"剩余 {_fmt(state.headroom)} / 上限 {_fmt(state.cap)}（{CAP_KEY}），本次申请 {_fmt(asked)}"
    figure_en = (f"{_fmt(state.headroom)} of {_fmt(state.cap)} left ({CAP_KEY}); "
                 f"this application {_fmt(asked)}")
    return Rule("talent_cap", label_zh, label_en, asked <= state.headroom, figure_zh, figure_en)


#: A value that passes each talent criterion: used to go on past a failed criterion so every criterion is
#: answered by the one rule (``talent_eligibility`` stops at the first it fails).
_PASSING = {"talent_team_leads": True, "registered_in_shandong": True, "own_ip_count": 10**9,
            "founded_on": None, "founders_cash": Decimal("1e15")}


def _talent_rules(application: Application, on: dt.date, pc: Precheck) -> list[Rule]:
    from funds.direct.models import TalentEquity
    from funds.direct.services import ELIGIBILITY, talent_eligibility

    if application.founded_on is None:
        return []
    t = TalentEquity(enterprise_id=application.enterprise_id, talent_team_leads=application.talent_team_leads,
                     registered_in_shandong=application.registered_in_shandong,
                     own_ip_count=application.own_ip_count or 0, founded_on=application.founded_on,
                     founders_cash=application.founders_cash or Decimal("0"))
    failed: dict[str, DomainError] = {}
    for _ in range(len(ELIGIBILITY) + 1):
        probe = copy.copy(t)
        for name in failed:
            setattr(probe, name, on if name == "founded_on" else _PASSING[name])
        try:
            result = talent_eligibility(probe, on=on)
        except DomainError as exc:
            if exc.code != "not_eligible" or exc.field in failed:
                return [_refused("talent_eligibility", "人才股权投资资格条件", "talent equity eligibility",
                                 exc)]
            failed[exc.field] = exc
            continue
        pc.policy.update(result["policy"])
        rules = []
        for name, r in result["results"].items():
            if name in failed:
                rules.append(Rule(f"talent_{name}", r["label"], name, False, failed[name].detail_zh,
                                  failed[name].detail_en))
            else:
                rules.append(Rule(f"talent_{name}", r["label"], name, True))
        return rules
    return []


def _grant_rule(application: Application, on: dt.date, pc: Precheck) -> Rule | None:
    from funds.direct.services.gil import grant_cap_check

    grant = application.grant_amount or Decimal("0")
    if not grant:
        return None
    use = PolicyUse(on=on)
    label_zh, label_en = "拨投贷拨款上限", "grant-invest-loan grant cap"
    try:
        grant_cap_check(grant, use)
    except DomainError as exc:
        return _refused("grant_cap", label_zh, label_en, exc)
    pc.policy.update(use.snapshot)
    cap = use.snapshot.get("grantinvestloan.grant_cap", "")
    return Rule("grant_cap", label_zh, label_en, True, f"拨款 {_fmt(grant)} / 上限 {_fmt(Decimal(cap))}",
                f"grant {_fmt(grant)} of cap {_fmt(Decimal(cap))}")


def _programme_rule(application: Application) -> Rule | None:
    p = application.programme
    if p is None:
        return None
    return Rule("programme_open", f"专项「{p.name}」受理该类申请",
                f"programme '{p.name}' takes this instrument", programme_takes(p, application.instrument))


def _subsidy_rules(application: Application, on: dt.date, pc: Precheck) -> list[Rule]:
    from loans.services.subsidies import subsidy_amount, subsidy_cap_left

    scheme, loan = application.scheme, application.loan
    if scheme is None or loan is None:
        return []
    rules = [Rule("scheme_open", f"贴息项目「{scheme.name}」正在受理", f"scheme '{scheme.name}' open",
                  bool(scheme.is_open))]
    use = PolicyUse(on=on)
    label_zh, label_en = "贴息计算与资格", "subsidy computation and eligibility"
    try:
        basis, amount = subsidy_amount(scheme=scheme, loan=loan, enterprise=application.enterprise, use=use,
                                       loan_year=application.loan_year,
                                       appraisal_fee=application.appraisal_fee)
        left, key = subsidy_cap_left(scheme=scheme, enterprise=application.enterprise, use=use, on=on)
    except DomainError as exc:
        return [*rules, _refused("subsidy_rule", label_zh, label_en, exc)]
    pc.policy.update(use.snapshot)
    rules.append(Rule("subsidy_amount", "测算补贴金额", "computed subsidy", amount > 0,
                      f"基数 {_fmt(basis)}，测算 {_fmt(amount)}",
                      f"basis {_fmt(basis)}, computed {_fmt(amount)}"))
    rules.append(Rule("subsidy_cap", "企业补贴上限剩余额度", "enterprise subsidy cap headroom", left > 0,
                      f"剩余 {_fmt(left)}（{key}）", f"{_fmt(left)} left ({key})"))
    return rules


def _loan_term_rule(application: Application, on: dt.date, pc: Precheck) -> Rule | None:
    if not application.term_months:
        return None
    use = PolicyUse(on=on)
    label_zh, label_en = "知识产权质押贷款期限", "IP-pledge loan term"
    try:
        limit = int(use("loan.term_max_months"))
    except DomainError as exc:
        return _refused("loan_term", label_zh, label_en, exc)
    pc.policy.update(use.snapshot)
    return Rule("loan_term", label_zh, label_en, application.term_months <= limit,
                f"{application.term_months} 个月 / 最长 {limit} 个月",
                f"{application.term_months} of at most {limit} months")


def document_checklist(application: Application) -> list[dict]:
    """Each document kind the instrument needs, and whether the enterprise has uploaded one."""
    from finance.portal.models import DocumentKind
    from finance.portal.selectors import documents_of

    needed = DOCUMENTS[application.instrument]
    present = set(documents_of(application.enterprise, kinds=needed).values_list("kind", flat=True))
    labels = dict(DocumentKind.choices)
    return [{"kind": k, "label": str(labels.get(k, k)), "present": k in present} for k in needed]


def application_precheck(application: Application, *, on: dt.date | None = None) -> Precheck:
    """Every rule of the application's instrument, each passed or failed with its figure; the documents
    checklist; the fields a submission still needs."""
    on = on or today()
    pc = Precheck()
    pc.missing_fields = [f for f in REQUIRED[application.instrument] if getattr(application, f) in (None, "")]
    pc.rules.append(_verified_rule(application))
    inst = application.instrument
    if inst in EQUITY_INSTRUMENTS:
        rule = _programme_rule(application)
        if rule:
            pc.rules.append(rule)
    if inst == INS.TALENT_EQUITY:
        pc.rules.append(_cap_rule(application, application.amount, on, pc))
        pc.rules.extend(_talent_rules(application, on, pc))
    elif inst == INS.INVEST_FIRST:
        pc.rules.append(_cap_rule(application, application.amount, on, pc))
    elif inst == INS.GRANT_INVEST_LOAN:
        rule = _grant_rule(application, on, pc)
        if rule:
            pc.rules.append(rule)
        if application.equity_amount:
            pc.rules.append(_cap_rule(application, application.equity_amount, on, pc))
        if not (application.grant_amount or application.equity_amount):
            pc.rules.append(Rule("gil_leg", "至少申请拨款或股权一项", "a grant or an equity leg", False))
    elif inst in SUBSIDY_INSTRUMENTS:
        pc.rules.extend(_subsidy_rules(application, on, pc))
    elif inst == INS.FINANCING_NEED:
        rule = _loan_term_rule(application, on, pc)
        if rule:
            pc.rules.append(rule)
    pc.documents = document_checklist(application)
    return pc
