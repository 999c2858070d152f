"""Account pages under /accounts/: allauth's sign-up, email confirmation and password reset (only those views:
logging in stays on finance.urls' own login page), and the identity pages (namespace ``accounts``)."""
from allauth.account import views as allauth_views
from django.contrib.auth.views import LoginView
from django.urls import include, path, re_path

from . import views
from .forms import LoginForm

pages = [
    path("signup/check-uscc/", views.uscc_check, name="uscc-check"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/requests/<int:pk>/", views.role_request_decide, name="role-request-decide"),
    path("people/invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation-cancel"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("api-keys/", views.api_keys, name="api-keys"),
    path("api-keys/<str:prefix>/", views.api_key_action, name="api-key-action"),
    path("otp/enrol/", views.otp_enrol, name="otp-enrol"),
]

urlpatterns = [
    # allauth links to "account_login": the login page of finance.urls ("login", which resolves first)
    path("login/", LoginView.as_view(authentication_form=LoginForm), name="account_login"),
    path("signup/", allauth_views.signup, name="account_signup"),
    path("inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("confirm-email/", allauth_views.email_verification_sent, name="account_email_verification_sent"),
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", allauth_views.confirm_email, name="account_confirm_email"),
    path("password/reset/", allauth_views.password_reset, name="account_reset_password"),
    path("password/reset/done/", allauth_views.password_reset_done, name="account_reset_password_done"),
    re_path(r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
            allauth_views.password_reset_from_key, name="account_reset_password_from_key"),
    path("password/reset/key/done/", allauth_views.password_reset_from_key_done,
         name="account_reset_password_from_key_done"),
    path("", include((pages, "accounts"))),
]
