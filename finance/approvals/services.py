"""State changes with an audit trail, maker-checker approvals and committee decisions.

Items taking part implement ``approval_content() -> dict`` (what the approver saw; hashed) and expose
``maker_id`` (who created/submitted them: that person never approves or votes on them).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from finance.core.errors import DomainError, InvalidTransition, PermissionDenied
from finance.core.inputs import today
from finance.core.locks import lock, lock_all
from finance.parties.rules import check_approver_independent
from finance.policy.selectors import PolicyUse, policy_value

from .models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStatus,
    Meeting,
    MeetingStatus,
    Recusal,
    StateChange,
    Vote,
    VoteChoice,
)

# The read side lives in selectors; re-exported for callers that import it from services.
from .selectors import approval_approver_ids, approval_current, history, item_type  # noqa: F401


def _canonical(value):
    """Decimals compare by value (12 == 12.000000 as stored), dates as ISO text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def content_hash(item) -> str:
    """sha256 of the item's approval content in canonical JSON (sorted keys, decimals normalised)."""
    payload = json.dumps(item.approval_content(), sort_keys=True, default=_canonical, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def state_change_record(obj, *, from_state: str, to_state: str, by=None, reason: str = "",
                        field: str = "status"):
    return StateChange.objects.create(item_type=item_type(obj), item_id=obj.pk, field=field,
                                      from_state=from_state or "", to_state=to_state, by=by, reason=reason)


def state_change_bulk(model, ids, *, from_state: str, to_state: str, by=None, reason: str = "",
                      field: str = "status") -> int:
    """Audit rows for many objects of one model that moved together (bank files, the nightly classification).

    The caller has already moved them set-based (an ``UPDATE`` or a COPY); this writes the same audit row
    ``state_change`` would, one per object: with ``COPY`` on PostgreSQL (a bank file's 100,000 rows), with one
    ``bulk_create`` elsewhere. Both write the same rows.
    """
    ids = [int(pk) for pk in ids]
    if not ids:
        return 0
    shared = {"item_type_id": ContentType.objects.get_for_model(model).pk, "field": field,
              "from_state": from_state or "", "to_state": to_state,
              "by_id": by.pk if by is not None else None, "reason": reason}
    if connection.vendor == "postgresql":
        _state_changes_copy(ids, shared)
    else:
        _state_changes_orm(ids, shared)
    return len(ids)


def _state_changes_orm(ids: list[int], shared: dict) -> None:
    StateChange.objects.bulk_create([StateChange(item_id=pk, **shared) for pk in ids], batch_size=5000)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format (NULL as \\N; backslash, tab and line breaks escaped)."""
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _state_changes_copy(ids: list[int], shared: dict) -> None:
    """The rows of ``_state_changes_orm`` through ``COPY … FROM STDIN`` (psycopg 3), ids from the sequence.
    All columns but ``item_id`` are the same in every row, so the rest of the line is formatted once."""
    values = {**shared, "at": timezone.now()}
    columns = list(values)
    head = "\t".join(_copy_text(values[c]) for c in columns)
    payload = "".join(f"{head}\t{pk}\n" for pk in ids).encode()
    sql = f"COPY {StateChange._meta.db_table} ({', '.join(columns)}, item_id) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cur:
        # wrap_database_errors: a failing row is Django's IntegrityError, as with bulk_create
        with connection.wrap_database_errors, cur.cursor.copy(sql) as cp:
            for i in range(0, len(payload), 1 << 20):
                cp.write(payload[i:i + (1 << 20)])


def transitions_of(obj, field: str = "status") -> dict[str, set[str]]:
    """The model's declarative transition table: ``TRANSITIONS`` (``status``) or ``<FIELD>_TRANSITIONS``."""
    name = "TRANSITIONS" if field == "status" else f"{field.upper()}_TRANSITIONS"
    table = getattr(type(obj), name, None)
    if table is None:
        raise LookupError(f"{type(obj).__name__} declares no {name}")
    return table


def state_change(obj, *, to: str, by=None, reason: str = "", field: str = "status",
                 also: tuple[str, ...] = (), allowed: dict[str, set[str]] | None = None):
    """Move ``obj`` along its state machine, save the state field (and the named ``also`` fields) and log
    who/when/from/to/why. The allowed moves come from the model's ``TRANSITIONS`` table; unknown moves are
    refused. ``allowed`` is the legacy form for models without a table yet: it saves the whole object.
    """
    table = allowed if allowed is not None else transitions_of(obj, field)
    frm = getattr(obj, field)
    if to not in table.get(frm, set()):
        raise InvalidTransition(f"不允许从「{_label(obj, field, frm)}」变更为「{_label(obj, field, to)}」",
                                f"cannot move from '{frm}' to '{to}'", field=field)
    setattr(obj, field, to)
    if allowed is not None:
        obj.save()
    else:
        obj.save(update_fields=[field, *also])
    state_change_record(obj, from_state=frm, to_state=to, by=by, reason=reason, field=field)
    return obj


def _label(obj, field: str, value: str) -> str:
    """The display label of a state (people read 已提交, not submitted)."""
    choices = dict(type(obj)._meta.get_field(field).flatchoices)
    return str(choices.get(value, value))


# ---------------------------------------------------------------- maker-checker


# Kinds whose amount decides whether a second, different approver is needed. The threshold is the policy
# parameter ``approval.<kind>.second_level_from`` (shipped by migration, changed through maker-checker).
SECOND_LEVEL_KINDS = ("claim", "subsidy", "guarantee_payout", "premium_subsidy", "capital_call")


def _levels(kind: str, amount: Decimal, default_role: str) -> list[str]:
    """Roles of the levels an approval of ``kind`` and ``amount`` needs, one person per level.

    Explicit ``ApprovalRule`` rows win (a programme may ask for other roles); otherwise one level by
    ``default_role``, and a second by the same role (another person) from the policy threshold on.
    """
    rules = list(ApprovalRule.objects.filter(kind=kind, min_amount__lte=amount).order_by("level"))
    if rules:
        return [r.role for r in rules]
    if kind in SECOND_LEVEL_KINDS:
        threshold = policy_value(f"approval.{kind}.second_level_from", on=today())
        if amount >= threshold:
            return [default_role, default_role]
    return [default_role]


def approval_check_payer(item, payer) -> None:
    """Paying is a separate step by a different person: neither the maker nor an approver may pay."""
    request = approval_current(item)
    if request is not None and (payer.pk == request.maker_id or payer.pk in approval_approver_ids(item)):
        raise PermissionDenied("付款须由经办人和审批人以外的人员执行",
                               "payment must be made by someone other than the maker and the approvers",
                               code="payer_is_approver")


@transaction.atomic
def approval_submit(*, item, kind: str, amount: Decimal, maker, default_role: str) -> ApprovalRequest:
    """Open an approval for ``item``; the number of levels comes from the kind's amount thresholds."""
    if ApprovalRequest.objects.filter(item_type=item_type(item), item_id=item.pk,
                                      status=ApprovalStatus.PENDING).exists():
        raise DomainError("该事项已在审批中", "this item is already awaiting approval",
                          code="approval_pending", status=409)
    levels = _levels(kind, amount, default_role)
    return ApprovalRequest.objects.create(kind=kind, item_type=item_type(item), item_id=item.pk,
                                          amount=amount, levels_required=len(levels),
                                          content_hash=content_hash(item), maker=maker)


@transaction.atomic
def approval_decide(*, request: ApprovalRequest, approver, approve: bool, comment: str = "",
                    default_role: str) -> ApprovalRequest:
    """Record one level's decision.

    The maker never decides; one person decides one level; a changed item is refused.
    """
    request = lock(ApprovalRequest, request.pk)
    if request.status != ApprovalStatus.PENDING:
        raise DomainError("该审批已结束", "this approval is no longer pending", code="approval_closed",
                          status=409)
    if approver.pk == request.maker_id:
        raise PermissionDenied("经办人不能审批自己提交的事项", "the maker cannot approve their own item",
                               code="maker_cannot_approve")
    if request.decisions.filter(approver=approver).exists():
        raise PermissionDenied("同一人不能审批两个层级", "one person cannot decide two levels",
                               code="same_approver")
    if content_hash(request.item) != request.content_hash:
        raise DomainError("事项在提交审批后已被修改，请重新提交",
                          "the item changed after it was submitted; submit it again",
                          code="approval_stale", status=409)
    level = request.decisions.count() + 1
    role = _levels(request.kind, request.amount, default_role)[level - 1]
    if not approver.has_role(role):
        raise PermissionDenied(f"第 {level} 级审批需要角色 {role}", f"level {level} needs role {role}",
                               code="approver_role_required")
    check_approver_independent(maker=request.maker, approver=approver, role=role)
    ApprovalDecision.objects.create(request=request, level=level, approver=approver, approve=approve,
                                    content_hash=request.content_hash, comment=comment)
    outcome = ApprovalStatus.REJECTED if not approve else (
        ApprovalStatus.APPROVED if level == request.levels_required else None)
    if outcome is not None:
        request.decided_at = timezone.now()
        state_change(request, to=outcome, by=approver, reason=comment or outcome, also=("decided_at",))
    return request


def approval_is_valid(item) -> bool:
    """Approved, and the item is still exactly what the approvers saw."""
    request = approval_current(item)
    return bool(request and request.status == ApprovalStatus.APPROVED
                and request.content_hash == content_hash(item))


@transaction.atomic
def approvals_void_for(item, *, by=None, reason: str = "edited") -> int:
    """An edit voids every live approval of the item (pending or approved) and every committee vote on it."""
    live = lock_all(ApprovalRequest, item_type=item_type(item), item_id=item.pk,
                    status__in=[ApprovalStatus.PENDING, ApprovalStatus.APPROVED])
    for request in live:
        state_change(request, to=ApprovalStatus.VOIDED, by=by, reason=reason)
    return len(live)


# ---------------------------------------------------------------- investment committee


@transaction.atomic
def meeting_open(*, committee, item, held_on: dt.date, by) -> Meeting:
    use = PolicyUse(on=held_on)
    meeting = Meeting.objects.create(committee=committee, item_type=item_type(item), item_id=item.pk,
                                     held_on=held_on, quorum_ratio=use("committee.quorum_ratio"),
                                     majority_ratio=use("committee.majority_ratio"), opened_by=by,
                                     tally={"policy": use.snapshot})
    state_change_record(meeting, from_state="", to_state=MeetingStatus.OPEN, by=by, reason="meeting opened")
    return meeting


def _open_meeting_for(meeting: Meeting, member) -> Meeting:
    meeting = lock(Meeting, meeting.pk)
    if meeting.status != MeetingStatus.OPEN:
        raise DomainError("会议已结束", "the meeting is closed", code="meeting_closed", status=409)
    if not meeting.committee.members.filter(pk=member.pk).exists():
        raise PermissionDenied("您不是该投委会委员", "you are not a member of this committee",
                               code="not_a_member")
    return meeting


@transaction.atomic
def conflict_declare(*, meeting: Meeting, member, reason: str) -> Recusal:
    """A member with a conflict of interest recuses; any vote they cast stops counting."""
    meeting = _open_meeting_for(meeting, member)
    if not reason.strip():
        raise DomainError("请说明利益冲突", "describe the conflict of interest", code="required",
                          field="reason")
    recusal, _ = Recusal.objects.get_or_create(meeting=meeting, member=member, defaults={"reason": reason})
    return recusal


@transaction.atomic
def vote_cast(*, meeting: Meeting, member, choice: str, comment: str = "") -> Vote:
    meeting = _open_meeting_for(meeting, member)
    if choice not in VoteChoice.values:
        raise DomainError(f"无效的表决选项：{choice}", f"invalid vote: {choice}", code="invalid_choice",
                          field="choice")
    if meeting.recusals.filter(member=member).exists():
        raise PermissionDenied("已回避的委员不能表决", "a recused member cannot vote", code="recused")
    item = meeting.item
    if getattr(item, "maker_id", None) == member.pk:
        raise PermissionDenied("经办人不能对自己提交的项目表决", "the maker cannot vote on their own item",
                               code="maker_cannot_approve")
    if meeting.votes.filter(member=member).exists():
        raise DomainError("您已表决", "you have already voted", code="already_voted", status=409)
    return Vote.objects.create(meeting=meeting, member=member, choice=choice, comment=comment,
                               content_hash=content_hash(item))


def meeting_tally(meeting: Meeting) -> dict:
    """Count only votes of non-recused members cast on the item as it is now (an edit voids earlier votes)."""
    # fresh: never a cached, pre-edit copy
    item = meeting.item_type.get_object_for_this_type(pk=meeting.item_id)
    current = content_hash(item)
    members = set(meeting.committee.members.values_list("pk", flat=True))
    recused = set(meeting.recusals.values_list("member_id", flat=True))
    eligible = members - recused
    votes = [v for v in meeting.votes.all() if v.member_id in eligible]
    valid = [v for v in votes if v.content_hash == current]
    count = {c: sum(1 for v in valid if v.choice == c) for c in VoteChoice.values}
    quorum_met = len(eligible) > 0 and Decimal(len(valid)) >= meeting.quorum_ratio * len(eligible)
    passed = quorum_met and Decimal(count[VoteChoice.FOR]) > meeting.majority_ratio * len(valid)
    return {"members": len(members), "recused": len(recused), "eligible": len(eligible),
            "valid_votes": len(valid), "voided_votes": len(votes) - len(valid), **count,
            "quorum_met": quorum_met, "passed": passed}


@transaction.atomic
def meeting_decide(*, meeting: Meeting, by, memo: str) -> Meeting:
    """Close the vote: no quorum → no decision (the item can go to another meeting); else majority decides."""
    meeting = lock(Meeting, meeting.pk)
    if meeting.status != MeetingStatus.OPEN:
        raise DomainError("会议已结束", "the meeting is closed", code="meeting_closed", status=409)
    tally = meeting_tally(meeting)
    if not tally["quorum_met"]:
        outcome = MeetingStatus.NO_QUORUM
    else:
        outcome = MeetingStatus.APPROVED if tally["passed"] else MeetingStatus.REJECTED
    meeting.tally = {**meeting.tally, **tally}
    meeting.memo = memo
    meeting.decided_at = timezone.now()
    state_change(meeting, to=outcome, by=by, reason=memo, also=("tally", "memo", "decided_at"))
    return meeting
