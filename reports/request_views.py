"""Report request pages (``reports:requests`` …): ask for a report, follow it, download it."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from semh.access import Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.stepup import require_recent_authentication

from .documents import KINDS
from .forms import ReportKindForm, report_form
from .models import TERMLY_KINDS
from .selectors import (
    access_report_request,
    check_report_reach,
    name_pupils,
    report_requests_visible_to,
)
from .services.report_requests import Requested, audit_report, request_report, retry_report

POLL_SECONDS = 2
LIST_LIMIT = 50
# The kinds asked for on the reports page; a pupil pack is asked for from the pupil's page.
SCHOOL_KINDS = (*TERMLY_KINDS, "reset_area")


@school_view(Capability.REPORTS)
def report_list(request):
    """The school's reports and a form for each kind; a POST asks for one."""
    if request.method != "POST":
        return _list_page(request)
    kind_form = ReportKindForm(request.POST)
    if not kind_form.is_valid():
        return _list_page(request, status=400)
    kind = kind_form.cleaned_data["kind"]
    form = report_form(kind, request.POST, school=request.school)
    if not form.is_valid():
        if kind not in SCHOOL_KINDS:
            raise Http404  # a pupil pack names its pupil: a bad one is no pupil at all
        return _list_page(request, bound={kind: form}, status=400)
    check_report_reach(request.school_access, request.school, kind, form.params())
    requested = request_report(
        actor=request.user,
        school=request.school,
        kind=kind,
        params=form.params(),
        client=Client.of(request),
    )
    return to_request_page(request, requested)


def _list_page(request, bound=None, status=200):
    forms = {kind: report_form(kind, school=request.school) for kind in SCHOOL_KINDS}
    forms.update(bound or {})
    context = {
        "forms": [(kind, KINDS[kind], form) for kind, form in forms.items()],
        "reports": name_pupils(
            report_requests_visible_to(request.school_access, request.school)[:LIST_LIMIT]
        ),
        "retention": retention(),
    }
    return render(request, "reports/requests/list.html", context, status=status)


@school_view(Capability.REPORTS)
@require_safe
def report_request_page(request, report_id):
    report = access_report_request(request.school_access, request.school, report_id)
    return status_page(request, report)


def status_page(request, report):
    """A report's status, updated by the page polling this URL (htmx) until it is done."""
    template = "reports/requests/_status.html" if request.htmx else "reports/requests/detail.html"
    context = {"report": report, "poll": POLL_SECONDS, "retention": retention()}
    return render(request, template, context)


@school_view(Capability.REPORTS)
@require_safe
def report_download(request, report_id):
    report = access_report_request(request.school_access, request.school, report_id)
    return download(request, report)


def download(request, report):
    """The PDF as an attachment, after the step-up, audited (in each school it is about).

    Streamed from wherever the file lives (disk or bucket), never a redirect to a signed bucket
    URL: a signed link works for anyone who holds it until it expires (forwarded, in the browser
    history, in a proxy's log), past the step-up and the audit row, and the name and type the
    browser sees would be the bucket's. A termly report is about 100 KB (16 pages in the tests), so
    the bandwidth a redirect would save is small."""
    require_recent_authentication(request)
    if not report.ready:
        return redirect(report)
    audit_report(
        report, actor=request.user, action=AuditAction.REPORT_DOWNLOAD, client=Client.of(request)
    )
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.filename or f"{report.kind}.pdf",
        content_type="application/pdf",
    )


@school_view(Capability.REPORTS)
@require_POST
def report_retry(request, report_id):
    report = access_report_request(request.school_access, request.school, report_id)
    requested = retry_report(
        actor=request.user, school=request.school, report=report, client=Client.of(request)
    )
    return to_request_page(request, requested)


def retention() -> str:
    days = settings.SEMH_REPORT_RETENTION_DAYS
    if days >= 365:
        return f"about {days // 365} year{'s' if days >= 730 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def to_request_page(request, requested: Requested):
    if requested.sent is False:
        messages.warning(
            request,
            "The system that makes reports cannot be reached just now. Your request is saved "
            "and will start by itself when it is back: there is no need to ask again.",
        )
    elif not requested.created:
        messages.info(request, "This report was already on its way: it is shown here.")
    return redirect(requested.report)
