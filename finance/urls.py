"""URL map: pages per app, the API under /api/v1/, OpenAPI schema and self-hosted docs.

Every view is wrapped once by ``finance.api.hardening``: a NUL byte in a parameter answers 400, each API
request is one transaction rolled back on any error answer, and an unknown ``/api/`` path answers
problem+json.
"""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from finance.api.hardening import api_not_found, api_server_error, harden
from finance.parties.forms import LoginForm
from finance.web import views as web_views

api_v1 = [
    path("", include("finance.parties.api_urls")),
    path("", include("loans.api_urls")),
    path("", include("guarantees.api_urls")),
    path("", include("funds.api_urls")),
    path("", include("finance.reporting.api_urls")),
]

harden(api_v1, api=True)

urlpatterns = [
    path("", web_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", web_views.otp_verify, name="otp_verify"),
    path("accounts/", include("finance.parties.urls")),  # sign-up, verification, reset, people, keys, OTP
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("organisations/<int:pk>/", web_views.organisation_detail, name="organisation-detail"),
    path("policy/", include("finance.policy.urls")),
    path("loans/", include("loans.urls")),
    path("guarantees/", include("guarantees.urls")),
    path("funds/", include("funds.urls")),
    path("reports/", include("finance.reporting.urls")),
    path("portal/", include("finance.portal.urls")),
    path("applications/", include("finance.applications.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the schema and the docs only for authenticated callers (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]);
    # the docs pages send an anonymous person to the login page
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="schema")), name="api-docs"),
    path("api/redoc/", login_required(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
]
harden(urlpatterns)
handler404 = api_not_found
handler500 = api_server_error
