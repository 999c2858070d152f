"""Every write of the funds app, by workflow: set-up (funds, commitments, fees), calls, distributions,
portfolio (holdings, valuations, NAV), deals (pipeline, committee, documents) and index series.

Keyword-only ``<entity>_<action>`` functions, each atomic: parse input through ``finance.core.inputs``, lock
what the decision reads through ``finance.core.locks`` (in its global order), post money in the fund's own
currency to the ledger, record the policy values used. A ``DomainError`` means nothing was written.
The public names stay importable from ``funds.services``.
"""
from ..models import SubFund
from ._common import (
    cash_account,
    check_fund_open,
    fee_expense_account,
    fee_payable_account,
    fund_money,
    gains_account,
    gp_carry_account,
    investments_account,
    lp_capital_account,
    years_between,
)
from .calls import (
    call_approve,
    call_create,
    call_line_pay,
    call_needs_approval,
    call_pay_all,
    call_preview,
    call_split,
)
from .deals import (
    DEAL_MOVES,
    DEFAULT_CHECKLIST,
    EDITABLE,
    MANUAL_MOVES,
    checklist_tick,
    committee_approved,
    condition_add,
    condition_satisfy,
    deal_committee_decide,
    deal_create,
    deal_edit,
    deal_exit,
    deal_fund,
    deal_meeting_reopen,
    deal_move,
    deal_signoff,
    deal_submit,
    document_add,
)
from .distributions import distribution_create, distribution_plan, guidance_exit_price
from .documents import check_document
from .fees import fee_pay, fee_payment_decide, fee_payment_request, fee_payment_state
from .indices import index_upload, parse_index_csv
from .portfolio import holding_create, holding_exit, holdings_value, nav_record, parse_stake, valuation_record
from .setup import (
    check_commitments,
    commitment_add,
    fee_accrue,
    fee_basis_amount,
    guidance_fund_create,
    sub_fund_create,
    sub_fund_move,
)

#: The sub-fund's transition table lives on the model; kept here for older imports.
FUND_MOVES = SubFund.TRANSITIONS

__all__ = [
    "DEAL_MOVES", "DEFAULT_CHECKLIST", "EDITABLE", "FUND_MOVES", "MANUAL_MOVES", "call_approve",
    "call_create",
    "call_line_pay", "call_needs_approval", "call_pay_all", "call_preview", "call_split", "cash_account",
    "check_commitments", "check_document", "check_fund_open", "checklist_tick", "commitment_add",
    "committee_approved", "condition_add", "condition_satisfy", "deal_committee_decide", "deal_create",
    "deal_edit", "deal_exit", "deal_fund", "deal_meeting_reopen", "deal_move", "deal_signoff", "deal_submit",
    "distribution_create", "distribution_plan", "document_add", "fee_accrue", "fee_basis_amount",
    "fee_expense_account", "fee_pay", "fee_payable_account", "fee_payment_decide",
    "fee_payment_request", "fee_payment_state", "fund_money", "gains_account", "gp_carry_account",
    "guidance_exit_price", "guidance_fund_create", "holding_create", "holding_exit", "holdings_value",
    "index_upload", "investments_account", "lp_capital_account", "nav_record", "parse_index_csv",
    "parse_stake",
    "sub_fund_create", "sub_fund_move", "valuation_record", "years_between",
]
