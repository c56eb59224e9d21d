"""The incident list and its exports, the analysis page, and a pupil's incident timeline."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from incidents import exports, selectors
from incidents.analysis import analysis_charts, analysis_for, pupil_incident_timeline
from incidents.filters import AnalysisRangeForm, IncidentFilter
from incidents.selectors import visible_incidents
from pupils.selectors import access_pupil
from semh import audit
from semh.access import INCIDENT_LIST_READERS, PUPIL_READERS, Capability
from semh.audit import AuditAction
from semh.calendar import academic_year_start
from semh.db_router import reads_from_replica
from semh.decorators import school_view
from semh.spreadsheet import XLSX, csv_response
from semh.stepup import require_recent_authentication

PAGE_SIZE = 50


def _filtered(request) -> IncidentFilter:
    return IncidentFilter(
        request.GET or None,
        queryset=visible_incidents(request.school_access),
        viewer=request.school_access,
    )


# The school's own staff: an export names every pupil involved, so it is not for outreach staff.
EXPORTERS = (Capability.RECORD, Capability.VIEW_ALL_PUPILS, Capability.EDIT_PUPILS)


@school_view(*INCIDENT_LIST_READERS)
def incident_list(request):
    filterset = _filtered(request)
    page = Paginator(selectors.incident_rows(filterset.qs), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = "incidents/lists/incident_list.html"
    if request.htmx:
        template = "incidents/lists/_incident_table.html"
    can_export = any(request.school_access.can(c) for c in EXPORTERS)
    context = {"filter": filterset, "page": page, "can_export": can_export}
    if not request.htmx:
        context["picker"] = filterset.pupil_picker()
    return render(request, template, context)


@school_view(*INCIDENT_LIST_READERS)
@require_GET
def pupil_filter_search(request):
    """The pupil filter's choices for the name typed: the pupil chosen so far, then matches."""
    picker = _filtered(request).pupil_picker()
    return render(request, "incidents/lists/_pupil_filter_choices.html", {"picker": picker})


def _exportable(request):
    """The filtered incidents, audited as exported; None when the filters do not validate."""
    require_recent_authentication(request)
    filterset = _filtered(request)
    if filterset.is_bound and not filterset.is_valid():
        return None
    audit.record_view(
        request,
        AuditAction.INCIDENT_EXPORT,
        format=request.resolver_match.url_name.removeprefix("export_"),
        filters=filterset.audit_detail(),
        rows=filterset.qs.count(),
    )
    return filterset.qs


def _back_to_list(request):
    # Never export more than the person asked for: show them what is wrong with the filters.
    url = reverse("incidents:list", args=[request.school.slug])
    return redirect(f"{url}?{request.GET.urlencode()}")


def _attachment(response, extension):
    name = f"incidents-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@school_view(*EXPORTERS)
def export_csv(request):
    incidents = _exportable(request)
    if incidents is None:
        return _back_to_list(request)
    return csv_response(
        school=request.school,
        filename=f"incidents-{timezone.localdate():%Y-%m-%d}.csv",
        header=exports.HEADER,
        rows=exports.export_rows(incidents),
    )


@school_view(*EXPORTERS)
def export_xlsx(request):
    incidents = _exportable(request)
    if incidents is None:
        return _back_to_list(request)
    content = exports.xlsx_bytes(exports.export_rows(incidents))
    return _attachment(HttpResponse(content, content_type=XLSX), "xlsx")


@school_view(Capability.DASHBOARDS)
@reads_from_replica()
def analysis(request):
    form = AnalysisRangeForm(request.GET or None, school=request.school)
    span = form.date_range()
    figures = analysis_for(request.school_access, span.start, span.end)
    return render(
        request,
        "incidents/lists/analysis.html",
        {"form": form, "span": span, **figures, **analysis_charts(figures, span)},
    )


@school_view(*PUPIL_READERS)
def pupil_timeline(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    if pupil.left_on and pupil.left_on < academic_year_start(request.school):
        require_recent_authentication(request)  # records from before this academic year
    audit.record_view(request, AuditAction.PUPIL_INCIDENTS_VIEW, target=pupil)
    template = "incidents/lists/pupil_timeline.html"
    if request.htmx:
        template = "incidents/lists/_pupil_timeline_content.html"
    context = {"pupil": pupil, **pupil_incident_timeline(request.school_access, pupil)}
    return render(request, template, context)
