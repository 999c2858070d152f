"""Pages for people: the enterprise's own portal and the department's verification queue."""

from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/talent/", views.talent_add, name="talent-add"),
    path("profile/talent/<int:pk>/remove/", views.talent_remove, name="talent-remove"),
    path("profile/shareholders/", views.shareholder_add, name="shareholder-add"),
    path("profile/shareholders/<int:pk>/remove/", views.shareholder_remove, name="shareholder-remove"),
    path("ip/", views.ip_rights, name="ip"),
    path("ip/<int:pk>/remove/", views.ip_remove, name="ip-remove"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/download/", views.document_download, name="document-download"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document-delete"),
    path("verification/", views.verification_list, name="verification-list"),
    path("verification/<int:pk>/", views.verification_detail, name="verification-detail"),
]
