"""The SENCo dashboard page (``reports:dashboard``): a term's figures against the previous term and
the same term last year."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from semh import audit
from semh.access import Capability
from semh.audit import AuditAction
from semh.db_router import reads_from_replica
from semh.decorators import school_view
from semh.spreadsheet import FORMATS, spreadsheet_response
from semh.stepup import require_recent_authentication

from .dashboard import TABLES, dashboard, requested_period


@school_view(Capability.DASHBOARDS)
@require_safe
@reads_from_replica()
def senco_dashboard(request):
    period = requested_period(request.school, request.GET, timezone.localdate())
    context = {"period": period, "terms": period.terms, "term": period.term, **dashboard(period)}
    audit.record_view(request, AuditAction.DASHBOARD_VIEW, **period.query)
    return render(request, "reports/dashboard/senco.html", context)


@school_view(Capability.DASHBOARDS)
@require_safe
@reads_from_replica()
def dashboard_download(request, table, fmt):
    """One table of the dashboard, as the page shows it for the same period, as CSV or XLSX."""
    if table not in TABLES or fmt not in FORMATS:
        raise Http404
    require_recent_authentication(request)
    period = requested_period(request.school, request.GET, timezone.localdate())
    shown = dashboard(period)["tables"][table]  # the page's own table, counted once
    audit.record_view(
        request,
        AuditAction.DASHBOARD_EXPORT,
        table=table,
        format=fmt,
        rows=len(shown.rows),
        **period.query,
    )
    return spreadsheet_response(
        fmt,
        school=request.school,
        name=f"{request.school.slug}-{table.replace('_', '-')}-{period.this.first:%Y-%m-%d}",
        header=shown.header,
        rows=shown.rows,
        sheet=shown.title,
    )
