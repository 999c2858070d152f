"""API routes under /api/v1/ (the paths and field names are the contract banks integrate against)."""
from django.urls import path

from . import api

urlpatterns = [
    path("loans/", api.LoanListCreateApi.as_view(), name="api-loans"),
    path("loans/<int:pk>/", api.LoanDetailApi.as_view(), name="api-loan"),
    path("loans/<int:pk>/schedule/", api.LoanScheduleApi.as_view(), name="api-loan-schedule"),
    path("loans/<int:pk>/repayments/", api.RepaymentCreateApi.as_view(), name="api-loan-repayments"),
    path("loans/<int:pk>/default/", api.LoanDefaultApi.as_view(), name="api-loan-default"),
    path("loans/<int:pk>/write-off/", api.LoanWriteOffApi.as_view(), name="api-loan-write-off"),
    path("loan-files/", api.LoanFileCreateApi.as_view(), name="api-loan-files"),
    path("loan-files/<int:pk>/", api.LoanFileDetailApi.as_view(), name="api-loan-file"),
]
