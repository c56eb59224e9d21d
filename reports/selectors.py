"""Reads of report requests: the one named in a URL (``access_report_request``: 404 for another
school's request, a bad id, or a pupil pack about a pupil out of the viewer's reach) and the
school's list. Who may request and download at all is the views' declared capability
(Capability.REPORTS); what a report is about is checked here, at every read.

A trust summary belongs to no school: whoever holds the reports of every school it covers may
open it (``access_summary``), and that is checked again when it is made."""

from django.db.models import Q
from django.http import Http404
from django_scopes import scopes_disabled

from pupils.selectors import access_pupil, openable_pupil_ids
from semh.access import Capability
from semh.selectors import get_or_404, same_school
from semh.tenancy import schools_where

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


def summary_schools(user) -> list:
    """The schools a trust summary asked for by ``user`` covers: every school whose reports
    they see (Capability.REPORTS through their own memberships), by name."""
    return schools_where(user, Capability.REPORTS)


def check_summary_reach(user, report) -> None:
    """404 unless ``user`` (active) holds the reports of every school the summary covers."""
    covered = set(report.school_ids)
    held = {school.pk for school in summary_schools(user)} if user and user.is_active else set()
    if not covered or not covered <= held:
        raise Http404


def access_summary(user, summary_id) -> ReportRequest:
    with scopes_disabled():
        summaries = ReportRequest.objects.summaries().select_related("requested_by")
        report = get_or_404(summaries, summary_id)
    check_summary_reach(user, report)
    return report


def summaries_of(user, limit=5):
    """The trust summaries the user asked for and may still open, newest first."""
    held = {school.pk for school in summary_schools(user)}
    with scopes_disabled():
        found = list(ReportRequest.objects.summaries().filter(requested_by=user)[: limit * 4])
    return [r for r in found if r.school_ids and set(r.school_ids) <= held][:limit]
