"""Reads of the application flow, scoped to the caller.

- an enterprise's people see their own enterprise's applications (drafts included);
- department reviewers, auditors and administrators (oversight) see every submitted application;
- a fund manager sees the submitted equity applications to the programmes its organisation manages;
- a bank officer sees the financing needs open to partner banks (and, of each thread, only its own bank's).
Anything else answers 404. The outcome after hand-over is read from the instrument object the application
created (``application_outcome``): the application never copies the decision.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from finance.approvals.models import StateChange
from finance.parties.models import Role
from finance.parties.rules import can_see_everything
from finance.parties.selectors import scope_to_caller

from . import rules
from .models import EQUITY_INSTRUMENTS, REVIEW_STATES, Application, Instrument, Message, Notification, Status

S = Status
_BASE = ("enterprise", "programme", "scheme", "loan", "talent", "agreement", "project", "subsidy")


def application_list(*, user) -> QuerySet[Application]:
    """Every application the caller may read."""
    qs = Application.objects.select_related(*_BASE)
    if not user.is_authenticated:
        return qs.none()
    if rules.is_enterprise_user(user):
        return scope_to_caller(qs, user, "enterprise")
    submitted = qs.exclude(status__in=[S.DRAFT])
    if can_see_everything(user):
        return submitted.exclude(status=S.WITHDRAWN, submitted_at__isnull=True)
    if user.has_role(Role.FUND_MANAGER):
        return scope_to_caller(submitted.filter(instrument__in=EQUITY_INSTRUMENTS), user,
                               "programme__manager")
    if user.has_role(Role.BANK_OFFICER):
        return financing_needs(user=user)
    return qs.none()


def financing_needs(*, user) -> QuerySet[Application]:
    """Financing needs open to the partner banks (submitted, not withdrawn)."""
    if not (user.is_authenticated and (user.has_role(Role.BANK_OFFICER) or can_see_everything(user))):
        return Application.objects.none()
    return Application.objects.select_related(*_BASE).filter(instrument=Instrument.FINANCING_NEED,
                                                             status=S.SUBMITTED)


def my_applications(*, user) -> QuerySet[Application]:
    if not rules.is_enterprise_user(user):
        return Application.objects.none()
    return scope_to_caller(Application.objects.select_related(*_BASE), user, "enterprise")


@dataclass
class QueueFilters:
    instrument: str = ""
    city: str = ""
    status: str = ""
    age_days: int | None = None  # submitted at least this many days ago
    mine: bool = False


def review_queue(*, user, filters: QueueFilters | None = None) -> QuerySet[Application]:
    """The workbench queue: what the reviewer may review, filtered by instrument, city, status and age."""
    f = filters or QueueFilters()
    if not rules.is_reviewer(user):
        return Application.objects.none()
    qs = application_list(user=user).exclude(instrument=Instrument.FINANCING_NEED).exclude(status=S.WITHDRAWN)
    if not user.has_role(Role.DEPARTMENT_REVIEWER):
        qs = qs.filter(instrument__in=EQUITY_INSTRUMENTS)
    if f.instrument:
        qs = qs.filter(instrument=f.instrument)
    if f.city:
        qs = qs.filter(enterprise__region=f.city)
    if f.status:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.filter(status__in=REVIEW_STATES)
    if f.age_days:
        qs = qs.filter(submitted_at__lte=timezone.now() - dt.timedelta(days=f.age_days))
    if f.mine:
        qs = qs.filter(assignments__reviewer=user)
    return qs.prefetch_related("assignments__reviewer").order_by("submitted_at", "id")


def queue_cities(*, user) -> list[str]:
    return sorted({c for c in review_queue(user=user).values_list("enterprise__region", flat=True) if c})


def messages_for(application: Application, *, user) -> QuerySet[Message]:
    """The thread as the caller may read it: a bank only its own conversation; reviewers the review thread;
    the enterprise everything."""
    qs = application.messages.select_related("author", "bank").prefetch_related("attachments")
    if rules.is_enterprise_user(user) and user.organisation_id == application.enterprise_id:
        return qs
    if user.has_role(Role.BANK_OFFICER) and not can_see_everything(user):
        return qs.filter(bank_id=user.organisation_id)
    return qs.filter(bank__isnull=True)


def bank_threads(application: Application) -> dict:
    """Enterprise view of a financing need: bank → its messages."""
    out: dict = {}
    for m in application.messages.filter(bank__isnull=False).select_related("author", "bank"):
        out.setdefault(m.bank, []).append(m)
    return out


def unread_notifications(*, user) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("application")


def notifications_for(*, user) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("application")


# ---------------------------------------------------------------- the decision, read from the instrument

#: Linked object state → the outcome the enterprise reads.
APPROVED_STATES = {"approved", "contracted", "funded", "exited", "disbursed", "converting", "converted",
                   "overdue", "closing", "closed_grant", "closed_repaid", "closed_swapped", "monitoring",
                   "closed", "paid"}


@dataclass
class Outcome:
    code: str  # pending / approved / declined
    label_zh: str
    label_en: str
    obj: object | None = None
    obj_status: str = ""


def application_outcome(application: Application) -> Outcome | None:
    """After the hand-over: the decision of the instrument's own approval (committee / maker-checker), read
    from the linked object's state."""
    obj = application.handed_over
    if obj is None:
        return None
    status = obj.status
    label = obj.get_status_display()
    if status in APPROVED_STATES:
        zh = "已批准" if str(label) == "已批准" else f"已批准（{label}）"
        return Outcome("approved", zh, f"approved ({status})", obj, status)
    if status == "rejected":
        return Outcome("declined", "未获批准", "declined", obj, status)
    return Outcome("pending", f"审批中（{label}）", f"awaiting decision ({status})", obj, status)


def _changes(obj) -> list[StateChange]:
    from django.contrib.contenttypes.models import ContentType

    return list(StateChange.objects.filter(item_type=ContentType.objects.get_for_model(obj), item_id=obj.pk)
                .select_related("by"))


def _state_label(model, value: str) -> str:
    choices = dict(model._meta.get_field("status").flatchoices)
    return str(choices.get(value, value)) if value else ""


def timeline(application: Application, *, user) -> list[dict]:
    """The status timeline: the application's own state changes, then those of the instrument object it
    handed over to (its committee / approval decision), and the thread's messages — oldest first."""
    rows = []
    for c in _changes(application):
        rows.append({"at": c.at, "kind": "state", "from": _state_label(Application, c.from_state),
                     "to": _state_label(Application, c.to_state), "by": c.by, "reason": c.reason,
                     "internal": False})
    obj = application.handed_over
    if obj is not None:
        for c in _changes(obj):
            rows.append({"at": c.at, "kind": "decision", "from": _state_label(type(obj), c.from_state),
                         "to": _state_label(type(obj), c.to_state), "by": c.by, "reason": "",
                         "internal": True})
    for m in messages_for(application, user=user):
        rows.append({"at": m.created_at, "kind": "message", "message": m, "by": m.author})
    rows.sort(key=lambda r: (r["at"], 0 if r["kind"] == "state" else 1))
    return rows


def application_counts(*, user) -> dict[str, int]:
    """Home panel figures."""
    qs = application_list(user=user)
    return {s: qs.filter(status=s).count() for s in (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED,
                                                         S.RECOMMENDED)}


def queue_counts(*, user) -> dict[str, int]:
    qs = review_queue(user=user)
    return {"open": qs.count(), "mine": qs.filter(assignments__reviewer=user).count(),
            "unassigned": qs.filter(~Q(assignments__isnull=False)).count()}
