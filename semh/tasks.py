from celery import shared_task

from semh import audit
from semh.audit import AuditAction


@shared_task
def record_worker_check(token: str) -> str:
    """Prove a worker can reach the database: write one audit row carrying ``token``."""
    return str(audit.record(actor=None, action=AuditAction.WORKER_CHECK, token=token).pk)


@shared_task
def purge_expired_audit_events() -> int:
    return audit.purge_expired()
