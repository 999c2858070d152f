"""API routes of the direct instruments under /api/v1/funds/direct/ (included by funds/api_urls.py)."""
from django.urls import path

from . import api

P = "funds/direct/"
urlpatterns = [
    path(f"{P}programmes/", api.ProgrammeListApi.as_view(), name="funds-direct-api-programme-list"),
    path(f"{P}invest-first/", api.AgreementListApi.as_view(), name="funds-direct-api-agreement-list"),
    path(
        f"{P}invest-first/<int:pk>/",
        api.AgreementDetailApi.as_view(),
        name="funds-direct-api-agreement-detail",
    ),
    path(
        f"{P}invest-first/<int:pk>/actions/",
        api.AgreementActionApi.as_view(),
        name="funds-direct-api-agreement-action",
    ),
    path(
        f"{P}conversions/<int:pk>/decision/",
        api.ConversionDecisionApi.as_view(),
        name="funds-direct-api-conversion-decision",
    ),
    path(
        f"{P}closures/<int:pk>/decision/",
        api.ClosureDecisionApi.as_view(),
        name="funds-direct-api-closure-decision",
    ),
    path(
        f"{P}enterprises/<int:pk>/rounds/", api.RoundReportApi.as_view(), name="funds-direct-api-round-report"
    ),
    path(f"{P}enterprises/<int:pk>/cap-table/", api.CapTableApi.as_view(), name="funds-direct-api-cap-table"),
    path(
        f"{P}enterprises/<int:pk>/cap-table/ocf/",
        api.CapTableOcfApi.as_view(),
        name="funds-direct-api-cap-table-ocf",
    ),
    path(
        f"{P}enterprises/<int:pk>/talent-cap/",
        api.CapHeadroomApi.as_view(),
        name="funds-direct-api-talent-cap",
    ),
    path(f"{P}talent-equity/", api.TalentListApi.as_view(), name="funds-direct-api-talent-list"),
    path(
        f"{P}talent-equity/<int:pk>/actions/",
        api.TalentActionApi.as_view(),
        name="funds-direct-api-talent-action",
    ),
    path(f"{P}positions/", api.PositionListApi.as_view(), name="funds-direct-api-position-list"),
    path(
        f"{P}positions/<int:pk>/exit/", api.PositionExitApi.as_view(), name="funds-direct-api-position-exit"
    ),
    path(f"{P}grant-invest-loans/", api.GILListApi.as_view(), name="funds-direct-api-gil-list"),
    path(f"{P}grant-invest-loans/<int:pk>/", api.GILDetailApi.as_view(), name="funds-direct-api-gil-detail"),
    path(
        f"{P}grant-invest-loans/<int:pk>/actions/",
        api.GILActionApi.as_view(),
        name="funds-direct-api-gil-action",
    ),
]
