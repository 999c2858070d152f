"""Pages of the direct instruments, included by funds/urls.py under /funds/direct/ (names in the funds
namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.board, name="direct-board"),
    path("invest-first/<int:pk>/", views.agreement_detail, name="direct-agreement"),
    path("invest-first/<int:pk>/action/", views.agreement_action, name="direct-agreement-action"),
    path("talent/<int:pk>/", views.talent_detail, name="direct-talent"),
    path("talent/<int:pk>/action/", views.talent_action, name="direct-talent-action"),
    path("grant-invest-loan/<int:pk>/", views.project_detail, name="direct-project"),
    path("grant-invest-loan/<int:pk>/action/", views.project_action, name="direct-project-action"),
    path("my/", views.mine, name="direct-mine"),
    path("my/round/", views.round_report, name="direct-round"),
    path("enterprises/<int:pk>/cap-table/", views.cap_table, name="direct-cap-table"),
    path("enterprises/<int:pk>/cap-table.ocf.json", views.cap_table_ocf, name="direct-cap-table-ocf"),
]
