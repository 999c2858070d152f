"""Pages of the pool and guarantee schemes (``pages``) and the department's pool set-up pages (``pool_setup``:
new pools, contribution and withdrawal requests with maker-checker, per-pool policy values). View names and
URL names are unchanged from the single module this package replaced."""
from .pages import (  # noqa: F401
    claim_detail,
    claim_list,
    claim_new,
    enrolment_new,
    enrolments_for_home,
    guarantee_detail,
    guarantee_list,
    guarantee_new,
    pool_detail,
    pool_list,
    pool_stress,
)
from .pool_setup import (  # noqa: F401
    pool_new,
    pool_policy,
    pool_request_decide,
    pool_request_list,
    pool_request_new,
)
