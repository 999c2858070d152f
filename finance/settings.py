"""Kejin settings: everything that differs between machines comes from the environment.

Defaults give the embedded demo (SQLite file, Celery eager). Production sets DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY and ALLOWED_HOSTS and uses ``finance.settings_production`` for the HTTPS hardening.
"""
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only exists so the demo and tests start without configuration; production settings refuse
# it.
INSECURE_DEV_KEY = "django-insecure-kejin-demo-only-key-do-not-use-in-production-0000"
SECRET_KEY = env("SECRET_KEY", default=INSECURE_DEV_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "djmoney",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules.apps.AutodiscoverRulesConfig",
    "finance.parties",
    "finance.ledger",
    "finance.policy",
    "finance.approvals",
    "finance.api",
    "finance.web",
    "loans",
    "guarantees",
    "funds",
    "finance.reporting",  # quarterly reports: reads loans, guarantees and funds, so it comes after them
    "finance.portal",  # the startup's profile, IP portfolio and documents: reads loans
    "finance.applications",  # online applications and the reviewers' workbench: on top of portal and the apps
    # sign-up, email verification and password reset (after finance.parties: its account/ templates win)
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "finance.web.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "finance.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Overrides of third-party templates (the API docs pages, with CSP nonces and no web fonts).
        "DIRS": [BASE_DIR / "finance" / "web" / "overrides"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["finance.web.templatetags.kejin"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "finance.web.context.navigation",
            ],
        },
    },
]
WSGI_APPLICATION = "finance.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'kejin.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent demo requests wait for the write lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "parties.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "finance.parties.backends.ActiveOrganisationBackend",  # ModelBackend + refuses deactivated organisations
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-allauth: enterprise self-registration (finance.parties.forms.EnterpriseSignupForm, which registers
# through finance.parties.services.enterprise_register), email verification and password reset. Logging in
# stays on our own page (accounts/login/: django-axes lockout, the organisation check, the OTP second factor),
# which refuses an account whose email address is not verified yet (mandatory verification) and sends the
# confirmation link again.
ACCOUNT_ADAPTER = "finance.parties.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "finance.parties.forms.EnterpriseSignupForm",
                 "reset_password": "finance.parties.forms.ResetPasswordForm",
                 "reset_password_from_key": "finance.parties.forms.ResetPasswordKeyForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[科金] "
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_SESSION_REMEMBER = False  # sessions end with the working day (SESSION_COOKIE_AGE), for every role
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Invitations to join an organisation stay open this many days.
KEJIN_INVITATION_DAYS = env.int("KEJIN_INVITATION_DAYS", default=7)

# Email: printed to the console in the demo; production sets SMTP from the environment (settings_production);
# tests use Django's in-memory outbox.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="科金平台 <noreply@kejin.example.gov.cn>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Sessions last a working day (8 hours from login), for every role.
SESSION_COOKIE_AGE = env.int("KEJIN_SESSION_HOURS", default=8) * 3600

# Client address: X-Forwarded-For is believed for this many hops of our own proxies (0: the socket address).
# One rule for the API throttles and the login lockout (finance.web.client.client_address).
KEJIN_TRUSTED_PROXIES = env.int("KEJIN_TRUSTED_PROXIES", default=0)

# Cache: Redis in production (API throttling counts live there, shared by every worker), local memory for the
# demo.
_CACHE_URL = env("KEJIN_CACHE_URL", default="")
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL, "KEY_PREFIX": "kejin"}
    if _CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kejin"})}

