"""The one settings module, driven by SECONDSTORY_* environment variables.

Unset, everything falls back to a zero-config SQLite installation in
``SECONDSTORY_HOME`` (default ``./var``). Bad values fail loudly at start-up
with a message that names the variable.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from secondstory.core.claims import MappingError, parse_mapping

PACKAGE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected true or false")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _home() -> Path:
    """The data folder; created readable by this user only (0700)."""
    home = Path(env_str("SECONDSTORY_HOME", "var")).expanduser().resolve()
    try:
        if not home.exists():
            home.mkdir(parents=True, mode=0o700)
            home.chmod(0o700)
    except OSError as exc:
        raise ImproperlyConfigured(f"SECONDSTORY_HOME={home}: cannot create it ({exc})") from exc
    return home


def _secret_key(home: Path) -> str:
    key = os.environ.get("SECONDSTORY_SECRET_KEY")
    if key:
        return key
    path = home / "secret_key"
    if not path.exists():
        _private_file(path)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def _private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if missing (SQLite gives its -wal and -shm files the
    database file's mode, so they are private too)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600))
    except OSError as exc:
        raise ImproperlyConfigured(f"{path}: cannot create the database file ({exc})") from exc


def _database(home: Path) -> dict[str, object]:
    url = os.environ.get("SECONDSTORY_DATABASE_URL", "")
    if not url:
        _private_file(home / "secondstory.sqlite3")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(home / "secondstory.sqlite3"),
            "OPTIONS": {
                # A writer waits this long for another's lock (imports write in short
                # batches, so a few seconds is plenty); a web request then is retried
                # (SECONDSTORY_LOCK_RETRIES) and answered 503 rather than tie up a thread.
                "timeout": env_int("SECONDSTORY_SQLITE_BUSY_TIMEOUT", 5),
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Each server thread keeps its connection (and SQLite's parsed schema and page
            # cache) instead of opening the file again for every request.
            "CONN_MAX_AGE": 600,
            # Tests run on a file too, so they see WAL and real locking.
            "TEST": {"NAME": str(home / "test.sqlite3")},
        }
    if not url.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured(
            f"SECONDSTORY_DATABASE_URL: unsupported scheme in {url.split(':', 1)[0]!r}; "
            "use postgres://user@host:port/name or leave it unset for SQLite"
        )
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = True
    return config


def _time_zone() -> str:
    name = env_str("SECONDSTORY_TIME_ZONE", "UTC")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(f"SECONDSTORY_TIME_ZONE={name!r}: unknown time zone") from exc
    return name


HOME = _home()
SECRET_KEY = _secret_key(HOME)
DEBUG = env_bool("SECONDSTORY_DEBUG", False)
ALLOWED_HOSTS = env_list("SECONDSTORY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("SECONDSTORY_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "secondstory.lib.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "template_partials",
    "secondstory.accounts",
    "secondstory.incidents",
    "secondstory.postmortems",
    "secondstory.actions",
    "secondstory.notify",
    "secondstory.trackers",
    "secondstory.feeds",
    "secondstory.library",
    "secondstory.sharing",
    "secondstory.insights",
    "secondstory.operations",
    "secondstory.audit",
    "secondstory.chat",
    "secondstory.alerts_in",
    "secondstory.outgoing",
    "secondstory.api",
    "ninja",
    "secondstory.nearmiss",
    "secondstory.learningcheck",
    "secondstory.perspectives",
    "secondstory.reviews",
    "secondstory.gamedays",
    "secondstory.pagecache",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before host checks, redirects and sign-in.
    "secondstory.operations.probes.ProbeMiddleware",
    "secondstory.lib.database_locks.LockRetryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "secondstory.lib.request_limits.SecureCookieMiddleware",
    "secondstory.lib.request_limits.RequestSizeMiddleware",
    "secondstory.lib.request_limits.QueryStringMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "secondstory.lib.site.SiteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Whoever the request signs in as is the actor of what it changes (docs/audit.md).
    "secondstory.audit.context.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "secondstory.urls"
WSGI_APPLICATION = "secondstory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "secondstory.accounts.context_processors.sign_in",
            ],
        },
    }
]
# Each distinct form widget is rendered once per process (docs/performance.md).
FORM_RENDERER = "secondstory.lib.form_rendering.KeptWidgetRenderer"

DATABASES = {"default": _database(HOME)}
# Insights figures, keyed by the data-change token (docs/insights.md, "Speed"): files under
# SECONDSTORY_HOME, so the web server's processes and the command line share them.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "insights": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(HOME / "cache" / "insights"),
        "TIMEOUT": 7 * 24 * 3600,
        # Kept months: one per month of history for the organisation, each team and each
        # service (about 25 kB each); past this many, a third of the entries is dropped.
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
# SQLite: times a request refused by another writer's lock is run again before a 503.
SECONDSTORY_LOCK_RETRIES = env_int("SECONDSTORY_LOCK_RETRIES", 2)
# API requests one token may make per minute in each server process; 0: no limit.
SECONDSTORY_API_RATE_LIMIT = env_int("SECONDSTORY_API_RATE_LIMIT", 600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "postmortems:home"
LOGOUT_REDIRECT_URL = "login"
# Local passwords (username + password on the login page, password change and reset by
# email); false leaves single sign-on as the only way in (see docs/sign-in.md).
SECONDSTORY_LOCAL_PASSWORDS = env_bool("SECONDSTORY_LOCAL_PASSWORDS", True)
AUTHENTICATION_BACKENDS = ["secondstory.accounts.backends.LocalPasswordBackend"]
# Sign-in throttling (docs/security.md): failures allowed per username and per address
# within the window (seconds); then each try waits until the oldest failure leaves it.
SECONDSTORY_LOGIN_MAX_FAILURES = env_int("SECONDSTORY_LOGIN_MAX_FAILURES", 5)
SECONDSTORY_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int(
    "SECONDSTORY_LOGIN_MAX_FAILURES_PER_ADDRESS", 20
)
SECONDSTORY_LOGIN_WINDOW_SECONDS = env_int("SECONDSTORY_LOGIN_WINDOW_SECONDS", 900)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none; the client
# address is then REMOTE_ADDR).
SECONDSTORY_PROXY_COUNT = env_int("SECONDSTORY_PROXY_COUNT", 0)
# Every way of setting a password (the web forms, `createuser`, accounts.services) asks
# these validators (docs/security.md).
SECONDSTORY_PASSWORD_MIN_LENGTH = env_int("SECONDSTORY_PASSWORD_MIN_LENGTH", 10)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": SECONDSTORY_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Single sign-on with OpenID Connect (see docs/sign-in.md); off while the issuer is unset.
SECONDSTORY_OIDC_ISSUER = env_str("SECONDSTORY_OIDC_ISSUER", "").rstrip("/")
SECONDSTORY_OIDC_CLIENT_ID = env_str("SECONDSTORY_OIDC_CLIENT_ID", "")
SECONDSTORY_OIDC_CLIENT_SECRET = env_str("SECONDSTORY_OIDC_CLIENT_SECRET", "")
SECONDSTORY_OIDC_NAME = env_str("SECONDSTORY_OIDC_NAME", "single sign-on")
SECONDSTORY_OIDC_SCOPES = env_str("SECONDSTORY_OIDC_SCOPES", "openid email profile")
SECONDSTORY_OIDC_USERNAME_CLAIM = env_str("SECONDSTORY_OIDC_USERNAME_CLAIM", "preferred_username")
# JSON objects: group -> role, group -> team slug(s) the person belongs to / maintains;
# the role of a person none of whose groups is mapped ("none" refuses them).
try:
    SECONDSTORY_OIDC_MAPPING = parse_mapping(
        roles=env_str("SECONDSTORY_OIDC_ROLES", ""),
        teams=env_str("SECONDSTORY_OIDC_TEAMS", ""),
        maintainers=env_str("SECONDSTORY_OIDC_TEAM_MAINTAINERS", ""),
        default_role=env_str("SECONDSTORY_OIDC_DEFAULT_ROLE", "viewer"),
        groups_claim=env_str("SECONDSTORY_OIDC_GROUPS_CLAIM", "groups"),
    )
except MappingError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
SECONDSTORY_OIDC_CREATE_ACCOUNTS = env_bool("SECONDSTORY_OIDC_CREATE_ACCOUNTS", True)
SECONDSTORY_OIDC_LINK_EXISTING = env_bool("SECONDSTORY_OIDC_LINK_EXISTING", False)
SECONDSTORY_OIDC_TIMEOUT = env_int("SECONDSTORY_OIDC_TIMEOUT", 10)
if SECONDSTORY_OIDC_ISSUER and not SECONDSTORY_OIDC_CLIENT_ID:
    raise ImproperlyConfigured(
        "SECONDSTORY_OIDC_CLIENT_ID: required when SECONDSTORY_OIDC_ISSUER is set"
    )
if SECONDSTORY_OIDC_ISSUER and "openid" not in SECONDSTORY_OIDC_SCOPES.split():
    raise ImproperlyConfigured(
        f"SECONDSTORY_OIDC_SCOPES={SECONDSTORY_OIDC_SCOPES!r}: must include openid"
    )
if not SECONDSTORY_LOCAL_PASSWORDS and not SECONDSTORY_OIDC_ISSUER:
    raise ImproperlyConfigured(
        "SECONDSTORY_LOCAL_PASSWORDS=false needs single sign-on: set SECONDSTORY_OIDC_ISSUER"
    )

LANGUAGE_CODE = "en-gb"
USE_I18N = False
USE_TZ = True
TIME_ZONE = "UTC"
# The zone in which times are shown unless a viewer chooses another.
DISPLAY_TIME_ZONE = _time_zone()

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Serve static files straight from the package: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# A request body bigger than this is refused (413) before it is read: uploads to import.
SECONDSTORY_UPLOAD_MAX_MB = env_int("SECONDSTORY_UPLOAD_MAX_MB", 100)
if SECONDSTORY_UPLOAD_MAX_MB < 1:
    raise ImproperlyConfigured(
        f"SECONDSTORY_UPLOAD_MAX_MB={SECONDSTORY_UPLOAD_MAX_MB}: expected at least 1"
    )
# Uploaded files (kept aside until an import is confirmed) are readable by this user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Served over HTTPS (directly or behind a TLS-terminating proxy that sets
# X-Forwarded-Proto): cookies only over HTTPS, redirect plain HTTP, and HSTS.
# Without it, a request that arrives over HTTPS still gets Secure cookies
# (SecureCookieMiddleware); behind a proxy, SECONDSTORY_TRUST_FORWARDED_PROTO lets the
# proxy's X-Forwarded-Proto say so without the redirect and HSTS (docs/security.md).
HTTPS = env_bool("SECONDSTORY_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS or env_bool("SECONDSTORY_SECURE_COOKIES", False)
if HTTPS or env_bool("SECONDSTORY_TRUST_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A proxy that sends the name people typed in X-Forwarded-Host rather than in Host
# (nginx as in deploy/ passes Host itself and needs none of this).
USE_X_FORWARDED_HOST = env_bool("SECONDSTORY_TRUST_FORWARDED_HOST", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_REDIRECT_EXEMPT = [r"^metrics$"]

# The review gate (docs/review.md): "block" refuses approving and publishing while blame
# findings are neither reworded nor dismissed with a reason, or a reviewer's "please change"
# comments are open; "warn" shows them and lets the step go ahead; "off" leaves them out.
SECONDSTORY_REVIEW_GATE = env_str("SECONDSTORY_REVIEW_GATE", "block").strip().lower()
if SECONDSTORY_REVIEW_GATE not in ("off", "warn", "block"):
    raise ImproperlyConfigured(
        f"SECONDSTORY_REVIEW_GATE={SECONDSTORY_REVIEW_GATE!r}: expected off, warn or block"
    )
# The most time (milliseconds) a postmortem page spends reviewing sections not reviewed since
# they were saved; the rest of the review is fetched after the page (see docs/review.md).
SECONDSTORY_REVIEW_BUDGET_MS = env_int("SECONDSTORY_REVIEW_BUDGET_MS", 300)

# Learning-health thresholds (see docs/insights.md): a JSON object overriding the defaults,
# e.g. SECONDSTORY_HEALTH='{"follow_alarm_share": 0.6, "publication_alarm_days": 10}'.
try:
    SECONDSTORY_HEALTH = json.loads(os.environ.get("SECONDSTORY_HEALTH") or "{}")
except ValueError as exc:
    raise ImproperlyConfigured(f"SECONDSTORY_HEALTH: not a JSON object ({exc})") from exc
if not isinstance(SECONDSTORY_HEALTH, dict):
    raise ImproperlyConfigured("SECONDSTORY_HEALTH: expected a JSON object of thresholds")

# Days a review's learning check stays open after it opens (docs/learning-check.md).
SECONDSTORY_LEARNING_CHECK_DAYS = env_int("SECONDSTORY_LEARNING_CHECK_DAYS", 7)

# Action-item follow-through (see docs/action-items.md).
# An open item is "due soon" this many days before its due date.
SECONDSTORY_DUE_SOON_DAYS = env_int("SECONDSTORY_DUE_SOON_DAYS", 7)
# The submit checklist asks every SEV1/SEV2 postmortem for a P0 or P1 item that prevents,
# mitigates or detects.
SECONDSTORY_ACTION_POLICY = env_bool("SECONDSTORY_ACTION_POLICY", True)
# A done item "recurred after fix" when a later incident has a factor of the same category on
# one of its services within this many days.
SECONDSTORY_RECURRENCE_DAYS = env_int("SECONDSTORY_RECURRENCE_DAYS", 180)
# Answers that are the same for every reader (a postmortem's recurrences, "on this day") are
# kept this many seconds per server process (dropped at once when this process changes what
# they depend on); 0: computed every view. The older name SECONDSTORY_RECURRENCE_CACHE_SECONDS
# is still read when the new one is unset.
SECONDSTORY_KEPT_ANSWERS_SECONDS = env_int(
    "SECONDSTORY_KEPT_ANSWERS_SECONDS", env_int("SECONDSTORY_RECURRENCE_CACHE_SECONDS", 60)
)
# Rendered parts of a postmortem's page (its timeline window) kept per version of the page in
# each server process, at most this many characters in all; 0: rendered every view.
SECONDSTORY_KEPT_FRAGMENTS = env_int("SECONDSTORY_KEPT_FRAGMENTS", 20_000_000)
# /metrics answers only with "Authorization: Bearer <token>"; unset, it is off (404).
SECONDSTORY_METRICS_TOKEN = env_str("SECONDSTORY_METRICS_TOKEN", "")
# Key that encrypts tracker tokens at rest (default: derived from the secret key).
SECONDSTORY_TRACKER_KEY = env_str("SECONDSTORY_TRACKER_KEY", "")
# Tracker webhooks (docs/trackers.md): a delivery whose signed time is further than this
# from the server's clock is refused; delivery ids are remembered this many days, so the
# same delivery never applies twice.
SECONDSTORY_WEBHOOK_MAX_AGE_SECONDS = env_int("SECONDSTORY_WEBHOOK_MAX_AGE_SECONDS", 300)
SECONDSTORY_WEBHOOK_REMEMBER_DAYS = env_int("SECONDSTORY_WEBHOOK_REMEMBER_DAYS", 30)
# Inbound alerts (docs/webhooks.md): each integration is off until its secret is set.
SECONDSTORY_PAGERDUTY_WEBHOOK_SECRETS = env_list("SECONDSTORY_PAGERDUTY_WEBHOOK_SECRETS", [])
SECONDSTORY_OPSGENIE_WEBHOOK_TOKEN = env_str("SECONDSTORY_OPSGENIE_WEBHOOK_TOKEN", "")
SECONDSTORY_ALERTMANAGER_WEBHOOK_TOKEN = env_str("SECONDSTORY_ALERTMANAGER_WEBHOOK_TOKEN", "")
# Alert priority -> severity pairs (``P1=SEV1,warning=SEV4``) over the defaults, and the
# severity of an alert whose priority maps to none.
SECONDSTORY_ALERT_SEVERITIES = env_list("SECONDSTORY_ALERT_SEVERITIES", [])
SECONDSTORY_ALERT_DEFAULT_SEVERITY = env_str("SECONDSTORY_ALERT_DEFAULT_SEVERITY", "SEV3")
# Outgoing webhooks: tries per delivery before it is given up, and the first retry's delay
# (doubled after every failure).
SECONDSTORY_OUTGOING_WEBHOOK_ATTEMPTS = env_int("SECONDSTORY_OUTGOING_WEBHOOK_ATTEMPTS", 8)
SECONDSTORY_OUTGOING_WEBHOOK_BACKOFF_SECONDS = env_int(
    "SECONDSTORY_OUTGOING_WEBHOOK_BACKOFF_SECONDS", 30
)
# Seconds a tracker API call may take before it counts as failed (retried next run).
SECONDSTORY_TRACKER_TIMEOUT = env_int("SECONDSTORY_TRACKER_TIMEOUT", 10)
# Live capture from chat: seconds one Slack Web API call may take (Slack wants an answer in 3).
SECONDSTORY_CHAT_TIMEOUT = env_int("SECONDSTORY_CHAT_TIMEOUT", 2)
if not 1 <= SECONDSTORY_CHAT_TIMEOUT <= 30:
    raise ImproperlyConfigured(
        f"SECONDSTORY_CHAT_TIMEOUT={SECONDSTORY_CHAT_TIMEOUT}: expected 1 to 30 seconds"
    )
# Reminders and notifications: each channel is optional.
SECONDSTORY_SLACK_WEBHOOK_URL = env_str("SECONDSTORY_SLACK_WEBHOOK_URL", "")
SECONDSTORY_NOTIFY_WEBHOOK_URL = env_str("SECONDSTORY_NOTIFY_WEBHOOK_URL", "")
# Unset: links use the address each page was served from (secondstory.lib.site).
SECONDSTORY_BASE_URL = env_str("SECONDSTORY_BASE_URL", "")
# Seconds the SMTP server or a webhook may stay silent before a delivery counts as failed.
SECONDSTORY_NOTIFY_TIMEOUT = env_int("SECONDSTORY_NOTIFY_TIMEOUT", 10)
if not 1 <= SECONDSTORY_NOTIFY_TIMEOUT <= 600:
    raise ImproperlyConfigured(
        f"SECONDSTORY_NOTIFY_TIMEOUT={SECONDSTORY_NOTIFY_TIMEOUT}: expected 1 to 600 seconds"
    )
EMAIL_HOST = env_str("SECONDSTORY_SMTP_HOST", "")
EMAIL_PORT = env_int("SECONDSTORY_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("SECONDSTORY_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("SECONDSTORY_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SECONDSTORY_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("SECONDSTORY_SMTP_SSL", False)
EMAIL_TIMEOUT = SECONDSTORY_NOTIFY_TIMEOUT
DEFAULT_FROM_EMAIL = env_str("SECONDSTORY_EMAIL_FROM", "secondstory@localhost")
# Without an SMTP host, mail is not sent (and reminders say so).
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.dummy.EmailBackend"
)
# Background work (reminders, tracker sync, recurrence checks) runs in `secondstory worker`,
# queued in the database: no other service needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# /readyz fails when no worker gave a sign of life (each beats every 30 s) for this many
# seconds; 0 leaves the worker out of /readyz (docs/deployment.md).
SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE = env_int("SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE", 120)
if SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE < 0:
    raise ImproperlyConfigured(
        f"SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE={SECONDSTORY_WORKER_HEARTBEAT_MAX_AGE}: "
        "expected 0 (not checked) or more seconds"
    )

# `secondstory check` warns when the newest backup is older than this many days, or when
# there is none (see docs/operations.md); 0 turns the warning off.
SECONDSTORY_BACKUP_MAX_AGE_DAYS = env_int("SECONDSTORY_BACKUP_MAX_AGE_DAYS", 1)

# Subscribers get a digest of newly published postmortems: "weekly" or "daily".
SECONDSTORY_PUBLICATION_DIGEST = env_str("SECONDSTORY_PUBLICATION_DIGEST", "weekly")

# Scripts, styles and everything else only from the app itself: no inline
# scripts, no inline event handlers, no third-party hosts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SECONDSTORY_LOG_LEVEL", "WARNING")},
}
