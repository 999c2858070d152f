"""The API of the pool and guarantee schemes, by workflow (routes in ``guarantees.api_urls``)."""

from .guarantees import (  # noqa: F401
    GuaranteeConfirmApi,
    GuaranteeDetailApi,
    GuaranteeListCreateApi,
    NetAssetsCreateApi,
    PayoutApproveApi,
    PayoutCreateApi,
    PayoutPayApi,
    PayoutRecoveryApi,
    PayoutRejectApi,
    PremiumSubsidyCreateApi,
    PremiumSubsidyDecideApi,
    PremiumSubsidyPayApi,
    PremiumSubsidyRejectApi,
)
from .pools import (  # noqa: F401
    ClaimApproveApi,
    ClaimDetailApi,
    ClaimListCreateApi,
    ClaimPayApi,
    ClaimRejectApi,
    EnrolmentCreateApi,
    PoolDetailApi,
    PoolListApi,
    RecoveryCreateApi,
)
