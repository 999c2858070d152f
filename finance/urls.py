"""URL map: pages per app, the API under /api/v1/, OpenAPI schema and self-hosted docs."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from finance.web import views as web_views

api_v1 = [
    path("", include("finance.parties.api_urls")),
    path("", include("loans.api_urls")),
    path("", include("guarantees.api_urls")),
    path("", include("funds.api_urls")),
    path("", include("finance.reporting.api_urls")),
]

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", web_views.otp_verify, name="otp_verify"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("organisations/<int:pk>/", web_views.organisation_detail, name="organisation-detail"),
    path("policy/", include("finance.policy.urls")),
    path("loans/", include("loans.urls")),
    path("guarantees/", include("guarantees.urls")),
    path("funds/", include("funds.urls")),
    path("reports/", include("finance.reporting.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
