"""Reads of report requests: the one named in a URL (``access_report_request``: 404 for another
school's request, a bad id, or a pupil pack about a pupil out of the viewer's reach) and the
school's list. Who may request and download at all is the views' declared capability
(Capability.REPORTS); what a report is about is checked here, at every read."""

from django.db.models import Q

from pupils.selectors import access_pupil, openable_pupil_ids
from semh.selectors import get_or_404, same_school

from .models import ReportRequest

PUPIL_KIND = "pupil_pack"


def check_report_reach(viewer, school, kind, params) -> None:
    """404 unless the viewer may see what a report of this kind is about: any report of the
    school, and for a pupil pack that pupil too."""
    if kind == PUPIL_KIND:
        access_pupil(viewer, school, params.get("pupil"))


def access_report_request(viewer, school, report_id) -> ReportRequest:
    same_school(viewer, school)
    report = get_or_404(
        ReportRequest.objects.filter(school=school).select_related("requested_by"), report_id
    )
    check_report_reach(viewer, school, report.kind, report.params)
    return report


def report_requests_visible_to(viewer, school):
    """The school's reports the viewer may open, newest first."""
    same_school(viewer, school)
    reachable = [str(pk) for pk in openable_pupil_ids(viewer, school)]
    return (
        ReportRequest.objects.filter(school=school)
        .filter(~Q(kind=PUPIL_KIND) | Q(params__pupil__in=reachable))
        .select_related("requested_by")
    )
