"""Reads of the core: the object lookups and staff lookups every app shares, and the audit
trail's pages."""

from django.core.exceptions import ValidationError
from django.http import Http404

from semh.access import SCHOOL_STAFF_ROLES
from semh.models import AuditEvent, User


def get_or_404(queryset, pk):
    """The row of ``queryset`` with this id, or 404 (an id that is not a UUID is a 404 too)."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def same_school(viewer, school):
    """404 unless the viewer's access is to this school (a URL naming another school's slug)."""
    if viewer.school.pk != school.pk:
        raise Http404


def staff_with_roles(school, roles=SCHOOL_STAFF_ROLES):
    """Active staff holding an active membership of the school in any of ``roles``."""
    return (
        User.objects.filter(
            memberships__school=school,
            memberships__role__in=list(roles),
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


# ---------------------------------------------------------------------------------------------
# Audit trail (runs inside the school's scope, so only the school's own rows are read)


def audit_events(school):
    """The school's audit trail, newest first."""
    return AuditEvent.objects.filter(school=school).select_related("actor")


def audit_people(school):
    """Everyone who has held a membership of the school, former staff included: their past
    actions stay searchable after they leave."""
    return User.objects.filter(memberships__school=school).distinct()


AUDIT_EXPORT_COLUMNS = {
    "when": "at",
    "user id": "actor_id",
    "user email": "actor__email",
    "action": "action",
    "record type": "object_type",
    "record id": "object_id",
    "ip address": "ip_address",
}


def audit_export_rows(events):
    """The exported columns of ``events`` (ids and addresses only: the detail is not exported,
    so the file carries no record content), streamed in chunks."""
    return events.values_list(*AUDIT_EXPORT_COLUMNS.values()).iterator(chunk_size=2000)
