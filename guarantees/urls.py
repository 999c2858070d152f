"""Pages for people."""

from django.urls import path

from . import views

app_name = "guarantees"
urlpatterns = [
    path("pools/", views.pool_list, name="pool-list"),
    path("pools/<int:pk>/", views.pool_detail, name="pool-detail"),
    path("pools/<int:pk>/stress/", views.pool_stress, name="pool-stress"),
    path("pools/new/", views.pool_new, name="pool-new"),
    path("pools/<int:pk>/requests/new/", views.pool_request_new, name="pool-request-new"),
    path("pools/<int:pk>/policy/", views.pool_policy, name="pool-policy"),
    path("pool-requests/", views.pool_request_list, name="pool-request-list"),
    path("pool-requests/<int:pk>/decide/", views.pool_request_decide, name="pool-request-decide"),
    path("enrolments/new/", views.enrolment_new, name="enrolment-new"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/new/", views.claim_new, name="claim-new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("guarantees/", views.guarantee_list, name="guarantee-list"),
    path("guarantees/new/", views.guarantee_new, name="guarantee-new"),
    path("guarantees/<int:pk>/", views.guarantee_detail, name="guarantee-detail"),
]
