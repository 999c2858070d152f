"""Pages for fund managers, committee members and LPs (``pages``) and the GP's set-up and operations pages
(``setup``). The URL names and view names are unchanged from the single module this package replaced."""
from .committee import meeting_vote, my_votes  # noqa: F401
from .pages import (  # noqa: F401
    call_approve,
    call_notice,
    call_pay,
    call_wizard,
    deal_action,
    deal_create,
    deal_detail,
    deal_document,
    distribution_wizard,
    index_upload,
    my_commitments,
    nav_create,
    pipeline,
    subfund_detail,
    subfund_list,
)
from .setup import (  # noqa: F401
    commitment_add,
    fee_accrue,
    fee_payment,
    holding_exit,
    subfund_create,
    subfund_move,
    subfund_operations,
    valuation_create,
)
