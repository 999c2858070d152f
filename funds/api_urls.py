"""API routes under /api/v1/."""
from django.urls import include, path

from . import api

urlpatterns = [
    path("funds/sub-funds/", api.SubFundListApi.as_view(), name="funds-api-subfund-list"),
    path("funds/sub-funds/<int:pk>/", api.SubFundDetailApi.as_view(), name="funds-api-subfund-detail"),
    path("funds/sub-funds/<int:pk>/calls/", api.CallCreateApi.as_view(), name="funds-api-call-create"),
    path("funds/sub-funds/<int:pk>/calls/preview/", api.CallPreviewApi.as_view(),
         name="funds-api-call-preview"),
    path("funds/sub-funds/<int:pk>/calls/<int:call>/approve/", api.CallApproveApi.as_view(),
         name="funds-api-call-approve"),
    path("funds/deals/", api.DealListApi.as_view(), name="funds-api-deal-list"),
    path("funds/deals/<int:pk>/", api.DealDetailApi.as_view(), name="funds-api-deal-detail"),
    path("funds/deals/<int:pk>/transition/", api.DealTransitionApi.as_view(),
         name="funds-api-deal-transition"),
    path("", include("funds.direct.api_urls")),  # direct instruments
]
