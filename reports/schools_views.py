"""The SLT page: the headline figures of every school where the viewer sees dashboards, side by
side, each school over its own term, with a trust total when there are two or more; and the trust
summary, its PDF, asked for there by whoever sees the reports of two or more schools.

Outside the school area (it spans schools), so it does itself what the school middleware does
for a school page: 404 unless the viewer holds the capability in some school, MFA first, and
every query of a school inside that school's scope. A summary is for whoever holds the reports of
every school it covers (``selectors.access_summary``)."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django_scopes import scope

from semh import audit, params
from semh.access import Capability
from semh.audit import AuditAction, Client
from semh.db_router import reads_from_replica
from semh.middleware import mfa_setup_url
from semh.spreadsheet import FORMATS, spreadsheet_response
from semh.stepup import require_recent_authentication
from semh.tenancy import schools_where

from .documents import TRUST_SUMMARY, summary_params
from .headlines import columns_on, schools_table
from .request_views import download, status_page, to_request_page
from .selectors import access_summary, summaries_of, summary_schools
from .services.report_requests import request_report, retry_report


def _across_schools(capability):
    """404 unless the viewer holds ``capability`` in some school; MFA first. The view gets those
    schools."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            schools = schools_where(request.user, capability)
            if not schools:
                raise Http404
            if settings.SEMH_REQUIRE_MFA and not is_mfa_enabled(request.user):
                return redirect(mfa_setup_url(next_url=request.get_full_path()))
            return view(request, schools, *args, **kwargs)

        return wrapped

    return decorator


def _schools_view(view):
    return require_safe(_across_schools(Capability.DASHBOARDS)(view))


def _columns(request, schools, action, **detail):
    """Each school's column over its term running on ``?on=``, audited for each school."""
    on = params.day(request.GET.get("on"), timezone.localdate())
    columns = columns_on(schools, on)
    with scope(school=schools):
        audit.record_each(
            actor=request.user,
            action=action,
            targets=[
                (c.school, c.term, {"on": on.isoformat(), "page": "schools", **detail})
                for c in columns
            ],
            client=Client.of(request),
        )
    return on, columns


@_schools_view
@reads_from_replica()
def schools_dashboard(request, schools):
    on, columns = _columns(request, schools, AuditAction.DASHBOARD_VIEW)
    summary_of = summary_schools(request.user)
    context = {
        "on": on,
        "table": schools_table(columns),
        "summary_schools": summary_of if len(summary_of) >= 2 else [],
        "summaries": summaries_of(request.user),
    }
    return render(request, "reports/schools/dashboard.html", context)


@_schools_view
@reads_from_replica()
def schools_download(request, schools, fmt):
    if fmt not in FORMATS:
        raise Http404
    require_recent_authentication(request)
    on, columns = _columns(request, schools, AuditAction.DASHBOARD_EXPORT, format=fmt)
    table = schools_table(columns)
    return spreadsheet_response(
        fmt,
        school=schools,
        name=f"schools-headline-figures-{on:%Y-%m-%d}",
        header=table.header,
        rows=table.lines,
        sheet="Headline figures",
    )


# The trust summary ------------------------------------------------------------------------------


@_across_schools(Capability.REPORTS)
@require_POST
def summary_request(request, schools):
    """Ask for the trust summary of every school whose reports the viewer sees, over ``on``."""
    if len(schools) < 2:
        raise Http404  # one school's figures are its own termly report
    on = params.day(request.POST.get("on"), timezone.localdate())
    requested = request_report(
        actor=request.user,
        school=None,
        kind=TRUST_SUMMARY,
        params=summary_params([school.pk for school in schools], on),
        client=Client.of(request),
    )
    return to_request_page(request, requested)


@_across_schools(Capability.REPORTS)
@require_safe
def summary_page(request, schools, summary_id):
    return status_page(request, access_summary(request.user, summary_id))


@_across_schools(Capability.REPORTS)
@require_safe
def summary_download(request, schools, summary_id):
    return download(request, access_summary(request.user, summary_id))


@_across_schools(Capability.REPORTS)
@require_POST
def summary_retry(request, schools, summary_id):
    report = access_summary(request.user, summary_id)
    requested = retry_report(
        actor=request.user, school=None, report=report, client=Client.of(request)
    )
    return to_request_page(request, requested)
