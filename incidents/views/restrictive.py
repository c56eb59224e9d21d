"""A restrictive intervention's record and its statutory follow-up: the report to parents,
debriefs and each member of staff's own statement. Keyed on the record, so a restraint from an
incident and a seclusion from the Reset Area use the same pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_safe

from incidents import selectors
from incidents.forms.restrictive import DebriefForm, ParentReportForm, StaffStatementForm
from incidents.services.restrictive import record_debrief, record_parent_report, save_statement
from incidents.views import redirect_to
from semh import audit
from semh.access import INCIDENT_LIST_READERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view

WRITERS = (Capability.RECORD, Capability.EDIT_PUPILS)


def _record(request, intervention_id):
    return selectors.access_restrictive_intervention(
        request.school_access, request.school, intervention_id
    )


def _follow_up_page(request, template, context, page):
    """A follow-up form showing the record, opened (its POST is audited by the service)."""
    intervention = context["intervention"]
    audit.record_page_view(
        request,
        AuditAction.RESTRICTIVE_VIEW,
        target=intervention,
        pupil=str(intervention.pupil_id),
        page=page,
    )
    return render(request, template, context)


def _back(request, intervention):
    return redirect_to(request, "restrictive_detail", intervention_id=intervention.pk)


@school_view(*INCIDENT_LIST_READERS)
@require_safe
def restrictive_detail(request, intervention_id):
    access, intervention = request.school_access, _record(request, intervention_id)
    audit.record_view(
        request,
        AuditAction.RESTRICTIVE_VIEW,
        target=intervention,
        pupil=str(intervention.pupil_id),
    )
    context = selectors.restrictive_page(intervention, access)
    can_follow_up = any(access.can(c) for c in WRITERS)
    return render(
        request,
        "incidents/restrictive/detail.html",
        {**context, "can_follow_up": can_follow_up},
    )


@school_view(*WRITERS)
def parent_report(request, intervention_id):
    intervention = _record(request, intervention_id)
    if selectors.has_parent_report(intervention):
        messages.info(request, "The report to parents is already recorded.")
        return _back(request, intervention)
    form = ParentReportForm(
        request.POST or None, school=request.school, initial={"reported_by": request.user}
    )
    if request.method == "POST" and form.is_valid():
        values, done = form.report_values(), "Report to parents recorded."
        return _saved(request, intervention, record_parent_report, values, done)
    context = {"form": form, "intervention": intervention, "title": "Report to parents / carers"}
    template = "incidents/restrictive/parent_report_form.html"
    return _follow_up_page(request, template, context, "parent_report")


@school_view(*WRITERS)
def debrief(request, intervention_id):
    intervention = _record(request, intervention_id)
    form = DebriefForm(request.POST or None, instance=intervention)
    if form.is_complete:
        messages.info(request, "The debriefs and support offered are already recorded.")
        return _back(request, intervention)
    if request.method == "POST" and form.is_valid():
        return _saved(
            request, intervention, record_debrief, form.debrief_values(), "Debrief recorded."
        )
    context = {"form": form, "intervention": intervention, "title": "Debriefs and support offered"}
    return _follow_up_page(request, "incidents/restrictive/follow_up_form.html", context, "debrief")


@school_view(Capability.RECORD)
def statement(request, intervention_id):
    """The viewer's own statement; only staff involved have one, and nobody edits another's."""
    access, intervention = request.school_access, _record(request, intervention_id)
    if not selectors.is_holder(access, intervention):
        raise PermissionDenied
    own = selectors.own_statement(access, intervention)
    form = StaffStatementForm(request.POST or None, initial={"text": own.text if own else ""})
    if request.method == "POST" and form.is_valid():
        return _saved(
            request, intervention, save_statement, form.cleaned_data, "Your statement is saved."
        )
    context = {"form": form, "intervention": intervention, "title": "Your statement"}
    return _follow_up_page(
        request, "incidents/restrictive/follow_up_form.html", context, "statement"
    )


def _saved(request, intervention, service, values, done_message):
    """Call a follow-up service with what the form holds, then back to the record."""
    try:
        service(
            actor=request.user,
            school=request.school,
            intervention=intervention,
            client=Client.of(request),
            **values,
        )
    except ValidationError as error:  # recorded meanwhile by someone else
        messages.info(request, " ".join(error.messages))
        return _back(request, intervention)
    messages.success(request, done_message)
    return _back(request, intervention)
