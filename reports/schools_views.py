"""The SLT page: the headline figures of every school where the viewer sees dashboards, side by
side, each school over its own term, with a trust total when there are two or more.

Outside the school area (it spans schools), so it does itself what the school middleware does
for a school page: 404 unless the viewer sees dashboards in some school, MFA first, and every
query of a school inside that school's scope."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_scopes import scope

from semh import audit, params
from semh.access import Capability
from semh.audit import AuditAction, Client
from semh.middleware import mfa_setup_url
from semh.spreadsheet import FORMATS, spreadsheet_response
from semh.stepup import require_recent_authentication
from semh.tenancy import schools_where

from .figures import school_terms
from .headlines import school_column, schools_table


def _schools_view(view):
    """404 unless the viewer sees dashboards in some school; MFA first."""

    @login_required
    @require_safe
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        schools = schools_where(request.user, Capability.DASHBOARDS)
        if not schools:
            raise Http404
        if settings.SEMH_REQUIRE_MFA and not is_mfa_enabled(request.user):
            return redirect(mfa_setup_url(next_url=request.get_full_path()))
        return view(request, schools, *args, **kwargs)

    return wrapped


def _columns(request, schools, action, **detail):
    """Each school's column over its term running on ``?on=``, audited for each school."""
    on = params.day(request.GET.get("on"), timezone.localdate())
    columns = []
    for school in schools:
        with scope(school=school):
            columns.append(school_column(school, school_terms(school), on))
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
def schools_dashboard(request, schools):
    on, columns = _columns(request, schools, AuditAction.DASHBOARD_VIEW)
    context = {"on": on, "table": schools_table(columns)}
    return render(request, "reports/schools/dashboard.html", context)


@_schools_view
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
