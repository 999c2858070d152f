"""Deals through the pipeline and the investment committee: maker-checker, the committee's decision record,
the talent cap and the single-deal cap per company, conditions precedent, documents and funding."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from finance.approvals import services as approvals
from finance.approvals.models import ApprovalStatus, Meeting, MeetingStatus
from finance.core.errors import InvalidTransition
from finance.core.inputs import parse_amount, parse_date, parse_text, today
from finance.core.locks import lock
from finance.parties.models import Organisation, OrgKind, Role
from finance.policy.selectors import PolicyUse
from funds.direct.caps import deal_cap_check

from ..models import (
    ChecklistItem,
    Condition,
    Deal,
    DealDocument,
    DealStatus,
    Instrument,
    Stage,
    SubFund,
)
from ._common import _err, check_fund_open
from .caps import single_deal_cap_check, talent_cap_check
from .documents import check_document
from .portfolio import holding_create, holding_exit, parse_stake

#: The deal's transition table lives on the model (``Deal.TRANSITIONS``); kept here for older imports.
DEAL_MOVES = Deal.TRANSITIONS
#: Moves a person asks for directly; the others happen through their own service (committee, sign-off,
#: funding).
MANUAL_MOVES = {(DealStatus.SOURCED, DealStatus.SCREENING), (DealStatus.SCREENING, DealStatus.DUE_DILIGENCE),
                (DealStatus.SOURCED, DealStatus.REJECTED), (DealStatus.SCREENING, DealStatus.REJECTED),
                (DealStatus.DUE_DILIGENCE, DealStatus.REJECTED),
                (DealStatus.COMMITTEE, DealStatus.DUE_DILIGENCE),
                (DealStatus.APPROVED, DealStatus.CONTRACTED)}

DEFAULT_CHECKLIST = [
    "营业执照与章程 Business licence and articles",
    "近三年财务报表 Financial statements (3 years)",
    "知识产权与成果权属 IP and result ownership",
    "核心团队背景调查 Team background checks",
    "法律尽调报告 Legal due diligence report",
]
EDITABLE = ("title", "instrument", "amount", "pre_money", "stake", "stage", "in_shandong",
            "converts_fiscal_result",
            "terms")


def _choice(values: dict, key: str, choices, zh: str, en: str, code: str, out: dict) -> None:
    if key in values:
        if values[key] not in choices.values:
            shown = str(values[key])[:30]
            raise _err(f"未知的{zh} {shown!r}", f"unknown {en} {shown!r}", code, key)
        out[key] = values[key]


def _deal_input(values: dict) -> dict:
    out = {}
    if "amount" in values:
        out["amount"] = parse_amount(values["amount"], "amount")
    if values.get("pre_money") not in (None, ""):
        out["pre_money"] = parse_amount(values["pre_money"], "pre_money")
    elif "pre_money" in values:
        out["pre_money"] = None
    _choice(values, "instrument", Instrument, "投资方式", "instrument", "invalid_instrument", out)
    _choice(values, "stage", Stage, "阶段", "stage", "invalid_stage", out)
    if "stake" in values:
        out["stake"] = parse_stake(values["stake"])
    if "title" in values:
        out["title"] = parse_text(values["title"], "title", max_length=200)
    for k in ("in_shandong", "converts_fiscal_result"):
        if k in values:
            out[k] = bool(values[k])
    if "terms" in values:
        out["terms"] = parse_text(values["terms"], "terms", max_length=20000, required=False)
    return out


@transaction.atomic
def deal_create(*, sub_fund: SubFund, enterprise: Organisation, title: str, instrument: str, amount, by,
                pre_money=None, stake="0", stage: str = Stage.EARLY, in_shandong: bool = True,
                converts_fiscal_result: bool = False, terms: str = "", checklist=None) -> Deal:
    if enterprise.kind not in (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY):
        raise _err("投资对象必须是企业", "the investee must be an enterprise", "invalid_enterprise",
                   "enterprise")
    check_fund_open(sub_fund)
    data = _deal_input({"title": title, "instrument": instrument, "amount": amount, "pre_money": pre_money,
                        "stake": stake, "stage": stage, "in_shandong": in_shandong,
                        "converts_fiscal_result": converts_fiscal_result, "terms": terms})
    deal = Deal.objects.create(sub_fund=sub_fund, enterprise=enterprise, maker=by, **data)
    ChecklistItem.objects.bulk_create([ChecklistItem(deal=deal,
                                                     label=x) for x in (checklist or DEFAULT_CHECKLIST)])
    approvals.state_change_record(deal, from_state="", to_state=deal.status, by=by, reason="sourced")
    return deal


def _locked_deal(deal: Deal) -> Deal:
    return lock(Deal, deal.pk)


def _back_to_committee(deal: Deal, *, by, reason: str) -> None:
    approvals.approvals_void_for(deal, by=by, reason=reason)
    if deal.status in (DealStatus.APPROVED, DealStatus.CONTRACTED):
        approvals.state_change(deal, to=DealStatus.COMMITTEE, by=by,
                               reason=f"edited after approval: {reason}")
        _meeting_for(deal, by=by, held_on=today())
    elif deal.status == DealStatus.COMMITTEE:
        if deal.meeting and deal.meeting.status == MeetingStatus.OPEN:
            _approval_request(deal, by=by)  # the open meeting's earlier votes no longer count (content hash)
        else:
            _meeting_for(deal, by=by, held_on=today())


@transaction.atomic
def deal_edit(*, deal: Deal, by, reason: str = "edited", **values) -> Deal:
    """Change the terms. Any change to what the committee saw voids its votes and approvals; an approved or
    contracted deal goes back to the committee."""
    deal = _locked_deal(deal)
    if deal.status in (DealStatus.FUNDED, DealStatus.EXITED, DealStatus.REJECTED):
        raise InvalidTransition(f"「{deal.get_status_display()}」状态的项目不能修改",
                                f"a {deal.status} deal cannot be edited", code="deal_locked")
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise _err(f"不能修改字段 {sorted(unknown)}", f"fields {sorted(unknown)} cannot be edited",
                   "invalid_field",
                   sorted(unknown)[0])
    reason = parse_text(reason, "reason", max_length=2000, required=False) or "edited"
    before = approvals.content_hash(deal)
    changes = _deal_input(values)
    for k, v in changes.items():
        setattr(deal, k, v)
    deal.save(update_fields=[*changes, "updated_at"])
    if approvals.content_hash(deal) != before:
        _back_to_committee(deal, by=by, reason=reason)
    return deal


@transaction.atomic
def deal_move(*, deal: Deal, to: str, by, reason: str = "") -> Deal:
    """A manual step along the pipeline (screening, due diligence, rejection, contract)."""
    deal = _locked_deal(deal)
    reason = parse_text(reason, "reason", max_length=2000, required=False)
    if (deal.status, to) not in MANUAL_MOVES:
        if to in Deal.TRANSITIONS.get(deal.status, set()):
            raise InvalidTransition(f"「{to}」需通过专门的流程完成（投委会、复核或出资）",
                                    f"'{to}' is reached through its own step (committee, sign-off or "
                                    "funding)",
                                    field="status")
        raise InvalidTransition(f"不允许从「{deal.status}」变更为「{str(to)[:30]}」",
                                f"cannot move from '{deal.status}' to '{str(to)[:30]}'", field="status")
    if to == DealStatus.REJECTED and not reason:
        raise _err("否决需说明理由", "a rejection needs a reason", "required", "reason")
    return approvals.state_change(deal, to=to, by=by, reason=reason)


def _approval_request(deal: Deal, *, by):
    return approvals.approval_submit(item=deal, kind="deal", amount=deal.amount, maker=deal.maker,
                                     default_role=Role.FUND_MANAGER)


def _meeting_for(deal: Deal, *, by, held_on):
    meeting = approvals.meeting_open(committee=deal.committee, item=deal, held_on=held_on, by=by)
    deal.meeting = meeting
    deal.save(update_fields=["meeting", "updated_at"])
    _approval_request(deal, by=by)
    return meeting


@transaction.atomic
def deal_submit(*, deal: Deal, committee, by, held_on: dt.date | None = None, reason: str = "") -> Deal:
    """Due diligence done → the committee: every checklist item ticked, a meeting opened, an approval request
    made."""
    deal = _locked_deal(deal)
    # A committee never votes on a deal that could not be signed: the talent cap is checked here already.
    deal_cap_check(deal, on=parse_date(held_on, "held_on") if held_on else today())
    if committee.organisation_id != deal.sub_fund.manager_id:
        raise _err("投委会必须属于该子基金的管理人", "the committee must belong to the sub-fund's manager",
                   "invalid_committee", "committee")
    if deal.status != DealStatus.DUE_DILIGENCE:
        raise InvalidTransition("只有尽调阶段的项目可以提交投委会",
                                "only a deal in due diligence can go to committee",
                                field="status")
    open_items = [c.label for c in deal.checklist.all() if not c.done]
    if open_items:
        raise _err(f"尽调清单未完成：{'; '.join(open_items)}",
                   f"due-diligence checklist incomplete: {'; '.join(open_items)}", "checklist_incomplete",
                   "checklist")
    held_on = parse_date(held_on, "held_on") if held_on else today()
    deal.committee = committee
    approvals.state_change(deal, to=DealStatus.COMMITTEE, by=by, also=("committee", "updated_at"),
                           reason=parse_text(reason, "reason", max_length=2000, required=False)
                           or "submitted to the investment committee")
    _meeting_for(deal, by=by, held_on=held_on)
    return deal


@transaction.atomic
def deal_meeting_reopen(*, deal: Deal, by, held_on: dt.date | None = None) -> Deal:
    """After a meeting without quorum (or an edit) the deal goes to a new meeting."""
    deal = _locked_deal(deal)
    if deal.status != DealStatus.COMMITTEE or (deal.meeting and deal.meeting.status == MeetingStatus.OPEN):
        raise InvalidTransition("该项目已有进行中的会议或不在投委会阶段",
                                "the deal already has an open meeting or is not at committee",
                                code="meeting_open")
    approvals.approvals_void_for(deal, by=by, reason="new meeting")
    _meeting_for(deal, by=by, held_on=parse_date(held_on, "held_on") if held_on else today())
    return deal


@transaction.atomic
def deal_committee_decide(*, deal: Deal, by, memo: str) -> Deal:
    """Close the vote. No quorum: the deal stays at committee. Rejected: the deal is rejected. Approved: it
    waits for the sign-off levels (maker-checker, levels by amount)."""
    deal = _locked_deal(deal)
    if deal.status != DealStatus.COMMITTEE or deal.meeting is None:
        raise InvalidTransition("项目不在投委会阶段", "the deal is not at committee", code="not_at_committee")
    memo = parse_text(memo, "memo", max_length=5000)
    meeting = approvals.meeting_decide(meeting=deal.meeting, by=by, memo=memo)
    if meeting.tally.get("quorum_met") and not meeting.tally.get("passed"):
        approvals.approvals_void_for(deal, by=by, reason="committee rejected")
        approvals.state_change(deal, to=DealStatus.REJECTED, by=by, reason=memo)
    deal.meeting = meeting
    return deal


def committee_approved(deal: Deal) -> bool:
    """The committee approved the deal as it is now, read from the decision record, never from a status field.

    The meeting was decided through ``finance.approvals`` (its decision time and stored tally say it passed),
    and the votes themselves, counted again now (recusals out, votes on an earlier version void), still pass
    with quorum. An administrator who sets ``Meeting.status`` by hand changes none of these."""
    if deal.meeting_id is None:
        return False
    meeting = Meeting.objects.get(pk=deal.meeting_id)
    if meeting.decided_at is None or meeting.tally.get("passed") is not True:
        return False
    fresh = approvals.meeting_tally(meeting)
    return bool(fresh["quorum_met"] and fresh["passed"])


@transaction.atomic
def deal_signoff(*, deal: Deal, by, approve: bool, comment: str = "") -> Deal:
    """A checker signs off the committee's approval at the level the amount needs; the maker never can."""
    deal = _locked_deal(deal)
    if deal.status != DealStatus.COMMITTEE or not committee_approved(deal):
        raise InvalidTransition("投委会尚未通过该项目", "the committee has not approved this deal",
                                code="not_approved_by_committee")
    request = approvals.approval_current(deal)
    if request is None or request.status != ApprovalStatus.PENDING:
        raise InvalidTransition("没有待复核的审批", "there is no pending sign-off",
                                code="no_pending_approval")
    comment = parse_text(comment, "comment", max_length=2000, required=False)
    lock(Organisation, deal.enterprise_id)  # per-enterprise caps: before the approval rows (lock order)
    request = approvals.approval_decide(request=request, approver=by, approve=approve, comment=comment,
                                        default_role=Role.FUND_MANAGER)
    if request.status == ApprovalStatus.REJECTED:
        approvals.state_change(deal, to=DealStatus.REJECTED, by=by, reason=comment or "sign-off refused")
    elif request.status == ApprovalStatus.APPROVED:
        use = PolicyUse(on=today())
        talent_cap_check(deal, use)
        single_deal_cap_check(deal, use)
        deal.policy = {**deal.policy, "approval": use.snapshot}
        approvals.state_change(deal, to=DealStatus.APPROVED, by=by, reason=comment or "approved",
                               also=("policy", "updated_at"))
    return deal


