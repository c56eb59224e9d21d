from celery import shared_task

from semh.models import AuditEvent


@shared_task
def record_worker_check(token: str) -> str:
    """Prove a worker can reach the database: write one audit row carrying ``token``."""
    event = AuditEvent.objects.create(action="system.worker_check", detail={"token": token})
    return str(event.pk)


@shared_task
def purge_expired_audit_events() -> int:
    from semh.audit import purge_expired

    return purge_expired()
