from django.core.paginator import Paginator
from django.shortcuts import render

from semh import audit
from semh.access import Capability
from semh.audit import AuditAction
from semh.audit_trail.filters import AuditFilter
from semh.decorators import school_view
from semh.models import AuditEvent, User
from semh.spreadsheet import csv_response
from semh.stepup import require_recent_authentication

EXPORT_HEADER = [
    "when",
    "user id",
    "user email",
    "action",
    "record type",
    "record id",
    "ip address",
]
EXPORT_COLUMNS = [
    "at",
    "actor_id",
    "actor__email",
    "action",
    "object_type",
    "object_id",
    "ip_address",
]


def _filtered_events(request):
    events = AuditEvent.objects.filter(school=request.school).select_related("actor")
    staff = User.objects.filter(memberships__school=request.school).distinct()
    actions = (
        AuditEvent.objects.filter(school=request.school)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    return AuditFilter(request.GET or None, queryset=events, staff=staff, actions=actions)


@school_view(Capability.AUDIT_TRAIL)
def audit_list(request):
    filterset = _filtered_events(request)
    page = Paginator(filterset.qs, 100).get_page(request.GET.get("page"))
    return render(request, "semh/audit/list.html", {"filter": filterset, "page": page})


@school_view(Capability.AUDIT_TRAIL)
def audit_export(request):
    require_recent_authentication(request)
    filterset = _filtered_events(request)
    audit.record_view(request, AuditAction.AUDIT_EXPORT, filters=dict(request.GET.lists()))
    rows = filterset.qs.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000)
    return csv_response(
        school=request.school, filename="audit-trail.csv", header=EXPORT_HEADER, rows=rows
    )
