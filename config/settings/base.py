"""Settings shared by every environment. Defaults point at the local stack that
`make run` starts (ops/stack.sh); a deployment sets the same variables to real clusters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from config.env import email_settings, env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "local-development-only-not-secret")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "marketplace",
    "search",
    "graph",
    "auctions",
    "alerts",
    "events",
]

MIDDLEWARE = [
    "core.api.errors.ApiErrorMiddleware",
    "core.api.versioning.DeprecatedPathsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.pages.PageLanguageMiddleware",
    "events.emit.EventContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.pages.ErrorPageMiddleware",
    # Last, not second as WhiteNoise suggests: it is the one middleware that cannot run async,
    # and above async-capable ones it made Django cross between the event loop and a thread
    # for each of their methods. At the bottom the whole chain runs in one thread, entered
    # once per request (an API call 1.7 ms faster); static files still skip the view.
    "whitenoise.middleware.WhiteNoiseMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "marketplace.context_processors.viewer_switches",
                "alerts.context_processors.bell",
                "core.pages.page_urls",
            ],
        },
    },
]

# --- PostgreSQL: the source of truth
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:15432/marketplace"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 3)
# Connections come from a pool per process. Under ASGI each request runs its synchronous
# code in a thread and context of its own, so a persistent connection (CONN_MAX_AGE) was
# never reused: every request that read PostgreSQL opened one (42 new sessions for 60
# searches with spec facets, a few ms each). DATABASE_POOL_SIZE=0 goes back to that.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 20)
if DATABASE_POOL_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django's pool takes the place of persistent connections
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),  # seconds a request waits for a free connection
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "marketplace.User"

# --- Redis: channel layer for live auctions, rate limits, presence
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:16379/0")
CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "capacity": 1500, "expiry": 30},
    }
}

# --- Events (events/): request events through a Redis Stream of bounded length, all of them
# kept by the sink (`manage.py events_sink`) in EVENTS_SINK, PostgreSQL unless configured
EVENTS_STREAM = env_str("EVENTS_STREAM", "{events}")  # a hash tag: its counters share its Cluster slot
EVENTS_STREAM_MAXLEN = env_int("EVENTS_STREAM_MAXLEN", 1_000_000)
EVENTS_SINK = env_str("EVENTS_SINK", "events.sink.PostgresSink")
EVENTS_STRICT = env_bool("EVENTS_STRICT", False)  # raise on an event that breaks its contract
METRICS_TOKEN = env_str("METRICS_TOKEN", "")  # /metrics answers loopback, and this bearer token

# --- Search engine (Elasticsearch REST API; OpenSearch 2.x locally, see README)
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL", "http://127.0.0.1:19200")
ELASTICSEARCH_USER = env_str("ELASTICSEARCH_USER", "")
ELASTICSEARCH_PASSWORD = env_str("ELASTICSEARCH_PASSWORD", "")
ELASTICSEARCH_TIMEOUT = float(env_str("ELASTICSEARCH_TIMEOUT", "5"))
SEARCH_INDEX_PREFIX = env_str("SEARCH_INDEX_PREFIX", "marketplace")

# --- Alerts: saved searches a person may keep (more are refused with a 409)
ALERTS_SAVED_SEARCHES_PER_USER = env_int("ALERTS_SAVED_SEARCHES_PER_USER", 50)
# the percolator index's shards: a percolate request runs one thread per shard (a core each)
ALERTS_PERCOLATOR_SHARDS = env_int("ALERTS_PERCOLATOR_SHARDS", 2)

# --- Neo4j: the catalogue graph
NEO4J_URI = env_str("NEO4J_URI", "bolt://127.0.0.1:17687")
NEO4J_USER = env_str("NEO4J_USER", "neo4j")
NEO4J_PASSWORD = env_str("NEO4J_PASSWORD", "marketplace-local")
NEO4J_DATABASE = env_str("NEO4J_DATABASE", "neo4j")

# --- Health checks give up after this long per service, so /healthz never hangs
HEALTH_CHECK_TIMEOUT = float(env_str("HEALTH_CHECK_TIMEOUT", "2"))
# A request running longer than this means the process is stuck (/healthz answers 503).
REQUEST_STUCK_SECONDS = float(env_str("REQUEST_STUCK_SECONDS", "30"))

# --- Email (alerts/sender.py sends it): EMAIL_URL (config/env.py email_settings), or the usual
# EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_URL = env_str("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "IronMarket <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in email are absolute: the site's public address, no trailing slash.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The sender (manage.py alerts_sender): how long a claimed email is held before another sender
# may take it over, and how often a transient failure is retried (doubling from the first delay).
ALERTS_EMAIL_LEASE_SECONDS = env_int("ALERTS_EMAIL_LEASE_SECONDS", 120)
ALERTS_EMAIL_RETRY_SECONDS = env_int("ALERTS_EMAIL_RETRY_SECONDS", 30)
ALERTS_EMAIL_MAX_ATTEMPTS = env_int("ALERTS_EMAIL_MAX_ATTEMPTS", 8)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
SERVE_MEDIA = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Shared cache (throttling, rate limits) lives in Redis so every server process sees it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "marketplace"),
    }
}

# Bidding: per bidder and auction, at most BID_RATE_LIMIT requests per BID_RATE_WINDOW seconds.
BID_RATE_LIMIT = env_int("BID_RATE_LIMIT", 10)
BID_RATE_WINDOW = env_int("BID_RATE_WINDOW", 10)
# Enquiries: a buyer starts at most ENQUIRIES_PER_HOUR conversations an hour, and anyone writes
# at most ENQUIRY_MESSAGES_PER_MINUTE messages a minute (counted from the stored rows).
ENQUIRIES_PER_HOUR = env_int("ENQUIRIES_PER_HOUR", 10)
ENQUIRY_MESSAGES_PER_MINUTE = env_int("ENQUIRY_MESSAGES_PER_MINUTE", 5)
# Auction events reach sockets through one Redis pub/sub subscription per process and auction
# ("hub", auctions/hub.py) or, as the benchmark's baseline, a channels-redis group per auction.
AUCTION_FANOUT = env_choice("AUCTION_FANOUT", "hub", ("hub", "channel_layer"))
# The server process's garbage collector thresholds (generation 0, 1, 2; core/server.py).
GC_THRESHOLDS = tuple(int(part) for part in env_list("GC_THRESHOLDS", ["10000", "10", "10"]))
# Presence: each process vouches for its open auction sockets every PRESENCE_HEARTBEAT seconds;
# an entry not vouched for in PRESENCE_TTL seconds (its process died) stops counting.
PRESENCE_HEARTBEAT = float(env_str("PRESENCE_HEARTBEAT", "5"))
PRESENCE_TTL = float(env_str("PRESENCE_TTL", "15"))
# Joins and leaves within PRESENCE_COALESCE seconds share one broadcast of the count.
PRESENCE_COALESCE = float(env_str("PRESENCE_COALESCE", "1"))
# Graceful shutdown: how long a stopping server lets its sockets finish in-flight bids.
SHUTDOWN_DRAIN_SECONDS = float(env_str("SHUTDOWN_DRAIN_SECONDS", "10"))

# Photo uploads: checked by content, limited in bytes and pixels, re-encoded.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000)
PHOTO_MAX_EDGE = env_int("PHOTO_MAX_EDGE", 2400)
PHOTO_THUMBNAIL_EDGE = env_int("PHOTO_THUMBNAIL_EDGE", 480)
PHOTOS_PER_MACHINE = env_int("PHOTOS_PER_MACHINE", 30)
PHOTOS_PER_UPLOAD = env_int("PHOTOS_PER_UPLOAD", 4)  # photos one page form may send at once
DATA_UPLOAD_MAX_MEMORY_SIZE = PHOTO_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 200)  # per query string or form
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger uploads are spooled to disk while read

# --- What one request may cost a server process (core/limits.py): the body a route accepts
# (413 past it, before it is read) and the requests in flight per pool (503 past them).
API_MAX_BODY = env_int("API_MAX_BODY", 512 * 1024)
PAGE_MAX_BODY = env_int("PAGE_MAX_BODY", 1024 * 1024)
REQUEST_POOLS = {
    "requests": env_int("REQUESTS_IN_FLIGHT", 40),
    "uploads": env_int("UPLOADS_IN_FLIGHT", 2),  # each decodes an image of up to PHOTO_MAX_PIXELS
    "streams": env_int("STREAMS_IN_FLIGHT", 2000),  # server-sent event streams, open for minutes
}
# A full garbage collection once the process has grown by this much since the last (core/memory.py).
MEMORY_COLLECT_STEP_MB = env_int("MEMORY_COLLECT_STEP_MB", 96)
REQUEST_ROUTES = [  # (path pattern, most body bytes, pool); the first that matches applies
    (r"^/api/(v1/)?machines/[0-9]+/photos/$", PHOTO_MAX_BYTES + 64 * 1024, "uploads"),
    (r"^/sell/[0-9]+/photos/$", PHOTOS_PER_UPLOAD * PHOTO_MAX_BYTES + 64 * 1024, "uploads"),
    (r"^/api/(v1/)?auctions/events/$", 0, "streams"),
    (r"^/machines/[0-9]+/watchers/stream/$", 0, "streams"),
    (r"^/api/", API_MAX_BODY, "requests"),
    (r"", PAGE_MAX_BODY, "requests"),
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.BoundedPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonThrottle",
        "core.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("THROTTLE_ANON", "300/minute"),
        "user": env_str("THROTTLE_USER", "1200/minute"),
        "auth": env_str("THROTTLE_AUTH", "20/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Used construction equipment marketplace API",
    "DESCRIPTION": "Catalogue, multilingual search, spec facets and live auctions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["core.api.schema.current_version_only"],
    # Enums stay where they are declared (drf-spectacular's enum hook would merge the money
    # shapes' currency lists, which differ by decimal places, into one).
    "POSTPROCESSING_HOOKS": ["core.api.schema.declare_common_errors"],
    # Swagger UI served from our own static files: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "elasticsearch": {"level": "WARNING"},
        "elastic_transport": {"level": "WARNING"},
        "neo4j": {"level": "WARNING"},
    },
}
