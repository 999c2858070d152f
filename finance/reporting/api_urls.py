"""API routes under /api/v1/."""
from django.urls import path

from . import api

urlpatterns = [
    path("reports/", api.ReportListApi.as_view(), name="reporting-api-list"),
    path("reports/<str:quarter>/", api.ReportDetailApi.as_view(), name="reporting-api-detail"),
]