def _check_deal_open(deal: Deal, zh: str, en: str) -> None:
    if deal.status in (DealStatus.FUNDED, DealStatus.EXITED, DealStatus.REJECTED):
        raise InvalidTransition(zh, en, code="deal_locked")


@transaction.atomic
def checklist_tick(*, item: ChecklistItem, by, done: bool = True, note: str = "") -> ChecklistItem:
    deal = _locked_deal(item.deal)
    _check_deal_open(deal, "该项目的尽调清单不能再修改", "this deal's checklist can no longer change")
    item = lock(ChecklistItem, item.pk)
    note = parse_text(note, "note", max_length=300, required=False)
    item.done, item.done_by, item.note = done, by if done else None, note or item.note
    item.save(update_fields=["done", "done_by", "note"])
    return item


@transaction.atomic
def condition_add(*, deal: Deal, description: str, by=None) -> Condition:
    deal = _locked_deal(deal)
    description = parse_text(description, "description", max_length=300)
    _check_deal_open(deal, "该项目不能再添加先决条件", "conditions can no longer be added to this deal")
    return Condition.objects.create(deal=deal, description=description)


@transaction.atomic
def condition_satisfy(*, condition: Condition, on: dt.date, by) -> Condition:
    condition = lock(Condition, condition.pk)
    condition.satisfied_on = parse_date(on, "on", not_future=True)
    condition.satisfied_by = by
    condition.save(update_fields=["satisfied_on", "satisfied_by"])
    return condition


