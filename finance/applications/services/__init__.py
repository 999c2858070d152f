"""Every write of the application flow and the workbench, by workflow:

- ``fields``: the typed fields of each instrument's form, one parser each (``parse_fields``);
- ``drafting``: a new draft pre-filled from the profile, and the autosave;
- ``submission``: submit (gated by the pre-check) and withdraw;
- ``messaging``: requests for information and answers, the banks' threads on a financing need;
- ``review``: the workbench — assignment, conflict declarations, the scoring sheet;
- ``handover``: reject, or recommend and hand over to the instrument's own services;
- ``notify``: who hears of each step (in-platform notices, emailed on commit);
- ``_common``: the enterprise lock and who may act.

Keyword-only ``<entity>_<action>`` functions, each atomic: validate, lock what the decision reads (the
enterprise row, ``finance.core.locks.lock``, serialises every write to its applications), move the state
through ``approvals.state_change`` (``Application.TRANSITIONS``; the audit row is the timeline), and queue the
notices' emails with ``transaction.on_commit``. A ``DomainError`` means nothing was written.

The public names stay importable from ``finance.applications.services``.
"""
from .drafting import application_create, application_save_draft
from .fields import BOOLEANS, PARSERS, TEXTS, parse_fields
from .handover import application_recommend, application_reject
from .messaging import bank_answer, enterprise_reply_to_bank, rfi_answer, rfi_request
from .notify import notification_read
from .review import (
    CRITERIA,
    RECOMMEND_MIN,
    application_assign,
    conflict_declare,
    criteria_in_force,
    score_record,
    weighted_total,
)
from .submission import application_submit, application_withdraw

__all__ = [
    "application_assign", "application_create", "application_recommend", "application_reject",
    "application_save_draft", "application_submit", "application_withdraw", "bank_answer", "BOOLEANS",
    "conflict_declare", "CRITERIA", "criteria_in_force", "enterprise_reply_to_bank", "notification_read",
    "parse_fields", "PARSERS", "RECOMMEND_MIN", "rfi_answer", "rfi_request", "score_record", "TEXTS",
    "weighted_total",
]
