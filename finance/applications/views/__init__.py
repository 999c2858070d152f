"""Pages, by who uses them:

- ``enterprise``: the enterprise's applications — list, new, the form with autosave and pre-check, submit,
  withdraw, answers to a request for information, replies to the banks;
- ``workbench``: the reviewers' queue, the review page and its actions (assign, conflict, score, RFI,
  recommend, reject), the application's documents;
- ``banks``: the financing needs open to the partner banks and their answers;
- ``notifications``: everyone's in-platform notices;
- ``_common``: errors in the page's language, who may open which side.

Reads through selectors (another organisation's application is 404); writes through services (a DomainError
is shown on the page, in the page's language, and nothing is written). Every view stays importable from
``finance.applications.views`` (urls.py names them there).
"""
from .banks import need, need_answer, needs
from .enterprise import answer, autosave, bank_reply, detail, mine, new, submit, withdraw
from .notifications import notification_read, notifications
from .workbench import assign, conflict, document, queue, recommend, reject, review, rfi, score

__all__ = [
    "answer", "assign", "autosave", "bank_reply", "conflict", "detail", "document", "mine", "need",
    "need_answer", "needs", "new", "notification_read", "notifications", "queue", "recommend", "reject",
    "review", "rfi", "score", "submit", "withdraw",
]
