"""Pages for people."""
from django.urls import include, path

from . import views

app_name = "funds"
urlpatterns = [
    path("sub-funds/", views.subfund_list, name="subfund-list"),
    path("sub-funds/<int:pk>/", views.subfund_detail, name="subfund-detail"),
    path("sub-funds/new/", views.subfund_create, name="subfund-create"),
    path("sub-funds/<int:pk>/operations/", views.subfund_operations, name="subfund-operations"),
    path("sub-funds/<int:pk>/commitments/new/", views.commitment_add, name="commitment-add"),
    path("sub-funds/<int:pk>/move/", views.subfund_move, name="subfund-move"),
    path("sub-funds/<int:pk>/valuations/", views.valuation_create, name="valuation-create"),
    path("sub-funds/<int:pk>/exits/", views.holding_exit, name="holding-exit"),
    path("sub-funds/<int:pk>/fees/", views.fee_accrue, name="fee-accrue"),
    path("sub-funds/<int:pk>/fees/payment/", views.fee_payment, name="fee-payment"),
    path("sub-funds/<int:pk>/call/", views.call_wizard, name="call-wizard"),
    path("sub-funds/<int:pk>/distribute/", views.distribution_wizard, name="distribution-wizard"),
    path("sub-funds/<int:pk>/pay/", views.call_pay, name="call-pay"),
    path("sub-funds/<int:pk>/approve-call/", views.call_approve, name="call-approve"),
    path("sub-funds/<int:pk>/nav/", views.nav_create, name="nav-create"),
    path("calls/<int:pk>/notice/<int:line>.pdf", views.call_notice, name="call-notice"),
    path("index/upload/", views.index_upload, name="index-upload"),
    path("my/commitments/", views.my_commitments, name="my-commitments"),
    path("deals/", views.pipeline, name="pipeline"),
    path("deals/new/", views.deal_create, name="deal-create"),
    path("deals/<int:pk>/", views.deal_detail, name="deal-detail"),
    path("deals/<int:pk>/action/", views.deal_action, name="deal-action"),
    path("deals/<int:pk>/documents/<int:doc>/", views.deal_document, name="deal-document"),
    path("votes/", views.my_votes, name="my-votes"),
    path("votes/<int:pk>/", views.meeting_vote, name="meeting-vote"),
    path("direct/", include("funds.direct.urls")),  # direct instruments
]
