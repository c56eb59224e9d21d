"""The one way to write the audit trail."""

from semh.models import AuditEvent


def client_ip(request) -> str | None:
    # Behind the production proxy REMOTE_ADDR is the proxy; the proxy sets X-Real-IP.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


def record(*, actor, action: str, school=None, target=None, request=None, **detail) -> AuditEvent:
    """Write one audit row: who (actor), did what (action), to which record (target), where."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        school=school,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        detail=detail,
    )


def record_request(request, action: str, target=None, **detail) -> AuditEvent:
    """Audit an action taken through a school page, by the logged-in user."""
    return record(
        actor=request.user,
        action=action,
        school=getattr(request, "school", None),
        target=target,
        request=request,
        **detail,
    )


def purge_expired(*, now=None) -> int:
    """Delete audit events older than the retention period; the only deletion there is."""
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    cutoff = (now or timezone.now()) - timedelta(days=settings.SEMH_AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL semh.audit_purge = 'on'")
        deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