@transaction.atomic
def document_add(*, deal: Deal, title: str, file, by) -> DealDocument:
    """A due-diligence document: whitelisted type (extension and content agree), within the size cap, stored
    under a generated name; read back only through the scoped download view, as an attachment."""
    check_document(file)
    title = parse_text(title or file.name, "title", max_length=200)
    return DealDocument.objects.create(deal=deal, title=title, file=file, uploaded_by=by,
                                       original_name=str(file.name)[-200:])


@transaction.atomic
def deal_fund(*, deal: Deal, funded_on: dt.date, by) -> Deal:
    """Pay a contracted deal: conditions precedent met, approval still valid, talent cap held; posts the
    investment to the ledger and creates the holding."""
    deal = _locked_deal(deal)
    funded_on = parse_date(funded_on, "funded_on", not_future=True)
    if deal.status != DealStatus.CONTRACTED:
        raise InvalidTransition("只有已签约的项目可以出资", "only a contracted deal can be funded",
                                field="status")
    open_cps = [c.description for c in deal.conditions.all() if c.satisfied_on is None]
    if open_cps:
        raise _err(f"先决条件未满足：{'; '.join(open_cps)}",
                   f"conditions precedent not met: {'; '.join(open_cps)}",
                   "conditions_open", "conditions")
    if not approvals.approval_is_valid(deal):
        raise _err("审批已失效（项目在审批后被修改），请重新上会",
                   "the approval is no longer valid (the deal changed after it); take it back to committee",
                   "approval_void", "status", status=409)
    lock(Organisation, deal.enterprise_id)
    use = PolicyUse(on=funded_on)
    talent_cap_check(deal, use)
    holding = holding_create(sub_fund=deal.sub_fund, company=deal.enterprise,
                             company_name=deal.enterprise.name,
                             invested_on=funded_on, amount=deal.amount, stake=deal.stake, stage=deal.stage,
                             in_shandong=deal.in_shandong, converts_fiscal_result=deal.converts_fiscal_result,
                             deal=deal, by=by)
    deal.funded_on, deal.entry = funded_on, holding.entry
    deal.policy = {**deal.policy, "funding": use.snapshot}
    approvals.state_change(deal, to=DealStatus.FUNDED, by=by, reason=f"funded on {funded_on}",
                           also=("funded_on", "entry", "policy", "updated_at"))
    return deal


@transaction.atomic
def deal_exit(*, deal: Deal, exited_on: dt.date, proceeds, by) -> Deal:
    deal = _locked_deal(deal)
    if deal.status != DealStatus.FUNDED:
        raise InvalidTransition("只有已出资的项目可以退出", "only a funded deal can exit", field="status")
    holding_exit(holding=deal.holding, exited_on=exited_on, proceeds=proceeds, by=by)
    return approvals.state_change(deal, to=DealStatus.EXITED, by=by, reason=f"exited on {exited_on}")
