"""API routes under /api/v1/."""

from django.urls import path

from . import api
from .api.pool_requests import urlpatterns as pool_request_urlpatterns

urlpatterns = [
    path("pools/", api.PoolListApi.as_view(), name="api-pools"),
    path("pools/<int:pk>/", api.PoolDetailApi.as_view(), name="api-pool"),
    path("pool-enrolments/", api.EnrolmentCreateApi.as_view(), name="api-pool-enrolments"),
    path("claims/", api.ClaimListCreateApi.as_view(), name="api-claims"),
    path("claims/<int:pk>/", api.ClaimDetailApi.as_view(), name="api-claim"),
    path("claims/<int:pk>/approve/", api.ClaimApproveApi.as_view(), name="api-claim-approve"),
    path("claims/<int:pk>/reject/", api.ClaimRejectApi.as_view(), name="api-claim-reject"),
    path("claims/<int:pk>/pay/", api.ClaimPayApi.as_view(), name="api-claim-pay"),
    path("claims/<int:pk>/recoveries/", api.RecoveryCreateApi.as_view(), name="api-claim-recoveries"),
    path("guarantees/", api.GuaranteeListCreateApi.as_view(), name="api-guarantees"),
    path("guarantees/<int:pk>/", api.GuaranteeDetailApi.as_view(), name="api-guarantee"),
    path("guarantees/<int:pk>/confirm/", api.GuaranteeConfirmApi.as_view(), name="api-guarantee-confirm"),
    path("guarantees/<int:pk>/payouts/", api.PayoutCreateApi.as_view(), name="api-guarantee-payouts"),
    path(
        "guarantees/<int:pk>/premium-subsidies/",
        api.PremiumSubsidyCreateApi.as_view(),
        name="api-guarantee-premium-subsidies",
    ),
    path("payouts/<int:pk>/approve/", api.PayoutApproveApi.as_view(), name="api-payout-approve"),
    path("payouts/<int:pk>/reject/", api.PayoutRejectApi.as_view(), name="api-payout-reject"),
    path("payouts/<int:pk>/pay/", api.PayoutPayApi.as_view(), name="api-payout-pay"),
    path("payouts/<int:pk>/recoveries/", api.PayoutRecoveryApi.as_view(), name="api-payout-recoveries"),
    path(
        "premium-subsidies/<int:pk>/approve/",
        api.PremiumSubsidyDecideApi.as_view(),
        name="api-premium-subsidy-approve",
    ),
    path(
        "premium-subsidies/<int:pk>/reject/",
        api.PremiumSubsidyRejectApi.as_view(),
        name="api-premium-subsidy-reject",
    ),
    path(
        "premium-subsidies/<int:pk>/pay/", api.PremiumSubsidyPayApi.as_view(), name="api-premium-subsidy-pay"
    ),
    path("guarantor-net-assets/", api.NetAssetsCreateApi.as_view(), name="api-guarantor-net-assets"),
]
urlpatterns += pool_request_urlpatterns  # contributions and withdrawals with maker-checker
