"""Settings for SEMH Provision, read from the environment (12-factor).

The defaults are the embedded demo: a SQLite file and Celery tasks run in-process. Production sets
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting. Anything but the usual spellings stops start-up: a typo such as
    SEMH_REQUIRE_MFA=ture must not quietly switch a protection off."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS | FALSE_WORDS:
        return value in TRUE_WORDS
    raise ImproperlyConfigured(
        f"{name} must be one of {', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}, not {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole-number setting, refused at start-up when it is not a number or out of range."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum or (maximum is not None and number > maximum):
        limits = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise ImproperlyConfigured(f"{name} must be {limits}, not {number}.")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """A comma list of IP addresses and CIDR networks, each checked at start-up."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (such as 172.28.0.10 "
                "or 172.28.0.0/24)."
            ) from None
    return networks


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-demo-only-key-never-use-in-production-semh"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "django_htmx",
    "django_filters",
    "csp",
    "semh",
    "pupils",
    "incidents",
    "interventions",
    "reset_area",
    "reports",
    "staff",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "semh.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "semh.security.SecurityHeadersMiddleware",
    "semh.security.SessionTimeoutMiddleware",
    "semh.middleware.SchoolScopeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "semh.User"

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
                "semh.context_processors.school_navigation",
            ],
        },
    },
]
FORM_RENDERER = "semh.widgets.FormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A PostgreSQL read replica (streaming replication of the primary), optional. When set, the
# dashboards' and the report worker's reads go there (they opt in with
# semh.db_router.reads_from_replica); every write, and every read of what was just written, stays
# on the primary. Unset: everything uses the primary, as before. Under tests the alias is the
# primary's test database itself (MIRROR), so the same rows are seen through both.
SEMH_REPLICA_DATABASE_URL = os.environ.get("SEMH_REPLICA_DATABASE_URL", "")
if SEMH_REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            SEMH_REPLICA_DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
# The planner's price of reading a page out of order. PostgreSQL's default (4) is for spinning
# disks; with the data in memory or on SSD it read a school's 25,000 incidents in disk order
# rather than the review queue's partial index (9 -> 1.5 ms at a trust's size). Empty: leave it
# to the server's own setting.
SEMH_DB_RANDOM_PAGE_COST = os.environ.get("SEMH_DB_RANDOM_PAGE_COST", "1.1").strip()
if SEMH_DB_RANDOM_PAGE_COST:
    try:
        page_cost = float(SEMH_DB_RANDOM_PAGE_COST)
    except ValueError:
        page_cost = -1.0
    if not 0 < page_cost <= 1000:  # also refuses nan and inf
        raise ImproperlyConfigured(
            "SEMH_DB_RANDOM_PAGE_COST must be a number above 0 and at most 1000, "
            f"not {SEMH_DB_RANDOM_PAGE_COST!r}."
        )
    for database in DATABASES.values():
        if database["ENGINE"] == "django.db.backends.postgresql":
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"-c random_page_cost={SEMH_DB_RANDOM_PAGE_COST}"
DATABASE_ROUTERS = ["semh.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The dashboards' figures are kept in the cache until a write changes the data they read
# (semh.data_version); this bounds how long they can lag if the cache missed a change. 0: off.
SEMH_FIGURES_CACHE_SECONDS = env_int("SEMH_FIGURES_CACHE_SECONDS", 600, minimum=0)
# The cache holds the sign-in limits (failed logins per account and per address, allauth's rate
# limits) and the unlock generations: every web process must see the same counts, so production
# keeps it in Redis (CACHE_URL, else the broker's REDIS_URL). Per-process memory would let each
# gunicorn worker or container grant its own five guesses; it is refused when DEBUG is off unless
# asked for by name (CACHE_URL=locmem://, for a single process such as the tests or a build step).
# While Redis is out of reach each process counts in its own memory (semh/cache.py), so signing
# in goes on working; the short timeouts keep a dead Redis host from holding up a sign-in.
# The dashboards' data versions and kept figures ("figures") have no such fallback: a process's
# own memory would miss the other processes' writes, so without Redis the figures count afresh.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_URL = os.environ.get("CACHE_URL", "") or REDIS_URL
LOCAL_MEMORY_CACHE = "locmem://"
if not CACHE_URL and not DEBUG:
    raise ImproperlyConfigured(
        "CACHE_URL (or REDIS_URL) must be set when DEBUG is off: the sign-in limits must be shared "
        "by every web process. CACHE_URL=locmem:// keeps them in one process's memory (tests only)."
    )
if (
    CACHE_URL
    and CACHE_URL != LOCAL_MEMORY_CACHE
    and not CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
):
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL or locmem://, not {CACHE_URL!r}.")
_REDIS_CACHE = {
    "LOCATION": CACHE_URL,
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
}
CACHES = (
    {
        "default": {"BACKEND": "semh.cache.RedisCacheWithLocalFallback", **_REDIS_CACHE},
        "figures": {"BACKEND": "django.core.cache.backends.redis.RedisCache", **_REDIS_CACHE},
    }
    if CACHE_URL and CACHE_URL != LOCAL_MEMORY_CACHE
    else {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "figures": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "figures",
        },
    }
)
# Sessions live in the database (Django's default, named here because it matters): any web
# process can serve any request, and ending a member's sessions (staff.services) reaches them all.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email + password, invitation only (no public sign-up), MFA by TOTP.
ACCOUNT_ADAPTER = "semh.adapters.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_RATE_LIMITS = {
    # 5 failures lock the account for 5 minutes, whatever address the attempts claim (the key is
    # the account and its unlock generation, semh.adapters); an admin's unlock lifts it. The
    # per-address limit is high because a whole school may share one address.
    "login_failed": "100/m/ip,5/5m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SEMH Provision"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# Senior roles must set up MFA before any school page. On by default in production.
