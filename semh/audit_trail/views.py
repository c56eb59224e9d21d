from django.core.paginator import Paginator
from django.shortcuts import render

from semh import audit
from semh.access import Capability
from semh.audit import AuditAction
from semh.audit_trail.filters import AuditFilter
from semh.decorators import school_view
from semh.selectors import (
    AUDIT_EXPORT_COLUMNS,
    audit_events,
    audit_export_rows,
    audit_people,
)
from semh.spreadsheet import csv_response
from semh.stepup import require_recent_authentication


def _search(request) -> AuditFilter:
    school = request.school
    return AuditFilter(
        request.GET or None,
        queryset=audit_events(school),
        people=audit_people(school),
    )


@school_view(Capability.AUDIT_TRAIL)
def audit_list(request):
    search = _search(request)
    page = Paginator(search.qs, 100).get_page(request.GET.get("page"))
    return render(request, "semh/audit/list.html", {"filter": search, "page": page})


@school_view(Capability.AUDIT_TRAIL)
def audit_export(request):
    require_recent_authentication(request)
    search = _search(request)
    audit.record_view(request, AuditAction.AUDIT_EXPORT, filters=dict(request.GET.lists()))
    return csv_response(
        school=request.school,
        filename="audit-trail.csv",
        header=list(AUDIT_EXPORT_COLUMNS),
        rows=audit_export_rows(search.qs),
    )
