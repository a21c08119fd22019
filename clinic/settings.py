"""The one settings file. Every value that differs between machines comes from
the environment through the typed readers in clinic.core.env."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from clinic.core.env import (
    env_bool,
    env_cache,
    env_database,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_str,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
# Without DEBUG a real key is required; the development key is refused outright.
_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set to a real secret without DEBUG.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "phonenumber_field",
    "axes",
    "clinic",
    "patients",
    "treatments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: 413 for one over DATA_UPLOAD_MAX_MEMORY_SIZE.
    "clinic.core.api.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "clinic.core.api.middleware.NoStoreApiMiddleware",
    # Last: turns a locked-out login (admin or API token) into a 429.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every worker process (the login throttle counts here): a table in
# the database (created by `migrate`), or Redis when REDIS_URL is set.
CACHES = {
    "default": env_cache("REDIS_URL", key_prefix=env_str("CACHE_KEY_PREFIX", "clinic"))
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# Request bodies: Django's limits, named here because the API relies on them
# (clinic.core.api.middleware.BodySizeLimitMiddleware answers 413 above the size;
# more fields than this in a form or a query string is a 400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Security: on unless DEBUG. Behind a TLS-terminating proxy, gunicorn
# (deploy/gunicorn.conf.py) marks a request secure from an X-Forwarded-Proto sent by
# one of TRUSTED_PROXIES; under another server, SECURE_PROXY_SSL_HEADER_ENABLED
# makes Django trust that header from anyone (the proxy must overwrite it).
_secure = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_secure)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=_secure)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=_secure)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", default=31_536_000 if _secure else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies (addresses or CIDR networks) whose X-Forwarded-For entries are
# believed when finding a request's client address (clinic.core.client_address);
# from anyone else the header is ignored, so a client cannot pick its own
# address. deploy/gunicorn.conf.py trusts the same list for X-Forwarded-Proto.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clinic.core.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["clinic.core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "clinic.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "clinic.core.api.filter_backends.ListFilterBackend",
        "clinic.core.api.filter_backends.ListOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "clinic.core.api.schema.ClinicAutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "clinic.core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "clinic.core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Clinic API",
    "DESCRIPTION": (
        "Patients, consent, scheduling and biologic administrations for clinics"
        " giving exosome and similar therapies."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per shared choice set, whichever field uses it.
    "ENUM_NAME_OVERRIDES": {
        "RouteEnum": "clinic.core.codes.Route.choices",
        "IndicationEnum": "clinic.core.codes.Indication.choices",
        "SignatureMeaningEnum": "treatments.models.administrations.SignatureMeaning",
        "StockMovementKindEnum": "treatments.models.lots.StockMovement.Kind",
        "RoomKindEnum": "clinic.models.Room.Kind",
        "ScheduleExceptionKindEnum": "clinic.models.ScheduleException.Kind",
        "AppointmentStatusEnum": "clinic.models.Appointment.Status",
        # Administrations and follow-up notes: draft, signed, entered in error.
        "SignedRecordStatusEnum": "treatments.models.Administration.Status",
    },
    # drf-spectacular's enum hook, then OpenAPI links from each create and
    # read to what can be done next with the record (clinic/core/api/schema_links.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clinic.core.api.schema_links.add_links",
        # The `code` of the error body lists every code (clinic.core.errors).
        "clinic.core.api.error_codes.document_error_codes",
    ],
    # Swagger UI from the installed sidecar package, so the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Expiring API tokens for programs (front-desk tools); see
# clinic.core.api.authentication.
API_TOKEN_TTL = timedelta(hours=env_int("API_TOKEN_TTL_HOURS", default=12, minimum=1))

# Observation after an administration given outside an appointment (with one,
# the appointment type's observation_minutes decide).
DEFAULT_OBSERVATION_MINUTES = env_int("DEFAULT_OBSERVATION_MINUTES", 30, minimum=0)

# Login lockout (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one
# username, even the right password is refused for the cool-off.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# By username, not address: a clinic's staff share one address behind NAT, and
# five typos by one person must not lock out the front desk. Per-address abuse
# is throttled instead (LOGIN_THROTTLE_RATE below).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# Lockouts are logged (WARNING, axes.handlers.database) with the staff
# username and address, so whoever reads the log can act on them; axes masks
# both by default. Passwords are never logged.
AXES_SENSITIVE_PARAMETERS: list[str] = []
AXES_LOCKOUT_CALLABLE = "clinic.core.api.fallback_views.locked_out"
# The address axes records and logs is the one the throttle counts, proxies
# resolved the same way (TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "clinic.core.client_address.client_address"

# Login attempts (token endpoint and admin login together) per client address,
# whatever the username: clinic.core.throttling. 429 with Retry-After beyond it.
LOGIN_THROTTLE_RATE = env_rate("LOGIN_THROTTLE_RATE", "20/minute")

# How long a create's Idempotency-Key is remembered (clinic.core.api.concurrency).
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", default=24, minimum=1)

# History is readable in the admin but never editable or revertible there.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_REGION = env_str("PHONENUMBER_DEFAULT_REGION", "US")

# Each app seeds its part of the demo clinic, in dependency order (seed_demo).
DEMO_SEEDERS = [
    "clinic.core.demo_staff.seed_staff",
    "clinic.demo.seed_places",
    # Products before patients, so the demo consent form can name them.
    "treatments.demo.seed_products",
    "patients.demo.seed",
    "clinic.demo.seed_calendar",
    "treatments.demo.seed",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # Tracebacks without exception messages, which may hold patient data.
        "plain": {
            "()": "clinic.core.log.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
