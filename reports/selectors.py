"""Reads of report requests: the one named in a URL (``access_report_request``: 404 for another
school's request, a bad id, or a pupil pack about a pupil out of the viewer's reach) and the
school's list. Who may request and download at all is the views' declared capability
(Capability.REPORTS); what a report is about is checked here, at every read.

A trust summary belongs to no school: whoever holds the reports of every school it covers may
open it (``access_summary``), and that is checked again when it is made."""

from django.db.models import Q
from django.http import Http404
from django_scopes import scopes_disabled

from pupils.models import Pupil
from pupils.selectors import access_pupil, openable_pupil_ids
from semh.access import Capability
from semh.selectors import get_or_404, same_school
from semh.tenancy import schools_where

from .models import ReportRequest

PUPIL_KIND = "pupil_pack"


def check_report_reach(viewer, school, kind, params):
    """404 unless the viewer may see what a report of this kind is about: any report of the
    school, and for a pupil pack that pupil too (returned; None for the other kinds)."""
    if kind == PUPIL_KIND:
        return access_pupil(viewer, school, params.get("pupil"))
    return None


def access_report_request(viewer, school, report_id) -> ReportRequest:
    same_school(viewer, school)
    report = get_or_404(
        ReportRequest.objects.filter(school=school).select_related("requested_by"), report_id
    )
    # The page names the pupil a pack is about (the file's title and metadata never do).
    report.about_pupil = check_report_reach(viewer, school, report.kind, report.params)
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


def name_pupils(reports) -> list:
    """The reports, each pupil pack with the pupil it is about (one query for all of them)."""
    reports = list(reports)
    ids = {r.params.get("pupil") for r in reports if r.kind == PUPIL_KIND}
    by_id = {str(p.pk): p for p in Pupil.objects.filter(pk__in=ids)} if ids else {}
    for report in reports:
        report.about_pupil = by_id.get(report.params.get("pupil"))
    return reports


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
