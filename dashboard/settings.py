"""Settings for CS Dashboard, read from the environment (12-factor).

Zero-setup defaults (no variable set): SQLite under ``var/``, an embedded filesystem Celery broker,
the database cache, and secrets generated once into ``var/``. Production: set ``DJANGO_ENV=production``
with ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``CREDENTIAL_KEYS`` and ``ALLOWED_HOSTS``;
``manage.py check --deploy`` then reports nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key

from csapi.limits import UPLOAD_MAX_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
# Local state (SQLite, generated keys, the emulator's state, broker folders) is its owner's only.
try:
    VAR_DIR.chmod(0o700)
except OSError:  # a folder the process does not own (a read-only deployment): leave it
    pass


def _generated_once(name: str, make) -> str:
    """A value kept in ``var/<name>``, generated on first use (never committed, unique per install)."""
    path = VAR_DIR / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    CREDENTIAL_KEYS = env.list("CREDENTIAL_KEYS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _generated_once("secret_key", get_random_secret_key)
    CREDENTIAL_KEYS = env.list("CREDENTIAL_KEYS", default=[]) or [
        _generated_once("credential_key", lambda: Fernet.generate_key().decode())
    ]

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_ace",
    "axes",
    "dashboard.accounts",
    "dashboard.teams",
    "dashboard.jobs",
    "dashboard.clusters",
    "dashboard.usage",
    "dashboard.polling",
    "dashboard.alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dashboard.middleware.RequestSizeLimitMiddleware",
    "dashboard.middleware.StripNulFromQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (or the language cookie the switch sets); after the session, before
    # CommonMiddleware (Django's order). The signed-in user's own choice wins further down.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The user's language (profile) and time zone (profile, else team, else DEFAULT_USER_TIME_ZONE).
    "dashboard.accounts.middleware.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]


def _build_id() -> str:
    """A digest of the code and templates this process runs: cached pages and fragments name it, so a
    deploy never serves HTML rendered by the previous release. ``BUILD_ID`` (a release tag, a commit)
    overrides it."""
    import hashlib

    digest = hashlib.blake2b(digest_size=8)
    for folder in ("dashboard", "templates", "csapi", "locale"):
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".txt", ".po", ".mo") and path.is_file():
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


BUILD_ID = env.str("BUILD_ID", default="") or _build_id()

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for locks instead of failing at once, let readers
    # work beside the writer (WAL), and take the write lock at the start of a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    _sqlite_file = Path(DATABASES["default"]["NAME"])
    if _sqlite_file.exists():
        _sqlite_file.chmod(0o600)
    # Tests on SQLite use a file too (not shared-cache memory, whose table locks fail at once instead
    # of waiting), so that tests with a real worker beside the web requests behave as deployed.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test-db.sqlite3")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by web, worker and beat processes (token cache, poll locks), unlike the local-memory cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"}}
# Rendered pages and fragments (derived data, keyed by what they show, see dashboard/pagecache.py): in
# this process's memory unless Redis is configured, so that a cache hit costs no SQL statement.
CACHES["fragments"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "fragments",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
)

# Celery: Redis in production, an embedded filesystem broker that needs no server otherwise.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Workers log through the handlers below (with the secret redaction filter), not handlers of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "dashboard.teams.auth.ModelBackend",  # Django's, loading the session's user with SQL compiled once
]
# Sessions are read from the cache (Redis in production) and written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login attempts are rate-limited per user name and per address (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
# Each is counted on its own: one user name from any number of addresses, and one address trying
# any number of user names, are both stopped after AXES_FAILURE_LIMIT failures.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "secret", "sk"]

# Languages: the user's choice (profile), else the browser's (Accept-Language), else English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Times are stored in UTC and shown in the user's zone (profile), else the team's, else this one.
TIME_ZONE = "UTC"
USE_TZ = True
DEFAULT_USER_TIME_ZONE = env.str("DEFAULT_USER_TIME_ZONE", default="Asia/Shanghai")
LANGUAGE_COOKIE_NAME = "csdash_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
FORMS_URLFIELD_ASSUME_HTTPS = True  # endpoints typed without a scheme are https

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Serve static files from the apps' folders when they have not been collected (tests, development).
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: anything above this is streamed to a temporary file, never read whole into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Refused before the body is read (dashboard.middleware): a JAR and a configuration file of the
# reference's maximum size, plus the form fields around them.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=2 * UPLOAD_MAX_BYTES + 1024 * 1024)

# Security headers. The Content Security Policy allows no inline script; inline styles are allowed
# (server-rendered charts and the SQL editor style their own elements).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages put the token in forms and htmx headers; no script reads the cookie
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# CS access.
CS_HTTP_TIMEOUT = env.float("CS_HTTP_TIMEOUT", default=30.0)
CS_HTTP_RETRIES = env.int("CS_HTTP_RETRIES", default=3)
# Where the embedded CS emulator listens for `make run`; the demo credentials point here.
CS_EMULATOR_URL = env.str("CS_EMULATOR_URL", default="http://127.0.0.1:8900")
# Hosts (``host`` or ``host:port``) that cloud endpoints may name although they are plain http or
# resolve to loopback/private addresses (csapi.netguard). Everything else must be a public https
# endpoint. In development the local emulator is the one exception; in production there is none.
OUTBOUND_ALLOWED_HOSTS = env.list(
    "OUTBOUND_ALLOWED_HOSTS",
    default=[] if PRODUCTION else [urlsplit(CS_EMULATOR_URL).netloc],
)
# On-demand cloud calls (test connection, register, authorize OBS, job and cluster actions) end
# within this many seconds, retries included, so a silent endpoint cannot hold a web worker or a
# user waiting; each team and each user may have this many of them under way at once.
CS_INTERACTIVE_DEADLINE = env.float("CS_INTERACTIVE_DEADLINE", default=20.0)
CS_INTERACTIVE_TIMEOUT = (3.0, env.float("CS_INTERACTIVE_READ_TIMEOUT", default=10.0))
CS_INTERACTIVE_PER_TEAM = env.int("CS_INTERACTIVE_PER_TEAM", default=4)
CS_INTERACTIVE_PER_USER = env.int("CS_INTERACTIVE_PER_USER", default=2)

DEFAULT_EXCEPTION_REPORTER_FILTER = "dashboard.logging.SecretsExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "dashboard.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}


# ---------------------------------------------------------------------------------------------------
# Polling (dashboard.polling): how often each kind of CS data is fetched per credential, and its costs.
# Every value can be overridden from the environment: POLL_INTERVAL_JOBS=15, POLL_INTERVAL_METRICS=30,
# POLL_INTERVAL_AUDIT, POLL_INTERVAL_CLUSTERS, POLL_INTERVAL_QUOTAS, POLL_INTERVAL_TEMPLATES,
# POLL_INTERVAL_OVERVIEW, POLL_INTERVAL_QUEUES (seconds).
POLL_INTERVALS = {
    kind: env.float(f"POLL_INTERVAL_{kind.upper()}", default=default)
    for kind, default in {
        "jobs": 15,
        "metrics": 30,
        "audit": 300,
        "clusters": 300,
        "quotas": 300,
        "templates": 300,
        "overview": 300,
        "queues": 60,  # one call; the free CUs it shows guide where a job goes
    }.items()
}
# How often beat runs the scheduler task that enqueues the due syncs.
POLL_DUE_EVERY = env.float("POLL_DUE_EVERY", default=5.0)
# A failing sync waits interval * 2**(failures-1), at most this many seconds.
POLL_BACKOFF_MAX = env.float("POLL_BACKOFF_MAX", default=900.0)
# Data older than stale_factor x interval (or failing) is flagged stale on pages.
POLL_STALE_FACTOR = env.float("POLL_STALE_FACTOR", default=3.0)
# Metric samples, status history, quota samples, overview snapshots and audit traces older than this go.
POLL_RETENTION_DAYS = env.int("POLL_RETENTION_DAYS", default=30)
# Jobs per list call; job ids per metrics call; the most audit pages (50 traces each) per sync.
POLL_PAGE_SIZE = env.int("POLL_PAGE_SIZE", default=100)
POLL_METRICS_BATCH = env.int("POLL_METRICS_BATCH", default=100)
POLL_AUDIT_MAX_PAGES = env.int("POLL_AUDIT_MAX_PAGES", default=100)
# Celery time limits of one sync task (seconds); the per-credential lock outlives the hard limit.
POLL_TASK_SOFT_TIME_LIMIT = env.int("POLL_TASK_SOFT_TIME_LIMIT", default=240)
POLL_TASK_TIME_LIMIT = env.int("POLL_TASK_TIME_LIMIT", default=300)
POLL_LOCK_TIMEOUT = env.int("POLL_LOCK_TIMEOUT", default=POLL_TASK_TIME_LIMIT + 30)
# The embedded filesystem broker checks for messages every second by default: fan-out bursts of
# sync tasks would trickle through at about one per second per worker process.
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS["polling_interval"] = env.float(
        "POLL_BROKER_POLLING_INTERVAL", default=0.2
    )
# Beat runs only the scheduler; intervals and backoff live in PollHealth.next_attempt.
CELERY_BEAT_SCHEDULE = {
    "poll-due": {
        "task": "dashboard.polling.tasks.poll_due",
        "schedule": POLL_DUE_EVERY,
        "options": {"expires": POLL_DUE_EVERY * 2},
    },
}
# --------------------------------------------------------------------------------- end of polling


# ---------------------------------------------------------------------------------------------------
# Alerts (dashboard.alerts): where links in messages point, mail, and the delivery's timing.
# DASHBOARD_URL is the site's address as people reach it. Mail: EMAIL_URL (e.g.
# "smtp+tls://user:password@smtp.example.com:587", "consolemail://", "smtp://localhost:25") or
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; ALERT_EMAIL_FROM.
DASHBOARD_URL = env.str("DASHBOARD_URL", default="http://127.0.0.1:8000")
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25" if PRODUCTION else "consolemail://"))
if env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
ALERT_EMAIL_FROM = env.str("ALERT_EMAIL_FROM", default="cs-dashboard@localhost")
ALERT_EMAIL_DOMAIN = ALERT_EMAIL_FROM.rpartition("@")[2] or "localhost"
# Channel requests: (connect, read) timeouts in seconds.
ALERT_HTTP_TIMEOUT = (
    env.float("ALERT_CONNECT_TIMEOUT", default=5.0),
    env.float("ALERT_READ_TIMEOUT", default=10.0),
)
# A condition must stay clear this long before its incident resolves (firing again meanwhile keeps it).
ALERT_RESOLVE_AFTER = env.float("ALERT_RESOLVE_AFTER", default=120.0)
# The least time between messages about one subject of a rule that never reminds (repeat 0).
ALERT_FLAP_GUARD = env.float("ALERT_FLAP_GUARD", default=3600.0)
# A sending worker's claim on a message; a claim that ran out was cut off and is sent again.
ALERT_DELIVERY_LEASE = env.int("ALERT_DELIVERY_LEASE", default=60)
# Retries: ALERT_RETRY_BASE x 2**(n-1) seconds, at most ALERT_RETRY_MAX, ALERT_MAX_ATTEMPTS tries.
ALERT_RETRY_BASE = env.float("ALERT_RETRY_BASE", default=10.0)
ALERT_RETRY_MAX = env.float("ALERT_RETRY_MAX", default=900.0)
ALERT_MAX_ATTEMPTS = env.int("ALERT_MAX_ATTEMPTS", default=8)
# How far back the dashboard's own stop actions explain a stopped job.
ALERT_STOP_LOOKBACK = env.float("ALERT_STOP_LOOKBACK", default=86400.0)
# The sweep (beat): lost deliveries, reminders and resolutions no poll evaluates.
ALERT_SWEEP_EVERY = env.float("ALERT_SWEEP_EVERY", default=30.0)
ALERT_SWEEP_GRACE = env.float("ALERT_SWEEP_GRACE", default=30.0)
CELERY_BEAT_SCHEDULE["alerts-sweep"] = {
    "task": "dashboard.alerts.tasks.sweep",
    "schedule": ALERT_SWEEP_EVERY,
    "options": {"expires": ALERT_SWEEP_EVERY * 2},
}
# ----------------------------------------------------------------------------------- end of alerts


# ---------------------------------------------------------------------------------------------------
# REST API (dashboard.api): token or session auth, one error shape, write rate limits, OpenAPI schema.
# API_WRITE_RATE (e.g. "60/min") limits write requests per API token (per user for browser sessions),
# API_WRITE_RATE_USER per user across all their tokens, API_WRITE_RATE_TEAM per team; JSON bodies are
# at most API_JSON_MAX_BYTES.
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dashboard.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "dashboard.api.throttling.WriteRateThrottle",
        "dashboard.api.throttling.UserWriteRateThrottle",
        "dashboard.api.throttling.TeamWriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_write": env.str("API_WRITE_RATE", default="60/min"),
        "api_write_user": env.str("API_WRITE_RATE_USER", default="60/min"),
        "api_write_team": env.str("API_WRITE_RATE_TEAM", default="240/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "dashboard.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dashboard.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CS Dashboard API",
    "DESCRIPTION": "Teams' Cloud Stream Service jobs, templates, clusters, quotas and billing. Reads are "
    "served from the dashboard's snapshots; writes go to CS. Authenticate with a personal API token "
    "(`Authorization: Bearer <token>`) or the browser session (with the CSRF token).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {
        "csid": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 999999999999999999},
    },
    "ENUM_NAME_OVERRIDES": {
        "SqlJobTypeEnum": "csapi.vocab.SQL_JOB_TYPES",
        "JarJobTypeEnum": "csapi.vocab.JAR_JOB_TYPES",
        "IncidentStateEnum": "dashboard.alerts.models.IncidentState.choices",
        "NotificationStateEnum": "dashboard.alerts.models.NotificationState.choices",
    },
}
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "dashboard.api"]
try:  # Swagger UI served from this site (CSP: scripts only from 'self'); without it /api/docs/ is plain HTML.
    import drf_spectacular_sidecar  # noqa: F401

    INSTALLED_APPS.append("drf_spectacular_sidecar")
    SPECTACULAR_SETTINGS.update(
        SWAGGER_UI_DIST="SIDECAR", SWAGGER_UI_FAVICON_HREF="SIDECAR", REDOC_DIST="SIDECAR"
    )
    API_DOCS_SWAGGER = True
except ImportError:
    API_DOCS_SWAGGER = False
# ------------------------------------------------------------------------------------- end of REST API
