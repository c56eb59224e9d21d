from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.functional import cached_property

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

PAGE_SIZE = 100


class CappedPaginator(Paginator):
    """Counts no further than ``most`` rows. A trust's audit trail holds millions; counting a
    school's every row for "N events" was a third of the page's time, and nobody pages through
    more than a hundred pages: past ``most``, the page says so and the filters narrow it."""

    def __init__(self, object_list, per_page, *, most):
        super().__init__(object_list, per_page)
        self.most = most

    @cached_property
    def counted(self) -> int:
        return self.object_list[: self.most + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.most)

    @property
    def capped(self) -> bool:
        return self.counted > self.most


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
    events = CappedPaginator(search.qs, PAGE_SIZE, most=100 * PAGE_SIZE)
    page = events.get_page(request.GET.get("page"))
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
