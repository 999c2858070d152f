"""Writes of the enterprise's own records, by workflow:

- ``profile``: the company facts, the tech-based SME entry and the high-tech certificate (``profile_save``);
- ``talent``: the talent team (``talent_member_add``, ``talent_member_remove``);
- ``shareholders``: the declared shareholders, their ID numbers and stakes up to 100 %;
- ``portfolio``: the IP portfolio, numbers checked for their kind (``ip_number_check``, ``ip_right_add``);
- ``documents``: uploads after the whitelist, content and size checks, and their deletion;
- ``_common``: who may write (``check_may_edit``), field labels and the labelled parsers they share.

Keyword-only, atomic; each validates every input first (a bilingual DomainError naming the field, nothing
written) and writes an audit row (``approvals.state_change_record``) for what a reviewer relies on: the
profile, the IP portfolio and the documents. Only the enterprise's own applicants and administrators write
here (``check_may_edit``); reviewers read. The public names stay importable from ``finance.portal.services``.
"""

from ._common import LABELS, MONEY_MAX, WRITER_ROLES, check_may_edit
from .documents import _original_name, document_delete, document_upload
from .portfolio import ip_number_check, ip_right_add, ip_right_remove
from .profile import profile_save
from .shareholders import shareholder_add, shareholder_remove
from .talent import talent_member_add, talent_member_remove

__all__ = [
    "_original_name", "check_may_edit", "document_delete", "document_upload", "ip_number_check",
    "ip_right_add", "ip_right_remove", "LABELS", "MONEY_MAX", "profile_save", "shareholder_add",
    "shareholder_remove", "talent_member_add", "talent_member_remove", "WRITER_ROLES",
]