SEMH_REQUIRE_MFA = env_bool("SEMH_REQUIRE_MFA", not DEBUG)

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["config.formats"]  # dd/mm/yyyy and 24-hour wherever no format is given
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "private_media"))


def object_storages(*, bucket: str, endpoint_url: str | None, region: str | None) -> dict:
    """Uploads ("default") and report PDFs ("reports") in an S3-compatible bucket (django-storages),
    each under its own prefix.

    Nothing is ever public: no ACL is sent (the bucket's own, private by default, applies) and no
    page links to the bucket; files leave it only through our permission-checked views, which
    stream them. The keys come from the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
    or the machine's role), read by boto3 itself.
    """
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url,
        "region_name": region,
        "default_acl": None,
        # A name already taken gets a new one, as on disk (reports delete theirs first).
        "file_overwrite": False,
        # Links are never handed out, but should one be made it is signed and short-lived.
        "querystring_auth": True,
        "querystring_expire": 60,
        # MinIO, Ceph and other self-hosted stores want the bucket in the path, not the host.
        "addressing_style": "path" if endpoint_url else None,
    }
    return {
        name: {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": prefix},
        }
        for name, prefix in (("default", "uploads"), ("reports", "reports"))
    }


# Uploaded and generated files: on this machine's disk by default (MEDIA_ROOT), or in an
# S3-compatible bucket when SEMH_S3_BUCKET is set, which more than one machine can share.
SEMH_S3_BUCKET = os.environ.get("SEMH_S3_BUCKET", "").strip()
SEMH_S3_ENDPOINT_URL = os.environ.get("SEMH_S3_ENDPOINT_URL", "").strip() or None
SEMH_S3_REGION = os.environ.get("SEMH_S3_REGION", "").strip() or None
if SEMH_S3_ENDPOINT_URL and not SEMH_S3_BUCKET:
    raise ImproperlyConfigured("SEMH_S3_ENDPOINT_URL is set but SEMH_S3_BUCKET is not.")
if SEMH_S3_ENDPOINT_URL and not SEMH_S3_ENDPOINT_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"SEMH_S3_ENDPOINT_URL must start with https:// (or http://), not {SEMH_S3_ENDPOINT_URL!r}."
    )
if SEMH_S3_BUCKET:
    FILE_STORAGES = object_storages(
        bucket=SEMH_S3_BUCKET, endpoint_url=SEMH_S3_ENDPOINT_URL, region=SEMH_S3_REGION
    )
else:
    FILE_STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": MEDIA_ROOT / "reports"},
        },
    }
