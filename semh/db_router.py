"""Dashboard and report reads on a PostgreSQL read replica, when one is configured.

Nothing goes to the replica by itself: a view or job opts in with ``reads_from_replica()`` (a
context manager and a decorator). Inside it, reads go to the ``replica`` alias; everything else —
every write, every read outside it, a read inside a transaction, and a read of a model already
written inside it (so what was just saved is read back from where it was saved) — goes to the
primary. Without ``SEMH_REPLICA_DATABASE_URL`` there is no ``replica`` alias and every query goes
to the primary, as if the router were not there.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"


@dataclass
class _ReplicaReads:
    # Models written inside this block: their reads stay on the primary (the replica may lag).
    written: set = field(default_factory=set)


_replica_reads: ContextVar[_ReplicaReads | None] = ContextVar("replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reads_from_replica():
    """Send the reads inside to the replica (if there is one). Use it only around reads that may
    be a moment behind the primary: dashboards and reports, never a page that shows what the
    person has just saved."""
    token = _replica_reads.set(_ReplicaReads())
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reading_from_replica() -> bool:
    """Whether reads here go to the replica, which may be a moment behind the primary."""
    return _replica_reads.get() is not None and replica_configured()


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads inside ``reads_from_replica()`` to the replica, all else to the
    primary (``None`` lets Django use ``default``)."""

    def db_for_read(self, model, **hints):
        reads = _replica_reads.get()
        if reads is None or not replica_configured():
            return None
        if model._meta.label in reads.written or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        reads = _replica_reads.get()
        if reads is not None:
            reads.written.add(model._meta.label)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read there may point at one saved here.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA} or None

    def allow_migrate(self, db, app_label, **hints):
        # The replica copies the primary's schema by replication; migrations run on the primary.
        return False if db == REPLICA else None
