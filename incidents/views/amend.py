"""Amending a submitted incident: the original and every change are kept."""

from django.contrib import messages
from django.shortcuts import render

from incidents import selectors
from incidents.forms.amend import IncidentAmendmentForm
from incidents.services.amend import amend_incident
from incidents.views import redirect_to
from semh import audit
from semh.access import Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

WRITERS = (Capability.RECORD, Capability.EDIT_PUPILS)


@school_view(*WRITERS)
def incident_amend(request, incident_id):
    incident = selectors.access_incident(request.school_access, request.school, incident_id)
    form = IncidentAmendmentForm(request.POST or None, instance=incident, school=request.school)
    amended = request.method == "POST" and form.is_valid()
    # The service checks again under its lock: an amendment sent twice at once changes nothing
    # the second time, and says so on the form.
    amended = amended and submit(
        form,
        amend_incident,
        actor=request.user,
        school=request.school,
        incident=incident,
        values=form.new_values(),
        reason=form.cleaned_data["reason"],
        client=Client.of(request),
    )
    if amended:
        messages.success(request, "Amendment saved. The original and every change are kept.")
        return redirect_to(request, "detail", "history", incident_id=incident.pk)
    involvements = list(incident.involvements.select_related("pupil").order_by("-is_primary"))
    primary = next((str(i.pupil_id) for i in involvements if i.is_primary), None)
    audit.record_page_view(
        request, AuditAction.INCIDENT_VIEW, target=incident, pupil=primary, page="amend"
    )
    context = {"form": form, "incident": incident, "involvements": involvements}
    return render(request, "incidents/amend/form.html", {**context, "at": incident.occurred_at})
