"""The SENCo dashboard page (``reports:dashboard``): a term's figures against the previous term and
the same term last year."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from semh import audit
from semh.access import Capability
from semh.audit import AuditAction
from semh.decorators import school_view

from .dashboard import chosen_term, dashboard, school_terms


@school_view(Capability.DASHBOARDS)
@require_safe
def senco_dashboard(request):
    school, today = request.school, timezone.localdate()
    terms = school_terms(school)
    term = chosen_term(school, terms, request.GET.get("term"), today)
    context = {"terms": terms, "term": term, **dashboard(school, term, today)}
    audit.record_view(request, AuditAction.DASHBOARD_VIEW, term=str(term.pk) if term else None)
    return render(request, "reports/dashboard/senco.html", context)
