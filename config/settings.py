"""Django settings for qingdan, read from the environment only.

Two shapes: the embedded demo (``QINGDAN_DEMO=1``: SQLite in ``var/``, a database-backed
task queue, a fixed demo secret) and production (``DATABASE_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS`` and optionally ``REDIS_URL`` for the RQ broker). See ``.env.example``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("QINGDAN_VAR_DIR", str(BASE_DIR / "var")))

DEMO = env_bool("QINGDAN_DEMO", False)
DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("QINGDAN_TESTING", False)

_DEMO_SECRET = "demo-only-not-secret-qingdan-0f7b1c2d3e4f"  # noqa: S105 - refused outside demo/tests
_SECRET_KEY = env_str("SECRET_KEY") or (
    _DEMO_SECRET if (DEMO or DEBUG or TESTING or env_bool("QINGDAN_HELP_ONLY")) else None
)
if not _SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY is required outside the demo. Set SECRET_KEY, or QINGDAN_DEMO=1 for a local demo."
    )
SECRET_KEY: str = _SECRET_KEY

# Key for encrypting personal data at rest (Fernet, urlsafe base64 of 32 bytes). Derived from
# SECRET_KEY when unset so the demo works; production should set its own and keep it stable.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if (DEMO or DEBUG or TESTING) else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form sent without its token gets a page in the site's language with a way back, not Django's English one.
CSRF_FAILURE_VIEW = "qingdan.core.errorpages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "csp",
    "treebeard",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "qingdan.core",
    "qingdan.units",
    "qingdan.people",
    "qingdan.audit",
    "qingdan.notifications",
    "qingdan.intake",
    "qingdan.triage",
    "qingdan.dockets",
    "qingdan.ledgers",
    "qingdan.surveys",
    "qingdan.supervision",
    "qingdan.reports",
    "qingdan.portal",
    "qingdan.api",
    "qingdan.open311",
    "qingdan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The page's Content-Security-Policy (CONTENT_SECURITY_POLICY below); downloads set their own.
    "csp.middleware.CSPMiddleware",
    # Outside the session and CSRF middleware, so it sees their Vary: Cookie (docs/security.md).
    "qingdan.core.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qingdan.core.middleware.ApplicationErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns lock-outs raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qingdan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_sqlite = f"sqlite:///{VAR_DIR / 'qingdan.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or _default_sqlite, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a writer takes the lock up front, so concurrent writers queue instead of
        # failing half-way with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3") if env_bool("QINGDAN_TEST_DB_FILE") else None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security -----------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # checks (account, address) locks
    "qingdan.people.lockout.AccountCeilingBackend",  # per-account ceiling across addresses
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("QINGDAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("QINGDAN_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
# One account from one address: a stranger's guesses never lock a colleague out at their own desk.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The real client behind the proxy: the same helper and settings as the portal's rate limits.
AXES_CLIENT_IP_CALLABLE = "qingdan.core.clientip.client_ip"
# Across all addresses: past the ceiling each attempt waits a delay doubling per failure (qingdan.people.lockout).
QINGDAN_LOGIN_ACCOUNT_CEILING = env_int("QINGDAN_LOGIN_ACCOUNT_CEILING", 30)
QINGDAN_LOGIN_ACCOUNT_WINDOW_HOURS = env_int("QINGDAN_LOGIN_ACCOUNT_WINDOW_HOURS", 24)
QINGDAN_LOGIN_ACCOUNT_DELAY_SECONDS = env_int("QINGDAN_LOGIN_ACCOUNT_DELAY_SECONDS", 60)
QINGDAN_LOGIN_ACCOUNT_DELAY_MAX_SECONDS = env_int("QINGDAN_LOGIN_ACCOUNT_DELAY_MAX_SECONDS", 6 * 3600)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_VERBOSE = False

_secure_default = not (DEMO or DEBUG or TESTING)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _secure_default)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _secure_default)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("QINGDAN_SESSION_SECONDS", 8 * 3600)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure_default)
# One year of HTTPS-only once a browser has seen the site over TLS (sent on secure requests only).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _secure_default else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _secure_default)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files, no
# inline script, no eval; pictures may also be data:/blob: (previews, charts). Downloads replace
# it with "sandbox" (qingdan.core.downloads). QINGDAN_CSP_REPORT_URI collects violation reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": [env_str("QINGDAN_CSP_REPORT_URI")]} if env_str("QINGDAN_CSP_REPORT_URI") else {}),
    },
}
# Paths whose answers are never stored by a browser or proxy, whoever asks (qingdan.core.middleware).
QINGDAN_NO_STORE_PREFIXES = ["/api/", "/open311/"]

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "qingdan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from npm at set-up (package.json) and are served from here; never a CDN.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/pico", _NODE / "@picocss" / "pico" / "css"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
]
WHITENOISE_USE_FINDERS = DEMO or DEBUG or TESTING
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"  # never served: attachments go out only through scoped views

# --- Uploads: a form with up to 5 attachments of 10 MB -------------------------------------
# Text fields of one request (not files); above this Django refuses the request.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("QINGDAN_MAX_FORM_BYTES", 2_621_440)
# Files larger than this go to a temporary file while the request is read, not to memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The whole body of a request carrying attachments; larger requests get a clear 413 page.
QINGDAN_MAX_UPLOAD_BYTES = env_int("QINGDAN_MAX_UPLOAD_BYTES", 52 * 1024 * 1024)
# Largest image accepted, in pixels (width × height, read from the header before decoding): a
# few-KB PNG can claim 6000 × 6000 and take gigabytes to decode. 25 M is a 6000 × 4000 photo.
QINGDAN_MAX_IMAGE_PIXELS = env_int("QINGDAN_MAX_IMAGE_PIXELS", 25_000_000)

# --- Cache: rate limits and throttles count here; share it between processes in production --
_CACHE_URL = env_str("CACHE_URL")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
          if _CACHE_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work: one interface (django-tasks), two engines ----------------------------
# Embedded default: tasks stored in the database, run by `qingdan db_worker`.
# Scale-out: QINGDAN_TASKS=rq with REDIS_URL, run by `qingdan rqworker --job-class django_tasks_rq.Job`
# on as many machines as needed. Code only ever calls `some_task.enqueue(...)`.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
TASKS_ENGINE = env_str("QINGDAN_TASKS", "db")
TASK_BACKENDS = {
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASKS_ENGINE not in TASK_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"QINGDAN_TASKS must be one of {', '.join(TASK_BACKENDS)}, not {TASKS_ENGINE!r}")
TASKS = {"default": TASK_BACKENDS[TASKS_ENGINE]}

# --- Logging: never personal data; structured enough to grep ------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "qingdan.core.logging.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "qingdan@localhost")

# --- qingdan -------------------------------------------------------------------------------
QINGDAN_DIVISIONS_DIR = env_str("QINGDAN_DIVISIONS_DIR")  # default: the files shipped in qingdan/units/data
QINGDAN_API_THROTTLE = env_str("QINGDAN_API_THROTTLE", "600/m")
# Public portal: where a submission without a chosen place goes (a unit code; default: the first root).
QINGDAN_PORTAL_UNIT = env_str("QINGDAN_PORTAL_UNIT", "")
# Portal rate limits ("count/period", period s, m, h or d), counted in the cache, never stored.
QINGDAN_PORTAL_RATE_IP = env_str("QINGDAN_PORTAL_RATE_IP", "30/h")
QINGDAN_PORTAL_RATE_PHONE = env_str("QINGDAN_PORTAL_RATE_PHONE", "10/d")
QINGDAN_TRACK_RATE_IP = env_str("QINGDAN_TRACK_RATE_IP", "60/m")
QINGDAN_PLACES_RATE_IP = env_str("QINGDAN_PLACES_RATE_IP", "300/m")
# If the cache is down, let citizens through rather than refuse every submission.
RATELIMIT_FAIL_OPEN = True
# Behind a reverse proxy, the request header carrying the client address (e.g. HTTP_X_REAL_IP).
QINGDAN_CLIENT_IP_HEADER = env_str("QINGDAN_CLIENT_IP_HEADER", "")
# The header above is believed only from these addresses (comma-separated IPs or networks).
QINGDAN_TRUSTED_PROXIES = env_str("QINGDAN_TRUSTED_PROXIES", "127.0.0.1,::1")
# Working-day calendar: how often a process checks the shared cache for another process's edit.
QINGDAN_CALENDAR_RECHECK_SECONDS = env_int("QINGDAN_CALENDAR_RECHECK_SECONDS", 60)
# Notifications: links in e-mail and webhooks point here; e-mail copies are opt-in per user.
# Running figures are kept for units down to this depth (4 = township); deeper units' figures
# are counted from their few items when asked (docs/supervision.md, "How deep figures are kept").
QINGDAN_FIGURES_DEPTH = env_int("QINGDAN_FIGURES_DEPTH", 4)
# Study days each leadership team must reach in a period; the ledger figures list the teams below.
QINGDAN_STUDY_REQUIRED_DAYS = Decimal(env_str("QINGDAN_STUDY_REQUIRED_DAYS", "5") or "5")
QINGDAN_SITE_URL = env_str("QINGDAN_SITE_URL", "http://127.0.0.1:8000")
QINGDAN_NOTIFY_EMAIL_DEFAULT = env_bool("QINGDAN_NOTIFY_EMAIL_DEFAULT", False)
# Webhooks to loopback, private and link-local addresses are refused (SSRF) unless allowed here;
# the demo and the test suite post to receivers on 127.0.0.1.
QINGDAN_WEBHOOK_ALLOW_PRIVATE = env_bool("QINGDAN_WEBHOOK_ALLOW_PRIVATE", DEMO or TESTING)
QINGDAN_WEBHOOK_TIMEOUT = env_int("QINGDAN_WEBHOOK_TIMEOUT", 5)  # seconds per attempt; redirects are not followed
