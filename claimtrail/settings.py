"""Claimtrail settings: everything deployment-specific comes from the environment.

Defaults make `make run` work on a fresh machine (SQLite, Celery's filesystem
transport); production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and friends.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="" if not DEBUG else "dev-only-insecure-key-change-me")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Set the SECRET_KEY environment variable when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "claimtrail.middleware.csrf_failure"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Language quotes are translated into; a quote in any other language needs a translation.
WORKING_LANGUAGE = env.str("WORKING_LANGUAGE", default="en")
CLAIMTRAIL_VERSION = "0.1.0"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "template_partials",
    "csp",
    "sources",
    "claims",
    "provenance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "claimtrail.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "claimtrail.urls"
WSGI_APPLICATION = "claimtrail.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database -----------------------------------------------------------------
# SQLite by default; DATABASE_URL (postgres://user:pass@host:port/name) switches.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'claimtrail.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The web server and the Celery worker write to one file at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling state) -------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://claimtrail")}

# --- Auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Refuses every login while the client address or username is over LOGIN_FAILURE_LIMIT.
AUTHENTICATION_BACKENDS = ["claimtrail.login_throttle.ThrottledModelBackend"]
LOGIN_URL = "/accounts/login/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
# Failed logins and token requests allowed within LOGIN_FAILURE_WINDOW seconds before
# further attempts get a 429: per (client address, username), and per client address over
# all usernames. Past LOGIN_USERNAME_FAILURE_LIMIT failures for one username from anywhere,
# each address gets one wrong guess at it per window (nothing locks a username for all).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=20)
LOGIN_FAILURE_WINDOW = env.int("LOGIN_FAILURE_WINDOW", default=300)

# --- Internationalization -----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads larger than this are refused with a 400.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=500 * 1024 * 1024)
# JSON bodies and form fields other than files: larger ones get a 413 naming this limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Celery -------------------------------------------------------------------
# Default: the filesystem transport under var/, so `make run` needs no broker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
# Where the filesystem transport keeps its messages (a benchmark moves it aside).
CELERY_BROKER_FOLDER = Path(env.str("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "celery")))
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
        # Seconds between looks at the queue folder when it was empty: kombu's default (1 s)
        # is most of the wait between saving evidence and its capture starting.
        "polling_interval": env.float("CELERY_BROKER_POLLING_INTERVAL", default=0.1),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("queue", "processed", "control"):
        (CELERY_BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds a worker process keeps its database connection from one task to the next (0: a
# new connection for every task). CONN_MAX_AGE above is for the web processes.
CELERY_WORKER_CONN_MAX_AGE = env.int("CELERY_WORKER_CONN_MAX_AGE", default=600)
# Celery's Django fixup closes connections around every task unless this is set; it then
# closes them every that many tasks (provenance/capture/worker.py does the rest).
CELERY_DB_REUSE_MAX = 1000 if CELERY_WORKER_CONN_MAX_AGE > 0 else None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an unauthenticated request gets a 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["claimtrail.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "claimtrail.ordering.StrictOrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "claimtrail.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "claimtrail.pagination.CursorPage",
    "DEFAULT_SCHEMA_CLASS": "claimtrail.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "claimtrail.api_errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("AUTH_THROTTLE_RATE", default="20/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Reverse proxies in front of the app; X-Forwarded-For is trusted only this deep.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=200)

SPECTACULAR_SETTINGS = {
    "TITLE": "Claimtrail API",
    "DESCRIPTION": (
        "Record claims, where they appeared and who made each appearance, the evidence "
        "behind them and preserved, hashed captures of that evidence."
    ),
    "VERSION": CLAIMTRAIL_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One component per domain choice set, named after it: several fields share a
    # name ("kind" of a source, an evidence item, a relation) with different choices.
    "ENUM_NAME_OVERRIDES": {
        "VerdictEnum": "claims.models.Verdict",
        "ReviewStateEnum": "claims.models.ReviewState",
        "CredibilityEnum": "claims.models.Credibility",
        "RelationKindEnum": "claims.models.RelationKind",
        "SourceKindEnum": "sources.models.SourceKind",
        "ReliabilityEnum": "sources.models.Reliability",
        "IdentifierKindEnum": "sources.models.IdentifierKind",
        "StanceEnum": "provenance.models.Stance",
        "DatePrecisionEnum": "provenance.models.DatePrecision",
        "EvidenceKindEnum": "provenance.models.EvidenceKind",
        "EvidenceRelationEnum": "provenance.models.EvidenceRelation",
        "CaptureStatusEnum": "provenance.models.CaptureStatus",
    },
}

# --- Security -----------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- Exports ------------------------------------------------------------------
# The organization named as author of the ClaimReview exports (schema.org).
CLAIMREVIEW_AUTHOR_NAME = env.str("CLAIMREVIEW_AUTHOR_NAME", default="Claimtrail")
CLAIMREVIEW_AUTHOR_URL = env.str("CLAIMREVIEW_AUTHOR_URL", default=SITE_URL)

# --- Capture ------------------------------------------------------------------
CAPTURE_MAX_BYTES = env.int("CAPTURE_MAX_BYTES", default=2 * 1024 * 1024 * 1024)
CAPTURE_CONNECT_TIMEOUT = env.float("CAPTURE_CONNECT_TIMEOUT", default=10.0)
CAPTURE_READ_TIMEOUT = env.float("CAPTURE_READ_TIMEOUT", default=30.0)
CAPTURE_DEADLINE = env.float("CAPTURE_DEADLINE", default=900.0)
CAPTURE_MAX_REDIRECTS = env.int("CAPTURE_MAX_REDIRECTS", default=5)
CAPTURE_MAX_ATTEMPTS = env.int("CAPTURE_MAX_ATTEMPTS", default=5)
# Testing aid: networks (addresses or CIDR ranges) let through the public-address guard.
CAPTURE_ALLOWED_NETWORKS = env.list("CAPTURE_ALLOWED_NETWORKS", default=[])
# Proxy for captures; proxy environment variables are ignored unless this is set.
CAPTURE_PROXY_URL = env.str("CAPTURE_PROXY_URL", default="")
# Seconds after which a capture still "fetching" is requeued or failed by the sweeper.
CAPTURE_STUCK_AFTER = env.int("CAPTURE_STUCK_AFTER", default=1800)
# Re-capture interval in hours for periodic link-rot checks; 0 turns it off.
CAPTURE_RECAPTURE_HOURS = env.int("CAPTURE_RECAPTURE_HOURS", default=0)
# At most this many evidence items are re-captured per hourly run (spreads the load).
CAPTURE_RECAPTURE_BATCH = env.int("CAPTURE_RECAPTURE_BATCH", default=200)
# How often (seconds) beat runs the stuck-capture sweeper.
CAPTURE_SWEEP_SECONDS = env.int("CAPTURE_SWEEP_SECONDS", default=300)
# Transient failures retry after ~BACKOFF·2^n seconds (jittered), at most BACKOFF_MAX.
CAPTURE_RETRY_BACKOFF = env.int("CAPTURE_RETRY_BACKOFF", default=10)
CAPTURE_RETRY_BACKOFF_MAX = env.int("CAPTURE_RETRY_BACKOFF_MAX", default=600)
# Directory for in-flight downloads; empty means the system temporary directory.
CAPTURE_WORK_DIR = env.str("CAPTURE_WORK_DIR", default="")
# Embedded media (og:image, <video>, <img>…) captured per page, one level deep.
CAPTURE_MAX_EMBEDDED = env.int("CAPTURE_MAX_EMBEDDED", default=20)
# Only the first bytes of a page are parsed for metadata.
CAPTURE_HTML_MAX_BYTES = env.int("CAPTURE_HTML_MAX_BYTES", default=5 * 1024 * 1024)
# Images above this many pixels keep their bytes and hash but are not decoded (bombs).
CAPTURE_IMAGE_MAX_PIXELS = env.int("CAPTURE_IMAGE_MAX_PIXELS", default=40_000_000)
CAPTURE_THUMBNAIL_SIZE = env.int("CAPTURE_THUMBNAIL_SIZE", default=400)
# Browser capture of web pages and social posts: headless Chromium whose every request is
# served by the capture fetcher (same address rules, limits per request and per page).
# Videos and social posts whose link is a page also get the video behind it via yt-dlp.
CAPTURE_MEDIA_ENABLED = env.bool("CAPTURE_MEDIA_ENABLED", default=True)
CAPTURE_BROWSER_PATH = env.str("CAPTURE_BROWSER_PATH", default="/usr/bin/chromium")
CAPTURE_BROWSER_ENABLED = env.bool(
    "CAPTURE_BROWSER_ENABLED", default=os.access(CAPTURE_BROWSER_PATH, os.X_OK)
)
if CAPTURE_BROWSER_ENABLED and not os.access(CAPTURE_BROWSER_PATH, os.X_OK):
    raise environ.ImproperlyConfigured(
        f"CAPTURE_BROWSER_ENABLED is on but CAPTURE_BROWSER_PATH ({CAPTURE_BROWSER_PATH}) is "
        "not an executable; install Chromium or point CAPTURE_BROWSER_PATH at it."
    )
CAPTURE_BROWSER_DEADLINE = env.float("CAPTURE_BROWSER_DEADLINE", default=120.0)
CAPTURE_BROWSER_MAX_REQUESTS = env.int("CAPTURE_BROWSER_MAX_REQUESTS", default=300)
CAPTURE_BROWSER_MAX_RESOURCE_BYTES = env.int(
    "CAPTURE_BROWSER_MAX_RESOURCE_BYTES", default=50 * 1024 * 1024
)
CAPTURE_BROWSER_MAX_PAGE_BYTES = env.int(
    "CAPTURE_BROWSER_MAX_PAGE_BYTES", default=500 * 1024 * 1024
)
# Captured bytes, WARCs and thumbnails go to the "captures" storage: the media directory,
# or an S3-compatible bucket once CAPTURE_S3_BUCKET is set. Without the key pair, boto3's
# usual credential chain (instance role, AWS_* variables) applies.
CAPTURE_S3_BUCKET = env.str("CAPTURE_S3_BUCKET", default="")
CAPTURE_S3_REGION = env.str("CAPTURE_S3_REGION", default="")
CAPTURE_S3_ENDPOINT_URL = env.str("CAPTURE_S3_ENDPOINT_URL", default="")
CAPTURE_S3_ACCESS_KEY_ID = env.str("CAPTURE_S3_ACCESS_KEY_ID", default="")
CAPTURE_S3_SECRET_ACCESS_KEY = env.str("CAPTURE_S3_SECRET_ACCESS_KEY", default="")
if CAPTURE_S3_BUCKET:
    _missing = [] if CAPTURE_S3_REGION else ["CAPTURE_S3_REGION"]
    if CAPTURE_S3_ACCESS_KEY_ID and not CAPTURE_S3_SECRET_ACCESS_KEY:
        _missing.append("CAPTURE_S3_SECRET_ACCESS_KEY")
    if CAPTURE_S3_SECRET_ACCESS_KEY and not CAPTURE_S3_ACCESS_KEY_ID:
        _missing.append("CAPTURE_S3_ACCESS_KEY_ID")
    if _missing:
        raise environ.ImproperlyConfigured(
            f"CAPTURE_S3_BUCKET is set: also set {', '.join(_missing)}."
        )
    STORAGES["captures"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CAPTURE_S3_BUCKET,
            "region_name": CAPTURE_S3_REGION,
            "endpoint_url": CAPTURE_S3_ENDPOINT_URL or None,
            "access_key": CAPTURE_S3_ACCESS_KEY_ID or None,
            "secret_key": CAPTURE_S3_SECRET_ACCESS_KEY or None,
            "file_overwrite": True,
            "default_acl": None,
        },
    }
else:
    STORAGES["captures"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# Capture workers (`manage.py captureworkers`: `make run`, docker-compose.yml). Fetches,
# uploads and yt-dlp downloads mostly wait on the network, so this many run at once, in
# threads, split over CAPTURE_WORKER_PROCESSES processes (0: one per CPU) so that the Python
# parts (hashing, WARC writing) use every core. Browser captures go to a queue of their own
# whose worker runs at most CAPTURE_BROWSER_CONCURRENCY Chromiums.
CAPTURE_WORKER_CONCURRENCY = env.int("CAPTURE_WORKER_CONCURRENCY", default=16)
CAPTURE_WORKER_PROCESSES = env.int("CAPTURE_WORKER_PROCESSES", default=0)
# With one capture worker process per CPU, each stays on its own CPU (see
# provenance/capture/worker_group.py: plan).
CAPTURE_WORKER_PIN_CPUS = env.bool("CAPTURE_WORKER_PIN_CPUS", default=True)
CAPTURE_BROWSER_CONCURRENCY = env.int("CAPTURE_BROWSER_CONCURRENCY", default=2)
CAPTURE_BROWSER_QUEUE = "browser"
CELERY_TASK_ROUTES = {
    "provenance.tasks.capture_browser_task": {"queue": CAPTURE_BROWSER_QUEUE},
}
CELERY_BEAT_SCHEDULE = {
    "capture-sweep-stuck": {
        "task": "provenance.tasks.capture_sweep_task",
        "schedule": float(CAPTURE_SWEEP_SECONDS),
    },
    "capture-recapture": {
        "task": "provenance.tasks.capture_recapture_task",
        "schedule": 3600.0,
    },
}

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