STORAGES = {
    # "reports" holds the report PDFs: private (no URL), sent only by the permission-checked
    # download view (reports.request_views).
    **FILE_STORAGES,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SEMH Provision <no-reply@localhost>")

# Celery: Redis when REDIS_URL is set; otherwise tasks run eagerly in-process (the demo).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# Report PDFs (reports.tasks.make_report): a soft limit the job turns into a readable failure, a
# hard limit that kills it, and a bound on the tries (retries of a passing fault, and the sweep's
# re-queues of a job whose worker died) before the request is failed with a message.
SEMH_REPORT_SOFT_LIMIT = env_int("SEMH_REPORT_SOFT_LIMIT", 10 * 60, minimum=10)
SEMH_REPORT_HARD_LIMIT = env_int("SEMH_REPORT_HARD_LIMIT", 12 * 60, minimum=20)
SEMH_REPORT_MAX_ATTEMPTS = env_int("SEMH_REPORT_MAX_ATTEMPTS", 3, minimum=1, maximum=10)
if SEMH_REPORT_HARD_LIMIT <= SEMH_REPORT_SOFT_LIMIT:
    raise ImproperlyConfigured("SEMH_REPORT_HARD_LIMIT must be above SEMH_REPORT_SOFT_LIMIT.")
# Reports are kept as the school's record of what was reported (about 7 years), then purged.
SEMH_REPORT_RETENTION_DAYS = env_int("SEMH_REPORT_RETENTION_DAYS", 7 * 365 + 2, minimum=1)
# Links in emails (the automatic termly report's "ready" email) start with this address.
SEMH_SITE_URL = os.environ.get("SEMH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# With acks_late, Redis hands an unacknowledged job to another worker after the visibility
# timeout: it must outlast the longest job, or a slow report would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * max(CELERY_TASK_TIME_LIMIT, SEMH_REPORT_HARD_LIMIT)
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "purge-expired-audit-events": {
        "task": "semh.tasks.purge_expired_audit_events",
        "schedule": 24 * 60 * 60,
    },
    "discard-stale-incident-drafts": {
        "task": "incidents.tasks.discard_stale_incident_drafts",
        "schedule": 24 * 60 * 60,
    },
    # Planned Reset Area pupils who have not arrived: flagged here, so pages only read.
    "flag-missing-pupils": {
        "task": "reset_area.tasks.flag_missing_pupils",
        "schedule": 60,
    },
    # Reports stuck in "running" past their limit are re-queued (a bounded number of times), and
    # requests the broker never received (Redis was down) are sent again.
    "sweep-report-requests": {"task": "reports.tasks.sweep_report_requests", "schedule": 60},
    # The termly report of each school, once its term (from its Term rows) has ended.
    "request-end-of-term-reports": {
        "task": "reports.tasks.request_end_of_term_reports",
        "schedule": 60 * 60,
    },
    "purge-expired-reports": {
        "task": "reports.tasks.purge_expired_reports",
        "schedule": 24 * 60 * 60,
    },
}

# Sessions and cookies. A session ends after SEMH_SESSION_IDLE_MINUTES without a request, and in
# any case SEMH_SESSION_MAX_HOURS after sign-in (semh.security.SessionTimeoutMiddleware).
SEMH_SESSION_IDLE_MINUTES = env_int("SEMH_SESSION_IDLE_MINUTES", 30, minimum=1)
SEMH_SESSION_MAX_HOURS = env_int("SEMH_SESSION_MAX_HOURS", 10, minimum=1)
SESSION_COOKIE_AGE = SEMH_SESSION_MAX_HOURS * 60 * 60
# How long the audit trail is kept (default about 7 years), purged daily by Celery beat. The
# database's purge function refuses less than a year (semh migration 0005), and so does start-up.
SEMH_AUDIT_RETENTION_DAYS = env_int("SEMH_AUDIT_RETENTION_DAYS", 7 * 365 + 2, minimum=365)
# Unfinished incident forms untouched this long are discarded (audited), daily by Celery beat.
SEMH_INCIDENT_DRAFT_DAYS = env_int("SEMH_INCIDENT_DRAFT_DAYS", 30, minimum=1)
# Reset Area: a planned pupil not checked in this long after their period starts shows as missing.
SEMH_RESET_MISSING_AFTER_MINUTES = env_int("SEMH_RESET_MISSING_AFTER_MINUTES", 10, minimum=1)
# Step-up: exports and old records ask for the password (or MFA code) again after 15 minutes.
SEMH_STEP_UP_SECONDS = env_int("SEMH_STEP_UP_SECONDS", 15 * 60, minimum=1)
ACCOUNT_REAUTHENTICATION_TIMEOUT = SEMH_STEP_UP_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# The reverse proxies in front of gunicorn (addresses or CIDR networks, comma separated; none by
# default). Only a request whose connection comes from one of them has its X-Forwarded-For read:
# the client is the right-most address there that is not itself a trusted proxy (semh.audit).
SEMH_TRUSTED_PROXIES = env_networks("SEMH_TRUSTED_PROXIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Error reports and logs never carry what staff typed or searched for (pupil names, records).
DEFAULT_EXCEPTION_REPORTER_FILTER = "semh.logging.PupilDataSafeExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "semh.logging.PupilDataSafeExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "semh.logging.ScrubRequestFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
