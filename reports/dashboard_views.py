"""The SENCo dashboard page (``reports:dashboard``): a term's figures against the previous term and
the same term last year."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from semh import audit
from semh.access import Capability
from semh.audit import AuditAction
from semh.decorators import school_view

from .dashboard import dashboard, requested_period


@school_view(Capability.DASHBOARDS)
@require_safe
def senco_dashboard(request):
    period = requested_period(request.school, request.GET, timezone.localdate())
    context = {"period": period, "terms": period.terms, "term": period.term, **dashboard(period)}
    audit.record_view(request, AuditAction.DASHBOARD_VIEW, **period.query)
    return render(request, "reports/dashboard/senco.html", context)
