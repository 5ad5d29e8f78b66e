"""GovReg settings, read from the environment (12-factor).

Environment variables:
    DATABASE_URL   PostgreSQL (``postgres://user@host:5432/name``). Unset: embedded SQLite.
    REDIS_URL      Celery broker (``redis://host:6379/0``). Unset: tasks run in-process.
    CACHE_URL      Shared cache for rate limits and used TOTP codes (``redis://host:6379/1``).
                   Unset: REDIS_URL's server on the next database; neither: per-process memory.
    SECRET_KEY     Required unless DEBUG is on.
    DEBUG          ``1``/``true`` for development. Default off.
    ALLOWED_HOSTS  Comma-separated host names. Default ``localhost,127.0.0.1``.
    MEDIA_ROOT     Where evidence files and audit packs are stored. Default ``./media``.
    EMAIL_BACKEND, DEFAULT_FROM_EMAIL, SITE_URL, SECURE_SSL_REDIRECT, TIME_ZONE: see below.
    SESSION_COOKIE_AGE, SESSION_IDLE_TIMEOUT, SESSION_IDLE_WARNING: seconds; see below.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from govreg.cache import caches_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "govreg",
    "accounts",
    "audit",
    "registers",
    "assessments",
    "consultations",
    "oversight",
    "notifications",
    "packs",
    "transparency",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.idle.IdleTimeoutMiddleware",  # sign-out when idle or too old (accounts/idle.py)
    "accounts.middleware.SecurityEventMiddleware",  # the govreg.security log of refusals
    "accounts.middleware.PrivatePagesMiddleware",  # Cache-Control: no-store when signed in
    "accounts.middleware.MfaPolicyMiddleware",  # a body's two-factor requirement (accounts/mfa.py)
]

ROOT_URLCONF = "govreg.urls"
WSGI_APPLICATION = "govreg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
FORM_RENDERER = "govreg.forms.GovukFormRenderer"

# --- Database ---------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits and used TOTP codes live here: shared (Redis) whenever CACHE_URL or REDIS_URL is
# set, and failing open if Redis is down (govreg/cache.py); otherwise local to each process.
CACHES = caches_from_env(os.environ)

# --- Celery -----------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 900}
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["flag-overdue-concerns"] = {
    "task": "consultations.tasks.flag_overdue_concerns",
    "schedule": 60 * 60,
}
CELERY_BEAT_SCHEDULE["send-pending-notification-emails"] = {
    "task": "notifications.tasks.send_pending_emails",
    "schedule": 10 * 60,
}
CELERY_BEAT_SCHEDULE["reopen-expired-risk-acceptances"] = {
    "task": "assessments.tasks.reopen_expired_acceptances",
    "schedule": 60 * 60,
}
CELERY_BEAT_SCHEDULE["audit-seal-outside-changes"] = {
    "task": "audit.seal_outside_changes",
    "schedule": 60,
}

# --- Authentication ---------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "5/m/ip,3/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "GovReg"
# Accept the code of the adjacent 30-second window too (clock skew, a code typed at the turn).
MFA_TOTP_TOLERANCE = 1

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 4 * 60 * 60)  # from sign-in, whatever is done
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Signed out after this many seconds without a request (accounts/idle.py); the page warns this
# many seconds before and offers to stay signed in (WCAG 2.2.1).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_IDLE_WARNING = env_int("SESSION_IDLE_WARNING", 2 * 60)
SESSION_COOKIE_HTTPONLY = True

# --- Languages --------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"  # never served directly: files go through permission-checked views
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- E-mail -----------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "GovReg <no-reply@govreg.example>")

# --- Security ---------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],  # no page sets a <base>: none may be injected
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- REST API ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",  # first: anonymous API calls get 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenScope",
    ],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GovReg API",
    "DESCRIPTION": "Governance register of algorithmic systems that manage workers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {  # one name per choice list shared by several API components
        "LifecycleStageEnum": "registers.choices.LifecycleStage",
        "RegionEnum": "registers.choices.Region",
        "CapabilityEnum": "registers.choices.Capability",
        "YesNoEnum": "registers.choices.YesNo",
        "AtrsYesNoEnum": [("Yes", "Yes"), ("No", "No")],
        # The API's other areas (api/serializers/): one name per choice list.
        "AssessmentKindEnum": "assessments.choices.Kind",
        "AssessmentStatusEnum": "assessments.choices.Status",
        "RiskStatusEnum": "assessments.choices.RiskStatus",
        "RiskLikelihoodEnum": "assessments.choices.LIKELIHOOD_CHOICES",
        "RiskImpactEnum": "assessments.choices.IMPACT_CHOICES",
        "SettableRiskStatusEnum": "api.serializers.assessments.SETTABLE_RISK_STATUSES",
        "BandEnum": "assessments.choices.Band",
        "SectionFieldKindEnum": "api.serializers.assessments.FIELD_KINDS",
        "ConsultationStageEnum": "consultations.choices.Stage",
        "ConsultationStatusEnum": "consultations.choices.ConsultationStatus",
        "AgreementEnum": "consultations.choices.Agreement",
        "DisclosureKindEnum": "consultations.choices.DisclosureKind",
        "ConcernStatusEnum": "consultations.choices.ConcernStatus",
        "ConcernUpdateKindEnum": "consultations.choices.ConcernUpdateKind",
        "RightsRequestKindEnum": "consultations.choices.RightsRequestKind",
        "RightsOutcomeEnum": "consultations.choices.RightsOutcome",
        "PackStatusEnum": "packs.models.PackStatus",
        "PackStageEnum": "packs.models.PackStage",
    },
}

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Packs ------------------------------------------------------------------------------
# Audit packs (packs/, docs/packs.md): WeasyPrint time limits, the lease that lets the sweep
# recover packs whose worker died, and input limits applied before anything is laid out.
# soft limit < hard limit < the broker's visibility timeout (QUALITY.md R4).

PACKS_STORAGE = env_str("PACKS_STORAGE", "default")  # an entry of STORAGES (object storage possible)
PACKS_QUEUE = env_str("PACKS_QUEUE", "celery")
PACKS_PDF_VARIANT = env_str("PACKS_PDF_VARIANT", "pdf/ua-1")  # tagged PDF/UA-1; "" for untagged
PACKS_SOFT_TIME_LIMIT = env_int("PACKS_SOFT_TIME_LIMIT", 120)
PACKS_TIME_LIMIT = env_int("PACKS_TIME_LIMIT", 150)
PACKS_LEASE_SECONDS = env_int("PACKS_LEASE_SECONDS", 60)
PACKS_HEARTBEAT_SECONDS = env_int("PACKS_HEARTBEAT_SECONDS", 15)
PACKS_SWEEP_SECONDS = env_int("PACKS_SWEEP_SECONDS", 30)
PACKS_MAX_ATTEMPTS = env_int("PACKS_MAX_ATTEMPTS", 3)
PACKS_SEND_GRACE_SECONDS = env_int("PACKS_SEND_GRACE_SECONDS", 10)
PACKS_RESEND_AFTER_SECONDS = env_int("PACKS_RESEND_AFTER_SECONDS", 120)
PACKS_BROKER_TIMEOUT = env_int("PACKS_BROKER_TIMEOUT", 1)
PACKS_MAX_SYSTEMS = env_int("PACKS_MAX_SYSTEMS", 250)
PACKS_MAX_TEXT_CHARS = env_int("PACKS_MAX_TEXT_CHARS", 20000)
PACKS_MAX_LIST_ITEMS = env_int("PACKS_MAX_LIST_ITEMS", 500)
PACKS_HISTORY_PER_SYSTEM = env_int("PACKS_HISTORY_PER_SYSTEM", 500)
PACKS_HISTORY_PER_SYSTEM_IN_COLLECTION = env_int("PACKS_HISTORY_PER_SYSTEM_IN_COLLECTION", 5)
PACKS_MAX_REQUESTS_PER_WINDOW = env_int("PACKS_MAX_REQUESTS_PER_WINDOW", 10)
PACKS_REQUEST_WINDOW_SECONDS = env_int("PACKS_REQUEST_WINDOW_SECONDS", 600)
PACKS_TEST_FAULT = env_str("PACKS_TEST_FAULT", "")  # reliability tests only; a check warns
CELERY_BEAT_SCHEDULE["packs-sweep"] = {
    "task": "packs.sweep",
    "schedule": PACKS_SWEEP_SECONDS,
    "options": {"queue": PACKS_QUEUE, "expires": PACKS_SWEEP_SECONDS},
}
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}

# --- Oversight --------------------------------------------------------------------------
# Reminders of reviews, actions and concern responses coming due or overdue (once per event:
# oversight.models.Reminder), and the "re-sign required" notice to accountable managers.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["oversight-daily-reminders"] = {
    "task": "oversight.tasks.send_reminders",
    "schedule": crontab(hour=7, minute=0),
}
CELERY_BEAT_SCHEDULE["oversight-stale-signoffs"] = {
    "task": "oversight.tasks.notify_stale_signoffs",
    "schedule": 5 * 60,
}