# django-axes: lock username+address after AXES_FAILURE_LIMIT failures, and the account from every address
# only after KEJIN_ACCOUNT_FAILURE_LIMIT (so nobody can lock a user out from behind the shared proxy address).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
KEJIN_ACCOUNT_FAILURE_LIMIT = env.int("KEJIN_ACCOUNT_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "finance.parties.lockout.UsernameAddressLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "finance.web.client.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
# Second factor for approvers and administrators, switched on per deployment.
KEJIN_REQUIRE_OTP = env.bool("KEJIN_REQUIRE_OTP", default=False)

# Content-Security-Policy (django-csp): everything is self-hosted. Scripts and <style> elements come from our
# own static files, or carry the per-request nonce ({% csp_nonce %}); inline event handlers are refused. Style
# attributes stay allowed (progress bars, SVG charts): they cannot run script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "finance" / "locale"]  # the core's strings; apps keep their own locale/
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
WHITENOISE_USE_FINDERS = True  # the demo and tests serve static files without collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Upload limits: bank files are bounded; anything larger is refused before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
KEJIN_MAX_UPLOAD_BYTES = env.int("KEJIN_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Enterprise documents (finance.portal): at most this size; stored under MEDIA_ROOT/private, which no URL
# serves: they are downloaded only through the portal's scope-checked view.
KEJIN_UPLOAD_MAX_BYTES = env.int("KEJIN_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# A bank file still processing after this is failed by the periodic task (the import is one transaction).
KEJIN_LOAN_FILE_TIMEOUT_SECONDS = env.int("KEJIN_LOAN_FILE_TIMEOUT_SECONDS", default=1800)

# Money: CNY by default; the whitelist is enforced by serializers and constraints, not by django-money.
CURRENCIES = ("CNY", "USD", "EUR", "HKD")
DEFAULT_CURRENCY = "CNY"
CURRENCY_CHOICES = [(c, c) for c in CURRENCIES]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "finance.api.auth.OrganisationAPIKeyAuthentication",
        "finance.api.auth.SecondFactorSessionAuthentication",  # sessions, under the pages' second-factor rule
    ],
    # Throttling over the cache (Redis in production): per client address, per API key, and wrong keys per
    # address.
    "DEFAULT_THROTTLE_CLASSES": [
        "finance.api.auth.AddressRateThrottle",
        "finance.api.auth.ApiKeyRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "address": env("KEJIN_THROTTLE_ADDRESS", default="1200/min"),
        "api_key": env("KEJIN_THROTTLE_API_KEY", default="600/min"),
        "auth_failure": env("KEJIN_THROTTLE_AUTH_FAILURE", default="20/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "finance.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "finance.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "finance.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "finance.api.problems.problem_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kejin API (科金)",
    "DESCRIPTION": "Technology-finance platform API. Banks authenticate with `Authorization: Api-Key <key>`.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status` (and two a `category`): each choice set gets its own component name.
    "ENUM_NAME_OVERRIDES": {
        "LoanStatusEnum": "loans.models.LoanStatus",
        "LoanCategoryEnum": "loans.models.LoanCategory",
        "InstallmentStatusEnum": "loans.models.InstallmentStatus",
        "LoanFileStatusEnum": "loans.models.LoanFileStatus",
        "SubsidyStatusEnum": "loans.models.SubsidyStatus",
        "PoolStatusEnum": "guarantees.models.pools.PoolStatus",
        "PoolLoanCategoryEnum": "guarantees.models.pools.LoanCategory",
        "EnrolmentStatusEnum": "guarantees.models.pools.EnrolmentStatus",
        "ClaimStatusEnum": "guarantees.models.pools.ClaimStatus",
        "GuaranteeStatusEnum": "guarantees.models.guarantees.GuaranteeStatus",
        "CompensationStatusEnum": "guarantees.models.guarantees.CompensationStatus",
        "FundStatusEnum": "funds.models.funds.FundStatus",
        "DealStatusEnum": "funds.models.deals.DealStatus",
        "CallStatusEnum": "funds.models.money.CallStatus",
        "ProgrammeStatusEnum": "funds.direct.models.ProgrammeStatus",
        "PositionStatusEnum": "funds.direct.models.PositionStatus",
        "InvestFirstStatusEnum": "funds.direct.models.InvestFirstStatus",
        "DecisionStatusEnum": "funds.direct.models.DecisionStatus",
        "TalentStatusEnum": "funds.direct.models.TalentStatus",
        "GrantInvestLoanStatusEnum": "funds.direct.models.GILStatus",
        "ApprovalStatusEnum": "finance.approvals.models.ApprovalStatus",
        "MeetingStatusEnum": "finance.approvals.models.MeetingStatus",
    },
}
API_KEY_CUSTOM_HEADER = "HTTP_AUTHORIZATION"

# Celery: no broker URL means the embedded demo, where tasks run in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {}
# Quarterly reports: 02:00 Beijing time on the first day after each quarter end (1 Jan, Apr, Jul, Oct).
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["reporting-quarterly"] = {
    "task": "reporting.generate_quarter",
    "schedule": crontab(minute=0, hour=2, day_of_month=1, month_of_year="1,4,7,10"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
