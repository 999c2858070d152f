from django.urls import path

from . import api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("organisations/<int:pk>/", api.OrganisationDetailApi.as_view(), name="api-organisation"),
    path("enterprises/", api.EnterpriseCreateApi.as_view(), name="api-enterprise-create"),
]
