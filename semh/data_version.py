"""Which committed data a cached figure was counted from.

Each school has a version token in the shared cache (``CACHES["figures"]``), and so does the
deployment as a whole. Every statement that writes a table the figures may read (whatever wrote
it: a model save, a queryset ``update``, ``bulk_create``, raw SQL) gives a new token once its
transaction commits: the school's when it ran in that school's scope (a school page, a per-school
task), the whole deployment's otherwise. A cached figure is keyed by both tokens, so a write makes
the next reader count again.

The watch is a database execute wrapper rather than model signals because signals miss queryset
updates and bulk writes. The token changes after the commit, so no reader can cache figures from
before a write under a token issued for it. Writes outside Django (PostgreSQL COPY) call
``changed()`` themselves. The cache can be unreachable: then a write still succeeds and the
figures' own expiry (``SEMH_FIGURES_CACHE_SECONDS``) bounds how long a cached figure can lag.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import timezone
from django_scopes import get_scope

from semh.db_router import reading_from_replica

logger = logging.getLogger(__name__)

WRITE = re.compile(
    r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE)\s+(?:TABLE\s+)?"?(\w+)', re.IGNORECASE
)

# Tables no figure reads and that are written all day: sessions, sign-ins, the audit trail,
# report requests, drafts saved while staff type. A write to any other table counts.
UNCOUNTED_TABLES = frozenset(
    {
        "django_session",
        "semh_auditevent",
        "semh_user",
        "semh_submission",
        "semh_invitation",
        "reports_reportrequest",
        "incidents_incidentdraft",
        "account_emailaddress",
        "account_emailconfirmation",
        "mfa_authenticator",
    }
)

DEPLOYMENT = "all"


def _key(of) -> str:
    return f"semh:data-version:{of}"


def tokens(school_pk) -> str:
    """The deployment's and the school's tokens, as one string for a cache key."""
    cache = caches["figures"]
    keys = [_key(DEPLOYMENT), _key(school_pk)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # add(), not set(): two first readers at once agree on one token.
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
    return ".".join(str(found[key]) for key in keys)


def changed(school_pk=None):
    """Cached figures of ``school_pk`` (of every school when None) are out of date."""
    try:
        caches["figures"].set(
            _key(DEPLOYMENT if school_pk is None else school_pk), uuid.uuid4().hex, None
        )
    except Exception:  # the write itself stands; the figures' expiry bounds the lag
        logger.warning("Could not mark the figures out of date", exc_info=True)


def _school_in_scope():
    school = get_scope().get("school")
    return getattr(school, "pk", None) if get_scope().get("_enabled", True) else None


def _after_commit(connection, school_pk):
    if not connection.in_atomic_block:
        changed(school_pk)  # autocommit: the statement has committed
        return
    marker = ("data-version", school_pk)
    if any(getattr(func, "marker", None) == marker for _, func, _ in connection.run_on_commit):
        return  # already due when this transaction commits

    def on_commit():
        changed(school_pk)

    on_commit.marker = marker
    transaction.on_commit(on_commit, using=connection.alias)


def watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    write = WRITE.match(sql)
    if write and write[2] not in UNCOUNTED_TABLES:
        truncate = write[1].upper() == "TRUNCATE"
        _after_commit(context["connection"], None if truncate else _school_in_scope())
    return result


@receiver(connection_created)
def _watch(sender, connection, **kwargs):
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


@receiver(post_migrate)
def _new_code(sender, **kwargs):
    """A deploy runs ``migrate``: figures cached by the code before it are not read again."""
    changed()


# --- Counted once until the data changes ------------------------------------------------------

# Figures counted on a read replica are kept this long at most: a replica a moment behind may
# not yet have the write whose commit issued the token they are kept under.
REPLICA_KEEP_SECONDS = 60
_COUNT_AFRESH = ContextVar("count_afresh", default=False)


@contextmanager
def counted_afresh():
    """Figures read inside count from the database, never the cache: a report is the record of
    what the data said when it was made."""
    token = _COUNT_AFRESH.set(True)
    try:
        yield
    finally:
        _COUNT_AFRESH.reset(token)


def counted_once(school, what: str, compute: Callable):
    """``compute()`` (figures of ``school``, named by ``what`` with their dates), or what it gave
    before if nothing the figures read has been written since (``semh.data_version``).

    A reader inside a transaction counts afresh: it may see its own writes, not yet committed."""
    seconds = settings.SEMH_FIGURES_CACHE_SECONDS
    if not seconds or _COUNT_AFRESH.get() or connection.in_atomic_block:
        return compute()
    try:
        cache = caches["figures"]
        key = f"figures:{school.pk}:{what}:{timezone.localdate()}:{tokens(school.pk)}"
        found = cache.get(key)
    except Exception:  # an unreachable cache slows the page, it does not break it
        logger.warning("Figures cache unreachable: counting afresh", exc_info=True)
        return compute()
    if found is None:
        found = compute()
        if reading_from_replica():  # it may not have had the write that issued the token yet
            seconds = min(seconds, REPLICA_KEEP_SECONDS)
        try:
            cache.set(key, found, seconds)
        except Exception:
            logger.warning("Figures not kept in the cache", exc_info=True)
    return found
